//! Situation words: the people around a citizen and when things happen ("Sohn", "Oma",
//! "gestern", "Juli"). They tell whom or when a question is about, not which service: "Was
//! kostet ein Reisepass für meinen Sohn?" asks about the passport.
//!
//! A catalogue rarely holds such words, and a word the catalogue does not know otherwise
//! weighs the most of all (it may name a service the catalogue lacks, "Elterngeld"). For a
//! situation word that would push a plain question under the coverage floors, so retrieval
//! gives an unknown situation word no weight, nor its compound parts or corrections
//! ([`crate::search::CatalogIndex::analyze`]).
//!
//! The list is `situation_de.txt` next to this file; its header says what is left out on
//! purpose.
use std::collections::HashSet;
use std::sync::LazyLock;

use super::normalize::normalize_word;
use super::stem::stem_word;

/// The list as written: one word a line, `#` starts a comment.
const SITUATION_WORDS_DE: &str = include_str!("situation_de.txt");

/// The list, normalised and stemmed at load, as the retrieval analyzer produces its terms.
static SITUATION_WORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    super::list_words(SITUATION_WORDS_DE)
        .map(|word| stem_word(&normalize_word(word)))
        .collect()
});

/// True when the analysed term (normalised and stemmed, as the retrieval analyzer produces
/// it) is a situation word.
///
/// # Example
/// ```rust
/// use sophia::text::{is_situation_word, normalize_word, stem_word};
///
/// let analysed = |word: &str| stem_word(&normalize_word(word));
/// assert!(is_situation_word(&analysed("Sohn")));
/// assert!(is_situation_word(&analysed("Töchter")));
/// assert!(is_situation_word(&analysed("gestern")));
/// assert!(!is_situation_word(&analysed("Reisepass")));
/// assert!(!is_situation_word(&analysed("Geburt")));
/// ```
pub fn is_situation_word(analysed: &str) -> bool {
    SITUATION_WORDS.contains(analysed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{retrieval_analyzer, tokens};

    #[test]
    fn words_are_found_in_the_form_the_retrieval_analyzer_gives_them() {
        let mut analyzer = retrieval_analyzer();
        for word in [
            "Sohn",
            "Tochter",
            "Oma",
            "Schwiegereltern",
            "Montag",
            "Juli",
        ] {
            for spelling in [word.to_string(), word.to_lowercase()] {
                let analysed = tokens(&mut analyzer, &spelling);
                assert!(
                    analysed.first().is_some_and(|t| is_situation_word(t)),
                    "{spelling}: {analysed:?}"
                );
            }
        }
        for umlaut in ["Söhne", "Soehne", "maerz", "März"] {
            let analysed = tokens(&mut analyzer, umlaut);
            assert!(is_situation_word(&analysed[0]), "{umlaut}: {analysed:?}");
        }
    }

    #[test]
    fn words_that_may_name_a_service_are_not_situation_words() {
        let mut analyzer = retrieval_analyzer();
        for word in [
            "Geburt", "Hochzeit", "Witwe", "Erbe", "Betreuer", "Familie", "Ausweis",
        ] {
            let analysed = tokens(&mut analyzer, word);
            assert!(!is_situation_word(&analysed[0]), "{word}: {analysed:?}");
        }
    }
}
