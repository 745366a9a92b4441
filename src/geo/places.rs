//! The postcode table and where a request's `location` points: a postcode, a place name,
//! a 12-digit ARS or "lat,lon" becomes a region (ARS) and, where known, a point.

use serde::Deserialize;

use super::ars::{check_ars, contains};
use super::distance::{Point, distance_km};

const SHIPPED_PLACES: &str = include_str!("../../index/places.toml");

/// A "lat,lon" farther than this from every known postcode is not given a region.
const MAX_PLACE_KM: f64 = 12.0;

/// One postcode area: its Gemeinde and approximate centre.
#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeArea {
    /// The five-digit postcode.
    pub code: String,
    /// The place name ("München").
    pub place: String,
    /// The Gemeinde's ARS.
    pub ars: String,
    /// The approximate centre.
    pub centre: Point,
}

/// Where the citizen is, as far as Sophia could tell.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// The region (ARS) the location lies in, when known.
    pub ars: Option<String>,
    /// A point to measure distances from, when known.
    pub point: Option<Point>,
    /// How to name the location in an answer ("80331 München").
    pub label: String,
}

/// The table of known postcodes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Places {
    areas: Vec<PostcodeArea>,
    /// Per area: its place name as normalised words, computed once for matching messages.
    place_words: Vec<Vec<String>>,
}

/// A text as normalised words, the way messages are compared with place names.
fn normalized_words(text: &str) -> Vec<String> {
    crate::text::words(text)
        .map(|(_, w)| crate::text::normalize_word(w))
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    postcode: Vec<toml::Spanned<RawArea>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    code: String,
    place: String,
    ars: String,
    centre: [f64; 2],
}

impl Places {
    /// The table shipped in `index/places.toml` (Munich and the Hessen examples).
    ///
    /// ```
    /// let places = sophia::geo::Places::shipped();
    /// assert_eq!(places.postcode("80331").unwrap().place, "München");
    /// ```
    pub fn shipped() -> Places {
        Self::parse("index/places.toml", SHIPPED_PLACES)
            .expect("the shipped places table is valid; a test guards it")
    }

    /// Reads a places table; every mistake is reported as `file:line: message`.
    ///
    /// ```
    /// let text = "[[postcode]]\ncode = \"8033\"\nplace = \"X\"\nars = \"091620000000\"\ncentre = [48.1, 11.5]\n";
    /// let error = sophia::geo::Places::parse("places.toml", text).unwrap_err();
    /// assert!(error.starts_with("places.toml:1: postcode"), "{error}");
    /// ```
    pub fn parse(file: &str, text: &str) -> Result<Places, String> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            match line {
                Some(line) => format!("{file}:{line}: {}", e.message()),
                None => format!("{file}: {}", e.message()),
            }
        })?;
        let mut areas: Vec<PostcodeArea> = Vec::new();
        for spanned in raw.postcode {
            let line = text[..spanned.span().start].lines().count() + 1;
            let at = |message: String| format!("{file}:{line}: {message}");
            let area = spanned.into_inner();
            if area.code.len() != 5 || !area.code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(at(format!(
                    "postcode must be five digits, found {:?}",
                    area.code
                )));
            }
            if areas.iter().any(|a| a.code == area.code) {
                return Err(at(format!("postcode {} appears twice", area.code)));
            }
            check_ars(&area.ars).map_err(|p| at(format!("ars {p}")))?;
            let [lat, lon] = area.centre;
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(at(format!(
                    "centre must be [latitude, longitude], found [{lat}, {lon}]"
                )));
            }
            if area.place.trim().is_empty() {
                return Err(at("place must not be empty".to_string()));
            }
            areas.push(PostcodeArea {
                code: area.code,
                place: area.place.trim().to_string(),
                ars: area.ars,
                centre: Point { lat, lon },
            });
        }
        let place_words = areas.iter().map(|a| normalized_words(&a.place)).collect();
        Ok(Places { areas, place_words })
    }

    /// A postcode area by its code.
    pub fn postcode(&self, code: &str) -> Option<&PostcodeArea> {
        self.areas.iter().find(|a| a.code == code)
    }

    /// Resolves a request's `location`: a postcode, a place name, an ARS or "lat,lon".
    /// The error is a sentence for the citizen saying what could not be resolved.
    ///
    /// ```
    /// let places = sophia::geo::Places::shipped();
    /// let here = places.resolve("80331").unwrap();
    /// assert_eq!(here.ars.as_deref(), Some("091620000000"));
    /// assert_eq!(places.resolve("münchen").unwrap().ars.as_deref(), Some("091620000000"));
    /// assert_eq!(places.resolve("065340000000").unwrap().label, "Regionalschlüssel 065340000000");
    /// assert_eq!(places.resolve("48.137,11.575").unwrap().ars.as_deref(), Some("091620000000"));
    /// assert!(places.resolve("99999").unwrap_err().contains("99999"));
    /// ```
    pub fn resolve(&self, input: &str) -> Result<Location, String> {
        let input = input.trim();
        if input.len() == 5 && input.bytes().all(|b| b.is_ascii_digit()) {
            return self
                .postcode(input)
                .map(|a| Location {
                    ars: Some(a.ars.clone()),
                    point: Some(a.centre),
                    label: format!("{} {}", a.code, a.place),
                })
                .ok_or_else(|| {
                    format!("Die Postleitzahl {input} kenne ich nicht, deshalb antworte ich ohne Ortsbezug.")
                });
        }
        if input.len() == 12 && input.bytes().all(|b| b.is_ascii_digit()) {
            check_ars(input).map_err(|_| {
                format!("Den Regionalschlüssel {input} gibt es nicht, deshalb antworte ich ohne Ortsbezug.")
            })?;
            let centre = self
                .areas
                .iter()
                .find(|a| contains(input, &a.ars))
                .map(|a| a.centre);
            return Ok(Location {
                ars: Some(input.to_string()),
                point: centre,
                label: format!("Regionalschlüssel {input}"),
            });
        }
        if let Some(point) = Point::parse(input) {
            let nearest = self
                .areas
                .iter()
                .map(|a| (distance_km(point, a.centre), a))
                .min_by(|x, y| x.0.total_cmp(&y.0))
                .filter(|(km, _)| *km <= MAX_PLACE_KM);
            return Ok(Location {
                ars: nearest.map(|(_, a)| a.ars.clone()),
                point: Some(point),
                label: nearest.map_or_else(|| "Ihr Standort".to_string(), |(_, a)| a.place.clone()),
            });
        }
        let wanted = normalized_words(input);
        self.areas
            .iter()
            .zip(&self.place_words)
            .find(|(_, name)| **name == wanted)
            .map(|(a, _)| a)
            .map(|a| Location {
                ars: Some(a.ars.clone()),
                point: Some(a.centre),
                label: a.place.clone(),
            })
            .ok_or_else(|| {
                format!(
                    "Den Ort „{}“ kenne ich nicht, deshalb antworte ich ohne Ortsbezug.",
                    clip(input)
                )
            })
    }
}

