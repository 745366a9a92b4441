//! Near-duplicate services: the same service in variants that differ by a qualifier
//! ("Beglaubigung von bis zu 5 / bis zu 20 Dokumenten", "Auskunft zur Rente (Vor-Ort-Termin)
//! / (Telefon-Termin)", "Niederlassungserlaubnis" / "… für Familienangehörige").
//!
//! When the question names no qualifier, guessing one variant is a coin toss: variants that
//! each have their own qualifier are offered as a choice, and a specific variant whose
//! qualifier the question does not name gives way to the general one.

use std::collections::HashSet;

use crate::nlu::{
    Origin, named_origin, names_a_country, names_both_german, service_abroad, service_origin,
};

/// The range of counts a name covers: "bis zu 5 Dokumenten" is 1..=5, "mehr als 20" is
/// 21.., "ab 10" is 10...
///
/// ```
/// use sophia::dialog::near_duplicates::count_range;
/// assert_eq!(count_range("Beglaubigung von bis zu 20 Dokumenten"), Some((1, 20)));
/// assert_eq!(count_range("Beglaubigung von mehr als 20 Dokumenten"), Some((21, u32::MAX)));
/// assert_eq!(count_range("Reisepass"), None);
/// ```
pub fn count_range(name: &str) -> Option<(u32, u32)> {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.windows(3).find_map(|w| {
        let n: u32 = w[2].parse().ok()?;
        match (w[0].as_str(), w[1].as_str()) {
            ("bis", "zu") => Some((1, n)),
            ("mehr", "als") => Some((n.saturating_add(1), u32::MAX)),
            (_, "ab") => Some((n, u32::MAX)),
            _ => None,
        }
    })
}

/// The count a question names: the first number written in digits, else the first number
/// word ("ein"/"eine" are left out: mostly they are articles, "was kostet eine
/// Beglaubigung?").
///
/// ```
/// use sophia::dialog::near_duplicates::count_in;
/// assert_eq!(count_in("3 Zeugnisse beglaubigen"), Some(3));
/// assert_eq!(count_in("zwölf Urkunden"), Some(12));
/// assert_eq!(count_in("Zeugnisse beglaubigen"), None);
/// assert_eq!(count_in("einen Termin für 30 Dokumente"), Some(30));
/// assert_eq!(count_in("was kostet eine Beglaubigung"), None);
/// ```
pub fn count_in(message: &str) -> Option<u32> {
    const WORDS: &[(&str, u32)] = &[
        ("eins", 1),
        ("zwei", 2),
        ("drei", 3),
        ("vier", 4),
        ("fünf", 5),
        ("sechs", 6),
        ("sieben", 7),
        ("acht", 8),
        ("neun", 9),
        ("zehn", 10),
        ("elf", 11),
        ("zwölf", 12),
        ("zwanzig", 20),
        ("dreißig", 30),
        ("fünfzig", 50),
        ("hundert", 100),
    ];
    let words = || {
        message
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
    };
    words().find_map(|w| w.parse().ok()).or_else(|| {
        words().find_map(|w| {
            let lower = w.to_lowercase();
            WORDS
                .iter()
                .find(|(name, _)| *name == lower)
                .map(|(_, n)| *n)
        })
    })
}

/// The word that makes a variant the opposite of one named without it ("Eheschließung ohne
/// Auslandsbezug" beside "… mit Auslandsbezug"), compared analysed.
const NEGATION: &str = "ohne";

/// What to do about near-duplicates of the best hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refinement {
    /// The best hit stands.
    Keep,
    /// Answer with this hit instead: the general variant of a specific best hit, or the
    /// variant whose qualifier the question names.
    Prefer(usize),
    /// Offer these hits (best first) as choices.
    Clarify(Vec<usize>),
}

