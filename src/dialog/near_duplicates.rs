//! Near-duplicate services: the same service in variants that differ by a qualifier
//! ("Beglaubigung von bis zu 5 / bis zu 20 Dokumenten", "Auskunft zur Rente (Vor-Ort-Termin)
//! / (Telefon-Termin)", "Niederlassungserlaubnis" / "… für Familienangehörige").
//!
//! When the question names no qualifier, guessing one variant is a coin toss: variants that
//! each have their own qualifier are offered as a choice, and a specific variant whose
//! qualifier the question does not name gives way to the general one.

use std::collections::HashSet;

/// What to do about near-duplicates of the best hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refinement {
    /// The best hit stands.
    Keep,
    /// Answer with this hit instead (the general variant of a specific best hit).
    Prefer(usize),
    /// Offer these hits (best first) as choices.
    Clarify(Vec<usize>),
}

/// Two names are variants of one service when most words of the shorter one are in the
/// other.
const MIN_OVERLAP: f32 = 0.6;

/// Looks at the hits after the best one (`names[i]` are the analysed name words of hit
/// `i`, `query` the analysed words of the question) and decides whether the best hit should
/// stand.
///
/// ```
/// use sophia::dialog::near_duplicates::{refine, Refinement};
/// let names = vec![
///     vec!["beglaub".to_string(), "5".into(), "dokument".into()],
///     vec!["beglaub".to_string(), "20".into(), "dokument".into()],
/// ];
/// let query = ["zeugnis".to_string(), "beglaub".into()];
/// assert_eq!(refine(&names, &query, 3), Refinement::Clarify(vec![0, 1]));
/// let query = ["beglaub".to_string(), "5".into()];
/// assert_eq!(refine(&names, &query, 3), Refinement::Keep);
/// ```
pub fn refine(names: &[Vec<String>], query: &[String], max_choices: usize) -> Refinement {
    let Some(best) = names.first() else {
        return Refinement::Keep;
    };
    let best: HashSet<&String> = best.iter().collect();
    let query: HashSet<&String> = query.iter().collect();
    let mut choices = vec![0];
    for (i, name) in names.iter().enumerate().skip(1) {
        let other: HashSet<&String> = name.iter().collect();
        let shared = best.intersection(&other).count();
        let smaller = best.len().min(other.len());
        if smaller == 0 || (shared as f32) < MIN_OVERLAP * smaller as f32 {
            continue;
        }
        let own_best: Vec<&&String> = best.difference(&other).collect();
        let own_other: Vec<&&String> = other.difference(&best).collect();
        let names_best = own_best.iter().any(|t| query.contains(**t));
        let names_other = own_other.iter().any(|t| query.contains(**t));
        if names_best || names_other {
            continue;
        }
        match (own_best.is_empty(), own_other.is_empty()) {
            // The best hit is the general variant: it stands.
            (true, _) => {}
            // The best hit is a specific variant the question does not ask for.
            (false, true) => return Refinement::Prefer(i),
            (false, false) => choices.push(i),
        }
    }
    if choices.len() > 1 {
        choices.truncate(max_choices);
        Refinement::Clarify(choices)
    } else {
        Refinement::Keep
    }
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
            refine(&names, &words("rentenberat rent"), 3),
            Refinement::Clarify(vec![0, 1])
        );
    }

    #[test]
    fn a_named_qualifier_decides() {
        let names = [
            words("auskunft rent vor ort termin"),
            words("auskunft rent telefon termin"),
        ];
        assert_eq!(refine(&names, &words("rent telefon"), 3), Refinement::Keep);
    }

    #[test]
    fn a_specific_variant_gives_way_to_the_general_one() {
        let names = [
            words("niederlassungserlaubnis famili angehor deutsch"),
            words("niederlassungserlaubnis"),
        ];
        assert_eq!(
            refine(&names, &words("niederlassungserlaubnis"), 3),
            Refinement::Prefer(1)
        );
        assert_eq!(
            refine(&names, &words("niederlassungserlaubnis famili"), 3),
            Refinement::Keep
        );
    }

    #[test]
    fn the_general_variant_stands() {
        let names = [words("wohnsitzanmeld"), words("wohnsitzanmeld famili")];
        assert_eq!(refine(&names, &words("ummeld"), 3), Refinement::Keep);
    }

    #[test]
    fn unrelated_services_are_not_variants() {
        let names = [words("personalausweis"), words("reisepass")];
        assert_eq!(refine(&names, &words("ausweis"), 3), Refinement::Keep);
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
            refine(&names, &words("beglaub"), 3),
            Refinement::Clarify(vec![0, 1, 2])
        );
    }
}