impl Places {
    /// A place the message names: a known postcode, or a place name of the table as whole
    /// words ("Reisepass in Marburg"). Returns the text to resolve with [`Places::resolve`].
    ///
    /// ```
    /// let places = sophia::geo::Places::shipped();
    /// assert_eq!(places.find_in("Reisepass in Marburg beantragen").as_deref(), Some("Marburg"));
    /// assert_eq!(places.find_in("wohne in 81241, wo ist das bürgerbüro").as_deref(), Some("81241"));
    /// assert_eq!(places.find_in("Reisepass beantragen"), None);
    /// assert_eq!(places.find_in("marburger straße"), None);
    /// ```
    pub fn find_in(&self, message: &str) -> Option<String> {
        let words = normalized_words(message);
        if let Some(code) = words
            .iter()
            .find(|w| w.len() == 5 && self.postcode(w).is_some())
        {
            return Some(code.clone());
        }
        self.areas
            .iter()
            .zip(&self.place_words)
            .find(|(_, name)| {
                !name.is_empty() && words.windows(name.len()).any(|w| w == name.as_slice())
            })
            .map(|(a, _)| a.place.clone())
    }
}

/// At most 40 characters of what the citizen sent, for quoting it back.
fn clip(input: &str) -> String {
    let clipped: String = input.chars().take(40).collect();
    if clipped.len() < input.len() {
        format!("{clipped}…")
    } else {
        clipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_is_valid_and_every_area_in_a_land() {
        let places = Places::shipped();
        assert!(places.areas.len() >= 20);
        for area in &places.areas {
            assert!(check_ars(&area.ars).is_ok(), "{}", area.code);
        }
    }

    #[test]
    fn a_point_far_from_every_postcode_has_no_region() {
        let places = Places::shipped();
        let sylt = places.resolve("54.9,8.3").unwrap();
        assert_eq!(sylt.ars, None);
        assert!(sylt.point.is_some());
    }

    #[test]
    fn the_nearest_postcode_gives_the_region() {
        let places = Places::shipped();
        let marburg = places.resolve("50.81, 8.77").unwrap();
        assert_eq!(marburg.ars.as_deref(), Some("065340014014"));
        assert_eq!(marburg.label, "Marburg");
    }

    #[test]
    fn unresolvable_locations_are_named_in_the_message() {
        let places = Places::shipped();
        for input in ["12345", "Atlantis", "991620000000", "48.1;11.5"] {
            let error = places.resolve(input).unwrap_err();
            assert!(error.contains("ohne Ortsbezug"), "{input}: {error}");
        }
        assert!(places.resolve(&"x".repeat(200)).unwrap_err().contains('…'));
    }

    #[test]
    fn mistakes_in_the_table_name_their_line() {
        let cases = [
            (
                "[[postcode]]\ncode = \"80331\"\nplace = \"M\"\nars = \"123\"\ncentre = [48.0, 11.0]\n",
                "places.toml:1: ars must be",
            ),
            (
                "[[postcode]]\ncode = \"80331\"\nplace = \"M\"\nars = \"091620000000\"\ncentre = [148.0, 11.0]\n",
                "places.toml:1: centre",
            ),
            (
                "[[postcode]]\ncode = \"80331\"\nplace = \"M\"\nars = \"091620000000\"\ncentre = [48.0, 11.0]\nfoo = 1\n",
                "places.toml:",
            ),
            (
                "[[postcode]]\ncode = \"80331\"\nplace = \"M\"\nars = \"091620000000\"\ncentre = [48.0, 11.0]\n\n[[postcode]]\ncode = \"80331\"\nplace = \"M\"\nars = \"091620000000\"\ncentre = [48.0, 11.0]\n",
                "places.toml:7: postcode 80331 appears twice",
            ),
        ];
        for (text, expected) in cases {
            let error = Places::parse("places.toml", text).unwrap_err();
            assert!(error.starts_with(expected), "{error}");
        }
    }
}
