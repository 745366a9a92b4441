//! A synthetic Germany-scale catalogue for scale tests and benchmarks: the Munich catalogue
//! copied once per made-up authority (a Stadt or a Landkreis with its own regional key,
//! postcode, offices and, for a few services, fees), built in memory and deterministically
//! from a seed.
//!
//! With the default of [`DEFAULT_AUTHORITIES`] authorities and Munich's ~240
//! citizen-facing services, the catalogue holds about 100,000 services: the size of a
//! national catalogue that holds each service type once per responsible authority.
//!
//! ```
//! use sophia::content::synthetic;
//! let (catalog, authorities) = synthetic::catalogue(3, 7);
//! let a = &authorities[1];
//! let pass = catalog.service(&a.service_id("1063453")).unwrap(); // A's Reisepass
//! assert_eq!(pass.regions, [a.ars.clone()]);
//! assert_eq!(pass.leika.as_deref(), Some("99085001000000"));
//! let office = catalog.office(&pass.offices[0].office_id).unwrap();
//! assert_eq!(office.address.city, a.place);
//! assert_eq!(synthetic::catalogue(3, 7).1, authorities); // the same seed, the same result
//! ```

use std::borrow::Cow;
use std::collections::HashSet;

use regex::Regex;

use super::{
    Catalog, ImportReport, Link, Office, OfficeLinks, RichText, Service, ServiceOffice,
    ServiceRecord, ServiceTexts,
};
use crate::geo::{Places, Point};

/// Authorities in the default synthetic catalogue: 417 × ~240 services ≈ 100,000.
pub const DEFAULT_AUTHORITIES: usize = 417;

/// Munich services whose fees differ per authority in every synthetic catalogue
/// (Reisepass, Personalausweis); about one in ten others is chosen by the seed.
pub const VARIED_FEES: [&str; 2] = ["1063453", "1063441"];

/// The most authorities [`catalogue`] can give distinct Kreis keys: 9 Regierungsbezirke
/// × 89 Kreise in each of the 16 Länder.
pub const MAX_AUTHORITIES: usize = 16 * 9 * 89;

/// München's regional key: the records [`catalogue`] copies.
const MUENCHEN: &str = "091620000000";

/// Roughly where Munich's offices are: their positions are moved by the offset from here.
const MUNICH: Point = Point {
    lat: 48.137,
    lon: 11.575,
};

/// Germany's bounding box: (south, north), (west, east).
const LAT: (f64, f64) = (47.27, 55.06);
const LON: (f64, f64) = (5.87, 15.04);

/// Per Land (ARS 01 to 16): the number of Kreise and kreisfreie Städte it really has, an
/// approximate centre, how far authorities spread around it (degrees), and the first
/// digit of its postcodes.
const LAENDER: [(usize, f64, f64, f64, u8); 16] = [
    (15, 54.2, 9.8, 0.5, 2),   // Schleswig-Holstein
    (1, 53.55, 10.0, 0.1, 2),  // Hamburg
    (45, 52.7, 9.0, 0.9, 3),   // Niedersachsen
    (2, 53.1, 8.8, 0.1, 2),    // Bremen
    (53, 51.45, 7.5, 0.6, 4),  // Nordrhein-Westfalen
    (26, 50.6, 9.0, 0.6, 6),   // Hessen
    (36, 49.9, 7.4, 0.5, 5),   // Rheinland-Pfalz
    (44, 48.6, 9.0, 0.7, 7),   // Baden-Württemberg
    (96, 49.0, 11.4, 1.0, 8),  // Bayern
    (6, 49.4, 6.95, 0.15, 6),  // Saarland
    (1, 52.52, 13.4, 0.1, 1),  // Berlin
    (18, 52.3, 13.3, 0.7, 1),  // Brandenburg
    (8, 53.8, 12.5, 0.6, 1),   // Mecklenburg-Vorpommern
    (13, 51.05, 13.3, 0.5, 0), // Sachsen
    (14, 52.0, 11.7, 0.5, 0),  // Sachsen-Anhalt
    (22, 50.9, 11.0, 0.5, 9),  // Thüringen
];