/// Decides whether the best service stands among its variants: `names[0]` are the analysed
/// name words of the best service, `names[1..]` those of its variants (see
/// [`crate::search::variants`]), `close[i]` whether the search scored variant `i` about as
/// high as the best one (only those are offered as choices; a general variant replaces a
/// specific one even when scored lower), `query` the analysed words of the question. A
/// variant whose own qualifier the question names, and none of the best's, replaces it.
///
/// ```
/// use sophia::dialog::near_duplicates::{refine, Refinement};
/// let names = vec![
///     vec!["beglaub".to_string(), "5".into(), "dokument".into()],
///     vec!["beglaub".to_string(), "20".into(), "dokument".into()],
/// ];
/// let query = ["zeugnis".to_string(), "beglaub".into()];
/// assert_eq!(refine(&names, &[true, true], &query, 3), Refinement::Clarify(vec![0, 1]));
/// let query = ["beglaub".to_string(), "5".into()];
/// assert_eq!(refine(&names, &[true, true], &query, 3), Refinement::Keep);
/// ```
pub fn refine(
    names: &[Vec<String>],
    close: &[bool],
    query: &[String],
    max_choices: usize,
) -> Refinement {
    let Some(best) = names.first() else {
        return Refinement::Keep;
    };
    let best: HashSet<&String> = best.iter().collect();
    let query: HashSet<&String> = query.iter().collect();
    let negation = crate::text::stem_word(NEGATION);
    // "… ohne Auslandsbezug" beside "… mit Auslandsbezug": "mit" is no name word, so a
    // variant whose only own word the other lacks is the negation looks general, yet the
    // other one is the opposite specific variant.
    let only_negation = |own: &[&&String]| own.len() == 1 && **own[0] == negation;
    let mut choices = vec![0];
    for (i, name) in names.iter().enumerate().skip(1) {
        let other: HashSet<&String> = name.iter().collect();
        let own_best: Vec<&&String> = best.difference(&other).collect();
        let own_other: Vec<&&String> = other.difference(&best).collect();
        let names_best = own_best.iter().any(|t| query.contains(**t));
        let names_other = own_other.iter().any(|t| query.contains(**t));
        // The question names this variant's own qualifier and none of the best's.
        if names_other && !names_best {
            return Refinement::Prefer(i);
        }
        if names_best || names_other {
            continue;
        }
        let best_general = own_best.is_empty() && !only_negation(&own_other);
        let other_general = own_other.is_empty() && !only_negation(&own_best);
        match (best_general, other_general) {
            // The best hit is the general variant: it stands.
            (true, _) => {}
            // The best hit is a specific variant the question does not ask for.
            (false, true) => return Refinement::Prefer(i),
            // Both are specific: offer the other one when the search found it as fitting.
            (false, false) if close.get(i).copied().unwrap_or(false) => choices.push(i),
            (false, false) => {}
        }
    }
    if choices.len() > 1 {
        choices.truncate(max_choices);
        Refinement::Clarify(choices)
    } else {
        Refinement::Keep
    }
}

/// Among variants that cover ranges of counts, the one whose range holds the count the
/// question names (index into `names`).
pub fn by_count(names: &[&str], message: &str) -> Option<usize> {
    let ranges: Vec<Option<(u32, u32)>> = names.iter().map(|n| count_range(n)).collect();
    if ranges.iter().filter(|r| r.is_some()).count() < 2 {
        return None;
    }
    let count = count_in(message)?;
    // The narrowest range that holds the count: 3 is "bis zu 5", not "bis zu 20".
    ranges
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.filter(|(lo, hi)| (*lo..=*hi).contains(&count))
                .map(|(lo, hi)| (i, hi - lo))
        })
        .min_by_key(|(_, width)| *width)
        .map(|(i, _)| i)
}

/// Among variants of which one is for the EU/EEA ("Umschreibung EU/EWR-Führerschein"), the
/// one for where the question says the citizen or the papers come from: the EU/EEA variant
/// for an EU/EEA state, the only other variant for any other state (index into `names`).
///
/// ```
/// use sophia::dialog::near_duplicates::by_origin;
/// let names = ["Umschreibung EU/EWR-Führerschein", "Umschreibung eines ausländischen Führerscheins"];
/// assert_eq!(by_origin(&names, "türkischen Führerschein umschreiben"), Some(1));
/// assert_eq!(by_origin(&names, "Führerschein aus Polen umschreiben"), Some(0));
/// assert_eq!(by_origin(&names, "Führerschein umschreiben"), None);
/// ```
pub fn by_origin(names: &[&str], message: &str) -> Option<usize> {
    let sides: Vec<Option<Origin>> = names.iter().map(|n| service_origin(n)).collect();
    if !sides.contains(&Some(Origin::EuEea)) {
        return None;
    }
    let asked = named_origin(message)?;
    let only = |keep: &dyn Fn(Option<Origin>) -> bool| only_one(sides.iter().map(|s| keep(*s)));
    match asked {
        Origin::EuEea => only(&|s| s == Some(Origin::EuEea)),
        Origin::Other => {
            only(&|s| s == Some(Origin::Other)).or_else(|| only(&|s| s != Some(Origin::EuEea)))
        }
    }
}

