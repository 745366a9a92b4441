//! Verbs of opposite direction: a question to register ("anmelden") is not answered by a
//! service to deregister ("Wohnsitz abmelden"), however many other words they share
//! ("Zweitwohnung übers Internet anmelden").

use super::Hit;

/// Pairs of analysed stems that name opposite acts. A service whose name holds one and not
/// the other is demoted when the question says the other and not the one.
const OPPOSITES: &[(&str, &str)] = &[("anmeld", "abmeld")];

/// The factor on the score of a service named by the opposite act.
pub const OPPOSITE_FACTOR: f32 = 0.5;

/// Demotes the `hits` whose name (`name_terms`: its analysed words with compound parts,
/// [`crate::search::CatalogIndex::name_terms`]) names the opposite of an act the question
/// `said` (its analysed words as typed) names, and ranks them again, best first.
///
/// ```
/// use sophia::search::{demote_opposites, Hit};
/// let hit = |ordinal, score| Hit { ordinal, score, matched: vec![], coverage: 0.5, title_coverage: 0.5 };
/// let mut hits = vec![hit(0, 1.0), hit(1, 0.8)];
/// let names = [vec!["wohnsitz".to_string(), "abmeld".into()],
///              vec!["wohnsitzanmeld".to_string(), "wohnsitz".into(), "anmeld".into()]];
/// demote_opposites(&mut hits, &["zweitwohn".to_string(), "anmeld".into()], |h| &names[h.ordinal]);
/// assert_eq!(hits[0].ordinal, 1);
/// assert_eq!(hits[1].score, 0.5);
/// ```
pub fn demote_opposites<'n>(
    hits: &mut [Hit],
    said: &[String],
    name_terms: impl Fn(&Hit) -> &'n [String],
) {
    let says = |stem: &str| said.iter().any(|w| w == stem);
    let mut demoted = false;
    for hit in hits.iter_mut() {
        let name = name_terms(hit);
        let names = |stem: &str| name.iter().any(|w| w == stem);
        for &(a, b) in OPPOSITES {
            for (asked, opposite) in [(a, b), (b, a)] {
                if says(asked) && !says(opposite) && names(opposite) && !names(asked) {
                    hit.score *= OPPOSITE_FACTOR;
                    demoted = true;
                }
            }
        }
    }
    if demoted {
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.ordinal.cmp(&b.ordinal)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(ordinal: usize, score: f32) -> Hit {
        Hit {
            ordinal,
            score,
            matched: Vec::new(),
            coverage: 0.5,
            title_coverage: 0.5,
        }
    }

    /// Analysed names: "Wohnsitz abmelden", "Wohnsitzanmeldung", "Gewerbe-Ummeldung".
    fn names() -> [Vec<String>; 3] {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        [
            words(&["wohnsitz", "abmeld"]),
            words(&["wohnsitzanmeld", "wohnsitz", "anmeld"]),
            words(&["gewerb", "ummeld"]),
        ]
    }

    fn ranked(said: &[&str]) -> Vec<(usize, f32)> {
        let mut hits = vec![hit(0, 1.0), hit(1, 0.8), hit(2, 0.7)];
        let said: Vec<String> = said.iter().map(|s| s.to_string()).collect();
        let names = names();
        demote_opposites(&mut hits, &said, |h| &names[h.ordinal]);
        hits.iter().map(|h| (h.ordinal, h.score)).collect()
    }

    #[test]
    fn the_opposite_act_is_demoted_both_ways() {
        assert_eq!(ranked(&["anmeld"]), [(1, 0.8), (2, 0.7), (0, 0.5)]);
        // Asked to deregister: the registration is demoted.
        assert_eq!(ranked(&["abmeld"]), [(0, 1.0), (2, 0.7), (1, 0.4)]);
    }

    #[test]
    fn nothing_moves_when_both_or_neither_act_is_said() {
        let unchanged = [(0, 1.0), (1, 0.8), (2, 0.7)];
        assert_eq!(ranked(&["anmeld", "abmeld"]), unchanged);
        assert_eq!(ranked(&["zweitwohn"]), unchanged);
        // A word that only contains a stem is not the act ("voranmeld" is another word).
        assert_eq!(ranked(&["voranmeld"]), unchanged);
    }
}