/// Syllables of made-up place names: a first part and an ending ("Rosen" + "bach").
const FIRST: [&str; 24] = [
    "Alt", "Bern", "Birken", "Dorn", "Eich", "Elm", "Falken", "Fichten", "Grün", "Hasel", "Hohen",
    "Kirch", "Linden", "Mühl", "Neu", "Ober", "Rosen", "Schön", "Stein", "Tann", "Unter", "Wald",
    "Weiß", "Wolfs",
];
const ENDING: [&str; 16] = [
    "au", "bach", "berg", "burg", "dorf", "feld", "hausen", "heim", "hof", "ingen", "kirchen",
    "rode", "stadt", "tal", "wald", "werder",
];

/// What kind of authority it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorityKind {
    /// A kreisfreie Stadt ("Stadt Rosenbach").
    Kommune,
    /// A Landkreis ("Landkreis Rosenbach").
    Landkreis,
}

/// One made-up authority: whose copy of the catalogue a service is, and the scope to ask in.
#[derive(Debug, Clone, PartialEq)]
pub struct Authority {
    /// Its position in the list; its services' and offices' ids start with "`index`-".
    pub index: usize,
    /// Its name ("Landkreis Rosenbach", "Stadt Eichfeld").
    pub name: String,
    /// The place name alone ("Rosenbach"): the city of its offices' addresses.
    pub place: String,
    /// Stadt or Landkreis.
    pub kind: AuthorityKind,
    /// Its 12-digit Amtlicher Regionalschlüssel (a Kreis key, distinct among authorities).
    pub ars: String,
    /// The postcode of its offices (distinct among authorities).
    pub postcode: String,
    /// Its centre, inside Germany's bounding box; its offices lie around it.
    pub centre: Point,
}

impl Authority {
    /// The id of this authority's copy of the Munich service `munich_id`.
    ///
    /// ```
    /// let (_, authorities) = sophia::content::synthetic::catalogue(1, 0);
    /// assert_eq!(authorities[0].service_id("1063453"), "0-1063453");
    /// ```
    pub fn service_id(&self, munich_id: &str) -> String {
        format!("{}-{munich_id}", self.index)
    }

    /// True when `id` (of a service or an office) is one of this authority's copies.
    pub fn owns(&self, id: &str) -> bool {
        id.split_once('-')
            .is_some_and(|(prefix, _)| prefix == self.index.to_string())
    }
}