/// Among variants "… mit Auslandsbezug" and "… ohne Auslandsbezug", the one for what the
/// question says: "mit" when it names a country (a fiancée from Brazil), "ohne" when it
/// says both are Germans ("wir sind beide Deutsche"). Index into `names`.
///
/// ```
/// use sophia::dialog::near_duplicates::by_abroad;
/// let names = ["Anmeldung einer Eheschließung ohne Auslandsbezug",
///              "Anmeldung einer Eheschließung mit Auslandsbezug"];
/// assert_eq!(by_abroad(&names, "meine Verlobte aus Brasilien heiraten"), Some(1));
/// assert_eq!(by_abroad(&names, "wir sind beide deutsche"), Some(0));
/// assert_eq!(by_abroad(&names, "wir wollen heiraten"), None);
/// // One German says nothing about the other; speaking German nothing about citizenship.
/// assert_eq!(by_abroad(&names, "ich bin Deutscher und will heiraten"), None);
/// assert_eq!(by_abroad(&names, "meine Verlobte spricht kaum Deutsch"), None);
/// ```
pub fn by_abroad(names: &[&str], message: &str) -> Option<usize> {
    let sides: Vec<Option<bool>> = names.iter().map(|n| service_abroad(n)).collect();
    if !sides.contains(&Some(true)) || !sides.contains(&Some(false)) {
        return None;
    }
    let wanted = if names_a_country(message) {
        true
    } else if names_both_german(message) {
        false
    } else {
        return None;
    };
    only_one(sides.iter().map(|s| *s == Some(wanted)))
}

