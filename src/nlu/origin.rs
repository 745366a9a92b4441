//! Where a citizen or their papers come from, as far as services tell the EU and EEA apart
//! from all other states: "türkischen Führerschein umschreiben" is the foreign licence, not
//! the EU/EEA one; "Führerschein aus Polen" the EU/EEA one.
//!
//! The countries are data (`countries.txt` beside this file); a service name says which
//! side it is for with "EU"/"EWR" ("Umschreibung EU/EWR-Führerschein") or "Nicht-EU" /
//! "Drittstaat".

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::text::{normalize_word, words};

const SHIPPED_COUNTRIES: &str = include_str!("countries.txt");

/// Words shorter than this match only themselves; longer ones also the words they start.
const PREFIX_LEN: usize = 5;

/// Which side of the EU/EEA line a country or a service is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A member of the EU or the EEA (Iceland, Liechtenstein, Norway).
    EuEea,
    /// Any other state.
    Other,
}

/// The country words of `countries.txt`, normalised, each with its side.
static COUNTRIES: LazyLock<HashMap<String, Origin>> = LazyLock::new(|| {
    parse(SHIPPED_COUNTRIES).unwrap_or_else(|e| panic!("shipped countries.txt: {e}"))
});

/// Parses `eu: word, word` / `other: word, word` lines; `#` starts a comment.
fn parse(text: &str) -> Result<HashMap<String, Origin>, String> {
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (side, list) = line
            .split_once(':')
            .ok_or_else(|| format!("line {}: expected `eu: …` or `other: …`", i + 1))?;
        let origin = match side.trim() {
            "eu" => Origin::EuEea,
            "other" => Origin::Other,
            side => return Err(format!("line {}: unknown side {side:?}", i + 1)),
        };
        for word in list.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            if word.contains(char::is_whitespace) {
                return Err(format!("line {}: {word:?} is not one word", i + 1));
            }
            let key = normalize_word(word);
            if out
                .insert(key, origin)
                .is_some_and(|before| before != origin)
            {
                return Err(format!("line {}: {word:?} is on both sides", i + 1));
            }
        }
    }
    Ok(out)
}

/// The side of the country `word` names, if it names one (normalised word).
fn country(word: &str) -> Option<Origin> {
    if let Some(&origin) = COUNTRIES.get(word) {
        return Some(origin);
    }
    (0..word.len())
        .rev()
        .filter(|&end| end >= PREFIX_LEN && word.is_char_boundary(end))
        .find_map(|end| COUNTRIES.get(&word[..end]))
        .copied()
}

/// The side of the countries `message` names, when it names countries of one side only.
///
/// ```
/// use sophia::nlu::{Origin, named_origin};
/// assert_eq!(named_origin("türkischen Führerschein umschreiben"), Some(Origin::Other));
/// assert_eq!(named_origin("Fuehrerschein aus Polen umschreiben"), Some(Origin::EuEea));
/// assert_eq!(named_origin("us driver license"), Some(Origin::Other));
/// assert_eq!(named_origin("Führerschein umschreiben"), None);
/// // Both sides named: nothing to go by.
/// assert_eq!(named_origin("ich bin Französin, mein Mann ist Ägypter"), None);
/// ```
pub fn named_origin(message: &str) -> Option<Origin> {
    let mut found = None;
    for origin in origins_named(message) {
        match found {
            Some(before) if before != origin => return None,
            _ => found = Some(origin),
        }
    }
    found
}

/// The side of each country word of `message`, in order.
fn origins_named(message: &str) -> impl Iterator<Item = Origin> + '_ {
    words(message).filter_map(|(_, word)| country(&normalize_word(word)))
}

/// True when `message` names any country of `countries.txt`, on either side ("meine
/// Verlobte aus Brasilien"): someone or something from abroad.
///
/// ```
/// use sophia::nlu::names_a_country;
/// assert!(names_a_country("Ich bin Deutscher, meine Verlobte ist aus Brasilien"));
/// assert!(names_a_country("ich bin Französin, mein Mann ist Ägypter"));
/// assert!(!names_a_country("wir sind beide deutsche und in muenchen geboren"));
/// ```
pub fn names_a_country(message: &str) -> bool {
    origins_named(message).next().is_some()
}

/// True when `message` says that both are Germans ("wir sind beide Deutsche", "beide
/// deutsche Staatsbürger"); "ich bin Deutscher" says nothing about the partner, and "spricht
/// kaum Deutsch" nothing about citizenship.
///
/// ```
/// use sophia::nlu::names_both_german;
/// assert!(names_both_german("wir sind beide deutsche und in muenchen geboren"));
/// assert!(!names_both_german("ich bin Deutscher und will heiraten"));
/// assert!(!names_both_german("wir sprechen beide kaum Deutsch"));
/// ```
pub fn names_both_german(message: &str) -> bool {
    let words: Vec<String> = words(message).map(|(_, w)| normalize_word(w)).collect();
    let both = words.iter().any(|w| w == "beide" || w == "beiden");
    let german = words
        .iter()
        .any(|w| ["deutsche", "deutscher", "deutschen"].contains(&w.as_str()));
    both && german
}