/// A small deterministic generator (SplitMix64): the same seed gives the same catalogue
/// on every platform and with every version of `rand`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number in `-1.0..1.0`.
    fn signed(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// The synthetic catalogue of `authorities` authorities from the shipped Munich catalogue,
/// and the authorities; the same `seed` gives the same result. Only Munich's records are
/// copied (those without regions or for München), should the shipped content hold other
/// regions' too. Panics above [`MAX_AUTHORITIES`].
///
/// The copies' texts are held in memory, like an imported catalogue's: about 6 KB a
/// service (`sophia build --synthetic` writes them to a built folder, whose server maps
/// them instead).
pub fn catalogue(authorities: usize, seed: u64) -> (Catalog, Vec<Authority>) {
    let munich = |regions: &[String]| regions.is_empty() || regions.iter().any(|r| r == MUENCHEN);
    generate(&Catalog::shipped(), authorities, seed, munich)
}

/// Like [`catalogue`], from any catalogue `base` (its citizen-facing services and its
/// offices are copied; hidden services are dropped). Panics when a text of `base` cannot
/// be read (a damaged built folder).
pub fn catalogue_from(base: &Catalog, authorities: usize, seed: u64) -> (Catalog, Vec<Authority>) {
    generate(base, authorities, seed, |_| true)
}

/// The synthetic catalogue from the records of `base` whose regions `keep` accepts.
fn generate(
    base: &Catalog,
    authorities: usize,
    seed: u64,
    keep: impl Fn(&[String]) -> bool,
) -> (Catalog, Vec<Authority>) {
    assert!(
        authorities <= MAX_AUTHORITIES,
        "at most {MAX_AUTHORITIES} synthetic authorities"
    );
    let mut rng = Rng(seed);
    let list = make_authorities(authorities, &mut rng);
    let facing: Vec<(&Service, Cow<'_, ServiceTexts>)> = base
        .services()
        .iter()
        .filter(|s| s.citizen_facing && keep(&s.regions))
        .map(|s| {
            let texts = base
                .texts(s)
                .unwrap_or_else(|e| panic!("synthetic catalogue: {e}"));
            (s, texts)
        })
        .collect();
    let base_offices: Vec<&Office> = base.offices().iter().filter(|o| keep(&o.regions)).collect();
    let kept: HashSet<&str> = facing.iter().map(|(s, _)| s.id.as_str()).collect();
    let varied: HashSet<&str> = facing
        .iter()
        .filter(|(s, _)| VARIED_FEES.contains(&s.id.as_str()) || rng.below(10) == 0)
        .map(|(s, _)| s.id.as_str())
        .collect();
    let amounts = Regex::new(r"(\d{1,6})(?:,(\d\d))?(\s|&nbsp;)?(Euro|EUR|€)")
        .expect("the amount pattern is valid");

    let mut services = Vec::with_capacity(facing.len() * list.len());
    let mut offices = Vec::with_capacity(base_offices.len() * list.len());
    for authority in &list {
        let local = Localizer::new(authority);
        for (service, texts) in &facing {
            let mut copy = local.service(service, texts);
            if varied.contains(service.id.as_str())
                && let Some(fees) = &mut copy.texts.fees
            {
                let extra_cents = 10 * (authority.index as u64 + 1);
                *fees = vary_fees(fees, &amounts, extra_cents);
            }
            services.push(copy);
        }
        for office in &base_offices {
            offices.push(local.office(office, &kept));
        }
    }
    let report = ImportReport {
        imported: services.len(),
        offices: offices.len(),
        ..ImportReport::default()
    };
    let version = format!("synthetic-{authorities}-{seed}-{}", base.version());
    (Catalog::new(services, offices, version, report), list)
}

/// A places table knowing each authority's postcode and place name, so that a request's
/// `location` may be a synthetic postcode ("Rosenbach", "86412"); set it as a snapshot's
/// `places`.
///
/// ```
/// use sophia::content::synthetic;
/// let (_, authorities) = synthetic::catalogue(2, 1);
/// let places = synthetic::places(&authorities);
/// let here = places.resolve(&authorities[1].postcode).unwrap();
/// assert_eq!(here.ars.as_deref(), Some(authorities[1].ars.as_str()));
/// ```
pub fn places(authorities: &[Authority]) -> Places {
    let mut toml = String::new();
    for a in authorities {
        toml.push_str(&format!(
            "[[postcode]]\ncode = \"{}\"\nplace = \"{}\"\nars = \"{}\"\ncentre = [{}, {}]\n\n",
            a.postcode, a.place, a.ars, a.centre.lat, a.centre.lon
        ));
    }
    Places::parse("synthetic places", &toml).expect("synthetic places are valid")
}

/// The authorities: spread over the Länder in proportion to their real number of Kreise,
/// each with a distinct Kreis key, postcode and name.
fn make_authorities(count: usize, rng: &mut Rng) -> Vec<Authority> {
    // One slot per real Kreis, visited with a stride so that the first few authorities
    // already lie in different Länder.
    let slots: Vec<usize> = LAENDER
        .iter()
        .enumerate()
        .flat_map(|(land, l)| std::iter::repeat_n(land, l.0))
        .collect();
    let mut bases: Vec<String> = FIRST
        .iter()
        .flat_map(|f| ENDING.iter().map(move |e| format!("{f}{e}")))
        .collect();
    for i in (1..bases.len()).rev() {
        bases.swap(i, rng.below(i + 1));
    }
    let mut in_land = [0usize; 16];
    let mut postcodes = HashSet::new();
    let mut names = HashSet::new();
    (0..count)
        .map(|index| {
            let land = slots[(index * 97) % slots.len()];
            let (_, lat, lon, spread, digit) = LAENDER[land];
            let j = in_land[land];
            in_land[land] += 1;
            let ars = format!("{:02}{}{:02}0000000", land + 1, j % 9 + 1, j / 9 + 11);
            let kind = if rng.below(4) == 0 {
                AuthorityKind::Kommune
            } else {
                AuthorityKind::Landkreis
            };
            let mut place = bases[index % bases.len()].clone();
            if index >= bases.len() {
                place = format!("{place}-{}", index / bases.len() + 1);
            }
            let name = match kind {
                AuthorityKind::Kommune => format!("Stadt {place}"),
                AuthorityKind::Landkreis => format!("Landkreis {place}"),
            };
            debug_assert!(names.insert(name.clone()));
            let postcode = loop {
                let code = format!("{digit}{:04}", 1000 + rng.below(9000));
                if postcodes.insert(code.clone()) {
                    break code;
                }
            };
            let centre = Point {
                lat: (lat + spread * rng.signed()).clamp(LAT.0, LAT.1),
                lon: (lon + spread * 1.4 * rng.signed()).clamp(LON.0, LON.1),
            };
            Authority {
                index,
                name,
                place,
                kind,
                ars,
                postcode,
                centre,
            }
        })
        .collect()
}

/// Adds `extra_cents` to every amount in Euro of the fees ("37,50 Euro" becomes
/// "37,60 Euro" for 10 cents).
fn vary_fees(fees: &RichText, amounts: &Regex, extra_cents: u64) -> RichText {
    let vary = |text: &str| -> String {
        amounts
            .replace_all(text, |c: &regex::Captures| {
                let euros: u64 = c[1].parse().unwrap_or(0);
                let cents: u64 = c.get(2).map_or(0, |m| m.as_str().parse().unwrap_or(0));
                let total = euros * 100 + cents + extra_cents;
                let space = c.get(3).map_or("", |m| m.as_str());
                format!("{},{:02}{space}{}", total / 100, total % 100, &c[4])
            })
            .into_owned()
    };
    RichText {
        text: vary(&fees.text),
        html: vary(&fees.html),
        sections: fees
            .sections
            .iter()
            .map(|s| super::Section {
                heading: s.heading.clone(),
                text: vary(&s.text),
                html: vary(&s.html),
            })
            .collect(),
    }
}

/// Copies Munich's records into one authority's: ids prefixed, regions set, "München"
/// replaced by the authority's name.
struct Localizer<'a> {
    authority: &'a Authority,
    /// (Munich's word, the authority's), longest first.
    replacements: [(&'static str, String); 5],
}

impl<'a> Localizer<'a> {
    fn new(authority: &'a Authority) -> Self {
        let place = &authority.place;
        Localizer {
            authority,
            replacements: [
                ("Landeshauptstadt München", authority.name.clone()),
                ("Stadt München", authority.name.clone()),
                ("Münchnerinnen", format!("{place}erinnen")),
                ("Münchner", format!("{place}er")),
                ("München", place.clone()),
            ],
        }
    }

    /// `text` with Munich's name replaced (a copy without work when it has none).
    fn text(&self, text: &str) -> String {
        if !text.contains("Münch") {
            return text.to_string();
        }
        let mut out = text.to_string();
        for (from, to) in &self.replacements {
            if out.contains(from) {
                out = out.replace(from, to);
            }
        }
        out
    }

    fn rich(&self, rich: &RichText) -> RichText {
        RichText {
            text: self.text(&rich.text),
            html: self.text(&rich.html),
            sections: rich
                .sections
                .iter()
                .map(|s| super::Section {
                    heading: s.heading.as_deref().map(|h| self.text(h)),
                    text: self.text(&s.text),
                    html: self.text(&s.html),
                })
                .collect(),
        }
    }

    fn links(&self, links: &[Link]) -> Vec<Link> {
        links
            .iter()
            .map(|l| Link {
                name: self.text(&l.name),
                url: l.url.clone(),
                description: l.description.as_deref().map(|d| self.text(d)),
            })
            .collect()
    }

    fn id(&self, munich_id: &str) -> String {
        self.authority.service_id(munich_id)
    }

    fn service(&self, s: &Service, t: &ServiceTexts) -> ServiceRecord {
        let texts = ServiceTexts {
            description: self.rich(&t.description),
            fees: t.fees.as_ref().map(|r| self.rich(r)),
            process_time: t.process_time.as_ref().map(|r| self.rich(r)),
            prerequisites: self.links(&t.prerequisites),
            requirements: self.links(&t.requirements),
            forms: self.links(&t.forms),
            links: self.links(&t.links),
            legal: t.legal.clone(),
            responsibility: t.responsibility.as_ref().map(|r| self.rich(r)),
            office_links: t
                .office_links
                .iter()
                .map(|l| OfficeLinks {
                    office_id: self.id(&l.office_id),
                    appointment_url: l.appointment_url.clone(),
                    online_url: l.online_url.clone(),
                })
                .collect(),
        };
        let service = Service {
            id: self.id(&s.id),
            name: self.text(&s.name),
            leika: s.leika.clone(),
            online: s
                .online
                .as_ref()
                .map(|l| self.links(std::slice::from_ref(l)).remove(0)),
            appointment_url: s.appointment_url.clone(),
            url: s.url.clone(),
            keywords: s.keywords.iter().map(|k| self.text(k)).collect(),
            updated: s.updated.clone(),
            slot_minutes: s.slot_minutes,
            authorities: s.authorities.iter().map(|a| self.text(a)).collect(),
            offices: s
                .offices
                .iter()
                .map(|o| ServiceOffice {
                    office_id: self.id(&o.office_id),
                })
                .collect(),
            citizen_facing: true,
            regions: vec![self.authority.ars.clone()],
            attribution: s.attribution.clone(),
        };
        ServiceRecord { service, texts }
    }

    /// The office named for the authority ("Bürgerbüro Pasing, Rosenbach (KVR-II/235)"),
    /// at its postcode and place, moved from Munich to around the authority's centre.
    fn office(&self, o: &Office, kept: &HashSet<&str>) -> Office {
        let a = self.authority;
        let name = if o.name.contains("Münch") {
            self.text(&o.name)
        } else {
            match o.name.find(" (") {
                Some(i) if o.name.trim_end().ends_with(')') => {
                    format!("{}, {}{}", &o.name[..i], a.place, &o.name[i..])
                }
                _ => format!("{}, {}", o.name, a.place),
            }
        };
        let mut address = o.address.clone();
        address.postal_code = a.postcode.clone();
        address.city = a.place.clone();
        Office {
            id: self.id(&o.id),
            name,
            display_name: o.display_name.as_deref().map(|d| self.text(d)),
            organization: Some(a.name.clone()),
            organization_unit: o.organization_unit.clone(),
            address,
            geo: o.geo.map(|(lat, lon)| {
                (
                    (a.centre.lat + lat - MUNICH.lat).clamp(LAT.0, LAT.1),
                    (a.centre.lon + lon - MUNICH.lon).clamp(LON.0, LON.1),
                )
            }),
            phone: o.phone.clone(),
            email: o.email.clone(),
            url: o.url.clone(),
            service_ids: o
                .service_ids
                .iter()
                .filter(|id| kept.contains(id.as_str()))
                .map(|id| self.id(id))
                .collect(),
            opening_hours: o.opening_hours.clone(),
            keywords: o.keywords.iter().map(|k| self.text(k)).collect(),
            regions: vec![a.ars.clone()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::check_ars;

    #[test]
    fn synthetic_authorities_have_distinct_valid_keys_spread_over_the_laender() {
        let mut rng = Rng(42);
        let list = make_authorities(DEFAULT_AUTHORITIES, &mut rng);
        let keys: HashSet<&str> = list.iter().map(|a| a.ars.as_str()).collect();
        let names: HashSet<&str> = list.iter().map(|a| a.name.as_str()).collect();
        let postcodes: HashSet<&str> = list.iter().map(|a| a.postcode.as_str()).collect();
        assert_eq!(keys.len(), list.len());
        assert_eq!(names.len(), list.len());
        assert_eq!(postcodes.len(), list.len());
        let laender: HashSet<&str> = list.iter().map(|a| &a.ars[..2]).collect();
        assert_eq!(laender.len(), 16);
        for a in &list {
            check_ars(&a.ars).unwrap();
            assert_eq!(crate::geo::significant(&a.ars).len(), 5, "{}", a.ars);
            assert!((LAT.0..=LAT.1).contains(&a.centre.lat));
            assert!((LON.0..=LON.1).contains(&a.centre.lon));
        }
        let first: HashSet<&str> = list[..16].iter().map(|a| &a.ars[..2]).collect();
        assert!(first.len() >= 8, "{first:?}");
    }

    #[test]
    fn synthetic_copies_are_localised_and_remapped() {
        let (catalog, list) = catalogue(3, 5);
        let munich = Catalog::shipped();
        let own = |regions: &[String]| regions.is_empty() || regions.iter().any(|r| r == MUENCHEN);
        let facing = munich
            .services()
            .iter()
            .filter(|s| s.citizen_facing && own(&s.regions))
            .count();
        let offices = munich.offices().iter().filter(|o| own(&o.regions)).count();
        assert_eq!(catalog.services().len(), 3 * facing);
        assert_eq!(catalog.offices().len(), 3 * offices);
        for service in catalog.services() {
            let owner = list.iter().find(|a| a.owns(&service.id)).unwrap();
            assert_eq!(service.regions, std::slice::from_ref(&owner.ars));
            assert!(
                !catalog
                    .texts(service)
                    .unwrap()
                    .description
                    .text
                    .contains("München"),
                "{}",
                service.id
            );
            for o in &service.offices {
                let office = catalog.office(&o.office_id).unwrap();
                assert!(owner.owns(&office.id));
                assert_eq!(office.regions, std::slice::from_ref(&owner.ars));
                assert!(office.service_ids.contains(&service.id));
            }
        }
        let fees = |a: &Authority| {
            let id = a.service_id("1063453");
            let texts = catalog.texts(catalog.service(&id).unwrap()).unwrap();
            texts.fees.clone().unwrap().text
        };
        assert!(fees(&list[0]).contains("37,60 Euro"), "{}", fees(&list[0]));
        assert!(fees(&list[1]).contains("37,70 Euro"), "{}", fees(&list[1]));
    }

    #[test]
    fn synthetic_fees_vary_by_cents() {
        let amounts = Regex::new(r"(\d{1,6})(?:,(\d\d))?(\s|&nbsp;)?(Euro|EUR|€)").unwrap();
        let fees = RichText {
            text: "37,50 Euro, 70 Euro, 1,95 €, 7 Tage".into(),
            html: "<li>70&nbsp;Euro</li>".into(),
            sections: Vec::new(),
        };
        let varied = vary_fees(&fees, &amounts, 60);
        assert_eq!(varied.text, "38,10 Euro, 70,60 Euro, 2,55 €, 7 Tage");
        assert_eq!(varied.html, "<li>70,60&nbsp;Euro</li>");
    }
}
