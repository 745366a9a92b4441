//! Picking one of the choices a "Meinten Sie …?" offered: by number ("2", "die zweite",
//! "Nummer 2"), by title, or by a word only one of the offered titles has ("EU").

use crate::text::normalize_word;

/// Messages longer than this many words are new questions, not picks.
const MAX_PICK_WORDS: usize = 6;

/// Ordinal words, normalised, by the position they name (1-based).
const ORDINALS: &[(usize, &[&str])] = &[
    (
        1,
        &[
            "1", "eins", "erste", "ersten", "erster", "erstes", "oberste", "obere",
        ],
    ),
    (
        2,
        &[
            "2", "zwei", "zweite", "zweiten", "zweiter", "zweites", "mittlere",
        ],
    ),
    (3, &["3", "drei", "dritte", "dritten", "dritter", "drittes"]),
    (4, &["4", "vier", "vierte", "vierten", "vierter", "viertes"]),
    (5, &["5", "funf", "funfte", "funften", "funfter", "funftes"]),
    (
        usize::MAX,
        &[
            "letzte", "letzten", "letzter", "letztes", "untere", "unterste",
        ],
    ),
];

/// The index of the choice `message` picks, if it clearly picks one.
///
/// `titles[i]` are the analysed name words of choice `i`, `words` the analysed words of the
/// message (retrieval analysis, so stop words are gone).
///
/// ```
/// use sophia::dialog::choice::pick;
/// let titles = vec![vec!["umschreib".to_string(), "eu".into(), "ewr".into(), "fuhrerschein".into()],
///                   vec!["umschreib".to_string(), "auslandisch".into(), "fuhrerschein".into()]];
/// assert_eq!(pick("die zweite", &[], &titles), Some(1));
/// assert_eq!(pick("EU", &["eu".to_string()], &titles), Some(0));
/// assert_eq!(pick("Führerschein", &["fuhrerschein".to_string()], &titles), None);
/// ```
pub fn pick(message: &str, words: &[String], titles: &[Vec<String>]) -> Option<usize> {
    let raw: Vec<String> = message
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(normalize_word)
        .collect();
    if raw.is_empty() || raw.len() > MAX_PICK_WORDS || titles.is_empty() {
        return None;
    }
    let ordinals: Vec<usize> = raw
        .iter()
        .filter_map(|w| {
            ORDINALS
                .iter()
                .find(|(_, names)| names.contains(&w.as_str()))
                .map(|(n, _)| *n)
        })
        .collect();
    if let [n] = ordinals.as_slice() {
        let index = if *n == usize::MAX {
            titles.len() - 1
        } else {
            n - 1
        };
        return (index < titles.len()).then_some(index);
    }
    // A word that only one of the offered titles has.
    let has = |title: &[String], word: &str| title.iter().any(|t| same_word(t, word));
    let distinguishing: Vec<usize> = (0..titles.len())
        .filter(|&i| {
            words.iter().any(|w| {
                has(&titles[i], w)
                    && titles
                        .iter()
                        .enumerate()
                        .all(|(j, other)| j == i || !has(other, w))
            })
        })
        .collect();
    match distinguishing.as_slice() {
        [i] => Some(*i),
        _ => None,
    }
}

/// Two analysed words are the same word when equal, or when one begins with the other and
/// the shorter has five letters or more: stems of one word differ in their endings
/// ("verlang" from "verlängern", "verlanger" from "Verlängerung").
fn same_word(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short == long || (short.chars().count() >= 5 && long.starts_with(short))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles() -> Vec<Vec<String>> {
        [["rent", "vor", "ort"], ["rent", "telefon", "termin"]]
            .iter()
            .map(|t| t.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn numbers_and_ordinal_words_pick() {
        for (message, expected) in [
            ("2", Some(1)),
            ("1.", Some(0)),
            ("die zweite", Some(1)),
            ("Nummer 2", Some(1)),
            ("2 bitte", Some(1)),
            ("zwei", Some(1)),
            ("die erste bitte", Some(0)),
            ("die letzte", Some(1)),
        ] {
            assert_eq!(pick(message, &[], &titles()), expected, "{message}");
        }
    }

    #[test]
    fn a_number_beyond_the_choices_picks_nothing() {
        assert_eq!(pick("3", &[], &titles()), None);
    }

    #[test]
    fn a_word_only_one_title_has_picks_it() {
        assert_eq!(
            pick("telefonisch", &["telefon".to_string()], &titles()),
            Some(1)
        );
    }

    #[test]
    fn stems_of_one_word_with_other_endings_pick() {
        let titles: Vec<Vec<String>> = vec![
            vec!["personenbeforderungsschein".into(), "antrag".into()],
            vec!["personenbeforderungsschein".into(), "verlanger".into()],
        ];
        assert_eq!(
            pick("verlängern", &["verlang".to_string()], &titles),
            Some(1)
        );
    }

    #[test]
    fn a_word_all_titles_share_picks_nothing() {
        assert_eq!(pick("rente", &["rent".to_string()], &titles()), None);
    }

    #[test]
    fn a_long_message_is_a_new_question() {
        let message = "ich möchte doch lieber etwas ganz anderes fragen nämlich 2 dinge";
        assert_eq!(pick(message, &[], &titles()), None);
    }
}
