//! Verbs of opposite direction: a question to register ("anmelden") is not answered by a
//! service to deregister ("Wohnsitz abmelden"), however many other words they share
//! ("Zweitwohnung übers Internet anmelden").

use super::Hit;

/// Pairs of analysed stems that name opposite acts. A service whose name holds one and not
/// the other is demoted when the question says the other and not the one.
const OPPOSITES: &[(&str, &str)] = &[("anmeld", "abmeld")];

/// The factor on the score of a service named by the opposite act.
pub const OPPOSITE_FACTOR: f32 = 0.5;

/// Demotes the `hits` whose name (`name_of`, normalised) names the opposite of an act the
/// question `said` (its analysed words as typed) names, and ranks them again, best first.
///
/// ```
/// use sophia::search::{demote_opposites, Hit};
/// let hit = |ordinal, score| Hit { ordinal, score, matched: vec![], coverage: 0.5, title_coverage: 0.5 };
/// let mut hits = vec![hit(0, 1.0), hit(1, 0.8)];
/// let names = ["wohnsitz abmelden", "wohnsitzanmeldung"];
/// demote_opposites(&mut hits, &["zweitwohn".to_string(), "anmeld".into()], |h| names[h.ordinal].to_string());
/// assert_eq!(hits[0].ordinal, 1);
/// assert_eq!(hits[1].score, 0.5);
/// ```
pub fn demote_opposites(hits: &mut [Hit], said: &[String], name_of: impl Fn(&Hit) -> String) {
    let says = |stem: &str| said.iter().any(|w| w == stem);
    let mut demoted = false;
    for hit in hits.iter_mut() {
        let name = name_of(hit);
        for &(a, b) in OPPOSITES {
            for (asked, opposite) in [(a, b), (b, a)] {
                if says(asked)
                    && !says(opposite)
                    && name.contains(opposite)
                    && !name.contains(asked)
                {
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

    const NAMES: [&str; 3] = [
        "wohnsitz abmelden",
        "wohnsitzanmeldung",
        "gewerbe-ummeldung",
    ];

    fn ranked(said: &[&str]) -> Vec<(usize, f32)> {
        let mut hits = vec![hit(0, 1.0), hit(1, 0.8), hit(2, 0.7)];
        let said: Vec<String> = said.iter().map(|s| s.to_string()).collect();
        demote_opposites(&mut hits, &said, |h| NAMES[h.ordinal].to_string());
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
        // A word that only contains a stem is not the act ("anmeldung" analysed is
        // "anmeld", but "voranmeld" is another word).
        assert_eq!(ranked(&["voranmeld"]), unchanged);
    }
}
