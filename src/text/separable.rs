//! Separable verbs split by the sentence: "ich hole den Pass **ab**", "wo melde ich mich
//! **um**?". The particle closes the clause; joined to a verb before it, it gives the verb the
//! catalogue names ("abholen", "ummelden"). Which joins are real is for the caller to check
//! against the catalogue's vocabulary.

use super::normalize::normalize_word;
use super::tokenizer::words;

/// Particles of separable verbs citizens use with the administration.
const PARTICLES: &[&str] = &[
    "ab", "an", "auf", "aus", "ein", "mit", "nach", "vor", "weg", "zuruck", "um", "fest", "her",
    "hin", "los", "zu",
];

/// Per separated particle of `message`: the index of each earlier word of the same clause
/// and the particle, normalised ("hol" … "ab" gives `(1, "ab")` for the second word). A
/// particle counts when it ends a clause: the message's end or a punctuation mark follows.
///
/// ```
/// use sophia::text::separated_particles;
/// let found = separated_particles("wo hol ich meinen pass ab?");
/// assert_eq!(found, [(0, "ab".to_string()), (1, "ab".to_string()), (2, "ab".to_string()), (3, "ab".to_string()), (4, "ab".to_string())]);
/// assert!(separated_particles("ab wann kann ich den pass abholen").is_empty());
/// ```
pub fn separated_particles(message: &str) -> Vec<(usize, String)> {
    let found: Vec<(usize, &str)> = words(message).collect();
    let mut clause_start = 0;
    let mut out = Vec::new();
    for (i, &(offset, word)) in found.iter().enumerate() {
        let after = message[offset + word.len()..].trim_start();
        let next = found.get(i + 1).map(|&(o, _)| o);
        // The clause ends when punctuation follows before the next word, or at the end.
        let between = match next {
            Some(o) => &message[offset + word.len()..o],
            None => after,
        };
        let ends_clause = next.is_none()
            || between
                .chars()
                .any(|c| matches!(c, '.' | ',' | '?' | '!' | ';'));
        let normalized = normalize_word(word);
        if ends_clause && i > clause_start && PARTICLES.contains(&normalized.as_str()) {
            out.extend((clause_start..i).map(|verb| (verb, normalized.clone())));
        }
        if ends_clause {
            clause_start = i + 1;
        }
    }
    out
}

/// The stems a verb form may stand for, the most likely first: without a personal ending
/// the stemmer keeps (-est, -et, -st, -t), then as it is.
///
/// ```
/// use sophia::text::verb_stems;
/// assert_eq!(verb_stems("meldet").collect::<Vec<_>>(), ["meld", "meldet"]);
/// assert_eq!(verb_stems("hol").collect::<Vec<_>>(), ["hol"]);
/// ```
pub fn verb_stems(stem: &str) -> impl Iterator<Item = &str> {
    let stripped = ["est", "et", "st", "t"]
        .iter()
        .find_map(|ending| stem.strip_suffix(ending))
        .filter(|rest| rest.chars().count() >= 3);
    stripped.into_iter().chain(std::iter::once(stem))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verbs(message: &str) -> Vec<usize> {
        separated_particles(message)
            .into_iter()
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn a_particle_at_the_end_of_a_clause_is_found_with_the_words_before_it() {
        assert_eq!(verbs("ich melde mich um"), [0, 1, 2]);
        assert_eq!(verbs("ich melde mich um, was kostet das"), [0, 1, 2]);
        assert_eq!(
            separated_particles("Wann hole ich den Führerschein ab?")
                .iter()
                .map(|(_, p)| p.as_str())
                .collect::<Vec<_>>(),
            ["ab"; 5]
        );
    }

    #[test]
    fn a_particle_inside_a_clause_or_alone_is_no_separated_verb() {
        assert!(separated_particles("ab wann gilt das").is_empty());
        assert!(separated_particles("termin um 10 uhr bitte").is_empty());
        assert!(separated_particles("ab").is_empty());
        assert!(separated_particles("").is_empty());
    }

    #[test]
    fn only_the_clause_of_the_particle_counts() {
        // "um" closes the second clause only.
        assert_eq!(
            verbs("ich bin umgezogen, wo melde ich mich um"),
            [3, 4, 5, 6]
        );
    }
}