/// The index of the one `true`, when exactly one is.
fn only_one(found: impl Iterator<Item = bool>) -> Option<usize> {
    let mut found = found.enumerate().filter(|(_, f)| *f);
    match (found.next(), found.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// The variant a qualifier of the question picks: a count ([`by_count`]), a country
/// ([`by_origin`]) or matters across borders at all ([`by_abroad`]).
///
/// ```
/// use sophia::dialog::near_duplicates::by_qualifier;
/// let names = ["Beglaubigung von bis zu 5 Dokumenten", "Beglaubigung von bis zu 20 Dokumenten"];
/// assert_eq!(by_qualifier(&names, "12 Zeugnisse beglaubigen"), Some(1));
/// ```
pub fn by_qualifier(names: &[&str], message: &str) -> Option<usize> {
    by_count(names, message)
        .or_else(|| by_origin(names, message))
        .or_else(|| by_abroad(names, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn variants_with_own_qualifiers_are_offered_when_the_question_names_none() {
        let names = [
            words("auskunft rent vor ort termin"),
            words("auskunft rent telefon termin"),
        ];
        assert_eq!(
            refine(&names, &[true; 4], &words("rentenberat rent"), 3),
            Refinement::Clarify(vec![0, 1])
        );
    }

    #[test]
    fn a_named_qualifier_decides() {
        let names = [
            words("auskunft rent vor ort termin"),
            words("auskunft rent telefon termin"),
        ];
        assert_eq!(
            refine(&names, &[true; 4], &words("rent vor ort"), 3),
            Refinement::Keep
        );
        assert_eq!(
            refine(&names, &[true; 4], &words("rent telefon"), 3),
            Refinement::Prefer(1)
        );
    }

    #[test]
    fn a_variant_without_something_does_not_give_way_to_the_one_with_it() {
        // "Anmeldung einer Eheschließung ohne / mit Auslandsbezug": "mit" is a stop word.
        let names = [
            words("anmeld eheschliess ohn auslandsbezug"),
            words("anmeld eheschliess auslandsbezug"),
        ];
        let query = words("standesamt hochzeit");
        // Either one ranked first; naming "ohne" picks the "ohne" variant wherever it is.
        let swapped = [names[1].clone(), names[0].clone()];
        for (names, naming_ohne) in [
            (&names, Refinement::Keep),
            (&swapped, Refinement::Prefer(1)),
        ] {
            assert_eq!(refine(names, &[false, false], &query, 3), Refinement::Keep);
            assert_eq!(
                refine(names, &[true, true], &query, 3),
                Refinement::Clarify(vec![0, 1])
            );
            assert_eq!(
                refine(names, &[true, true], &words("hochzeit ohn"), 3),
                naming_ohne
            );
        }
    }

    #[test]
    fn a_specific_variant_gives_way_to_the_general_one() {
        let names = [
            words("niederlassungserlaubnis famili angehor deutsch"),
            words("niederlassungserlaubnis"),
        ];
        assert_eq!(
            refine(&names, &[true; 4], &words("niederlassungserlaubnis"), 3),
            Refinement::Prefer(1)
        );
        assert_eq!(
            refine(
                &names,
                &[true; 4],
                &words("niederlassungserlaubnis famili"),
                3
            ),
            Refinement::Keep
        );
    }

    #[test]
    fn a_variant_scored_far_below_is_not_offered() {
        let names = [
            words("auskunft rent vor ort termin"),
            words("auskunft rent telefon termin"),
        ];
        assert_eq!(
            refine(&names, &[true, false], &words("rent"), 3),
            Refinement::Keep
        );
    }

    #[test]
    fn the_general_variant_replaces_a_specific_one_scored_lower() {
        let names = [
            words("niederlassungserlaubnis famili"),
            words("niederlassungserlaubnis"),
        ];
        assert_eq!(
            refine(&names, &[true, false], &words("niederlassungserlaubnis"), 3),
            Refinement::Prefer(1)
        );
    }

    #[test]
    fn the_general_variant_stands() {
        let names = [words("wohnsitzanmeld"), words("wohnsitzanmeld famili")];
        assert_eq!(
            refine(&names, &[true; 4], &words("ummeld"), 3),
            Refinement::Keep
        );
    }

    #[test]
    fn a_count_picks_the_variant_whose_range_holds_it() {
        let names = [
            "Beglaubigung von bis zu 5 Dokumenten",
            "Beglaubigung von bis zu 20 Dokumenten",
            "Beglaubigung von mehr als 20 Dokumenten",
        ];
        assert_eq!(by_count(&names, "3 Arbeitszeugnisse beglaubigen"), Some(0));
        assert_eq!(
            by_count(&names, "ich muss 12 zeugnisse beglaubigen"),
            Some(1)
        );
        assert_eq!(by_count(&names, "ca 40 dokumente"), Some(2));
        assert_eq!(by_count(&names, "zeugnisse beglaubigen"), None);
        assert_eq!(
            by_count(&["Reisepass", "Vorläufiger Reisepass"], "2 Pässe"),
            None
        );
    }

    #[test]
    fn choices_are_capped() {
        let names = [
            words("beglaub 5 dokument"),
            words("beglaub 20 dokument"),
            words("beglaub mehr 20 dokument"),
            words("beglaub 50 dokument"),
        ];
        assert_eq!(
            refine(&names, &[true; 4], &words("beglaub"), 3),
            Refinement::Clarify(vec![0, 1, 2])
        );
    }

    #[test]
    fn a_country_picks_the_variant_for_its_side() {
        let licences = [
            "Umschreibung EU/EWR-Führerschein",
            "Umschreibung eines ausländischen Führerscheins",
        ];
        assert_eq!(
            by_origin(&licences, "us driver license umschreiben"),
            Some(1)
        );
        assert_eq!(
            by_origin(&licences, "führerschein aus der ukraine"),
            Some(1)
        );
        assert_eq!(
            by_origin(&licences, "österreichischen führerschein"),
            Some(0)
        );
        // An explicit "Nicht-EU" variant wins over one that says nothing.
        let residence = [
            "Aufenthalt EU-Bürger",
            "Aufenthalt",
            "Aufenthalts- und Arbeitserlaubnis – Nicht-EU-Bürger",
        ];
        assert_eq!(by_origin(&residence, "komme aus Serbien"), Some(2));
    }

    #[test]
    fn no_country_or_no_eu_variant_picks_nothing() {
        let licences = [
            "Umschreibung EU/EWR-Führerschein",
            "Umschreibung eines ausländischen Führerscheins",
        ];
        assert_eq!(by_origin(&licences, "führerschein umschreiben"), None);
        // Both sides named.
        assert_eq!(by_origin(&licences, "italienischer und türkischer"), None);
        // Variants that do not set the EU apart.
        let pensions = [
            "Auskunft zur Rente (Vor-Ort-Termin)",
            "Auskunft zur Rente (Telefon-Termin)",
        ];
        assert_eq!(by_origin(&pensions, "ich bin türkin, rente"), None);
        // Two variants that are not for the EU: which one is open.
        let three = ["Aufenthalt EU", "Aufenthalt Studium", "Aufenthalt Arbeit"];
        assert_eq!(by_origin(&three, "aus Indien"), None);
    }

    #[test]
    fn a_qualifier_only_a_lower_variant_has_picks_that_variant() {
        let names = [
            words("umschreib fahrzeug innerhalb munch"),
            words("umschreib fahrzeug ausserhalb munch"),
        ];
        assert_eq!(
            refine(
                &names,
                &[true; 2],
                &words("fahrzeug ummeld ausserhalb munch"),
                3
            ),
            Refinement::Prefer(1)
        );
        // Both qualifiers named: the best stands.
        assert_eq!(
            refine(
                &names,
                &[true; 2],
                &words("innerhalb ausserhalb umschreib"),
                3
            ),
            Refinement::Keep
        );
    }
}