/// Whether a service's name says it is for matters across borders: `Some(true)` for "… mit
/// Auslandsbezug", `Some(false)` for "… ohne Auslandsbezug", `None` when it says neither.
///
/// ```
/// use sophia::nlu::service_abroad;
/// assert_eq!(service_abroad("Anmeldung einer Eheschließung mit Auslandsbezug"), Some(true));
/// assert_eq!(service_abroad("Anmeldung einer Eheschließung ohne Auslandsbezug"), Some(false));
/// assert_eq!(service_abroad("Reisepass"), None);
/// ```
pub fn service_abroad(name: &str) -> Option<bool> {
    let names: Vec<String> = words(name).map(|(_, w)| normalize_word(w)).collect();
    let at = names.iter().position(|w| w == "auslandsbezug")?;
    Some(at == 0 || names[at - 1] != "ohne")
}

/// The side a service's name says it is for: "EU"/"EWR" for the EU/EEA, "Nicht-EU" or
/// "Drittstaat…" for the others; `None` when the name says neither.
///
/// ```
/// use sophia::nlu::{Origin, service_origin};
/// assert_eq!(service_origin("Umschreibung EU/EWR-Führerschein"), Some(Origin::EuEea));
/// assert_eq!(service_origin("Aufenthalts- und Arbeitserlaubnis – Nicht-EU-Bürger"), Some(Origin::Other));
/// assert_eq!(service_origin("Umschreibung eines ausländischen Führerscheins"), None);
/// ```
pub fn service_origin(name: &str) -> Option<Origin> {
    let names: Vec<String> = words(name).map(|(_, w)| normalize_word(w)).collect();
    let mut eu = false;
    for (i, word) in names.iter().enumerate() {
        let negated = i > 0 && names[i - 1] == "nicht";
        match word.as_str() {
            "eu" | "ewr" if negated => return Some(Origin::Other),
            "eu" | "ewr" => eu = true,
            w if w.starts_with("drittstaat") => return Some(Origin::Other),
            _ => {}
        }
    }
    eu.then_some(Origin::EuEea)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_parses_and_has_both_sides() {
        let eu = COUNTRIES.values().filter(|o| **o == Origin::EuEea).count();
        let other = COUNTRIES.len() - eu;
        assert!(eu > 100 && other > 150, "{eu} EU/EEA words, {other} others");
    }

    #[test]
    fn every_eu_and_eea_state_is_on_the_eu_side() {
        for state in [
            "Belgien",
            "Bulgarien",
            "Dänemark",
            "Estland",
            "Finnland",
            "Frankreich",
            "Griechenland",
            "Irland",
            "Italien",
            "Kroatien",
            "Lettland",
            "Litauen",
            "Luxemburg",
            "Malta",
            "Niederlande",
            "Österreich",
            "Polen",
            "Portugal",
            "Rumänien",
            "Schweden",
            "Slowakei",
            "Slowenien",
            "Spanien",
            "Tschechien",
            "Ungarn",
            "Zypern",
            "Island",
            "Liechtenstein",
            "Norwegen",
        ] {
            assert_eq!(named_origin(state), Some(Origin::EuEea), "{state}");
        }
    }

    #[test]
    fn inflected_adjectives_and_people_are_found_in_any_spelling() {
        for (message, want) in [
            ("mein tuerkischer Fuehrerschein", Origin::Other),
            ("aus der Ukraine geflüchtet", Origin::Other),
            ("indischen Führerschein", Origin::Other),
            ("bin Italienerin", Origin::EuEea),
            ("österreichischer Pass", Origin::EuEea),
            ("oesterreichischen", Origin::EuEea),
        ] {
            assert_eq!(named_origin(message), Some(want), "{message}");
        }
    }

    #[test]
    fn short_words_match_only_themselves_and_everyday_words_name_no_country() {
        for message in [
            "uns fehlt ein Termin",
            "Polizei anrufen",
            "Kinder anmelden",
            "Antrag auf Englisch",
            "Parkausweis für Behinderte",
            "Fahrzeugbrief verloren",
            "ich brauche einen Pass",
            "",
        ] {
            assert_eq!(named_origin(message), None, "{message}");
        }
    }

    #[test]
    fn broken_lists_are_refused_with_the_line() {
        assert!(parse("eu Frankreich").unwrap_err().starts_with("line 1"));
        assert!(parse("# c\nasia: China").unwrap_err().starts_with("line 2"));
        assert!(parse("eu: Sri Lanka").unwrap_err().contains("not one word"));
        assert!(
            parse("eu: Polen\nother: Polen")
                .unwrap_err()
                .contains("both sides")
        );
    }
}
