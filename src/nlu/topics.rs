//! Administrative topics a catalogue may lack: "Elterngeld beantragen" in a city's catalogue
//! that has no Elterngeld must get an honest "not here", not "Geburt im Bundesgebiet"
//! because both are about babies.
//!
//! The topics are data (`topics.txt` beside this file): names of services citizens ask about
//! all over Germany, each with the authority that usually handles it. Whether a catalogue
//! offers a topic is decided by the catalogue alone ([`Topics::lacking_in`]: no service name
//! or keyword holds any of its spellings), never by this list; a topic the catalogue names
//! is left to the search.

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use crate::text::{is_stop_word, normalize_word, stem_word, words};

const SHIPPED_TOPICS: &str = include_str!("topics.txt");

/// Spellings this long also match the longer words they start or end.
const AFFIX_LEN: usize = 5;

/// One administrative topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    /// Its name in answers ("Elterngeld").
    pub name: String,
    /// Who usually handles it ("die Elterngeldstelle Ihres Bundeslandes").
    pub hint: Option<String>,
}

/// One spelling of a topic, normalised and written as one word.
#[derive(Debug, Clone)]
struct Spelling {
    topic: usize,
    /// Normalised, its words joined ("steuerid").
    text: String,
    /// Matches only the words it starts, not those it ends (`=` in the file).
    starts_only: bool,
}

impl Spelling {
    fn is_short(&self) -> bool {
        self.text.len() < AFFIX_LEN
    }
}

/// How a message word holds a spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    /// The word is the spelling, or starts with it ("Kindergeldantrag").
    Start,
    /// The word ends with it ("Landeskindergeld").
    End,
}

/// The administrative topics, with what finds them in a message.
#[derive(Debug, Clone)]
pub struct Topics {
    topics: Vec<Topic>,
    spellings: Vec<Spelling>,
    /// Spellings by their first [`AFFIX_LEN`] bytes; short ones by their whole text.
    by_start: HashMap<Vec<u8>, Vec<usize>>,
    /// Spellings that may end a word, by their last [`AFFIX_LEN`] bytes.
    by_end: HashMap<Vec<u8>, Vec<usize>>,
    /// The long spellings (indices into `spellings`), and an automaton finding them
    /// anywhere in a text, in that order: built once, used for every region's names.
    long: Vec<usize>,
    automaton: AhoCorasick,
}

/// A topic named in a message, with the words that name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    /// Index into [`Topics::topic`].
    pub topic: usize,
    /// The first message word of the match (index into the message's words).
    pub first_word: usize,
    /// How many words the match spans (1 or 2).
    pub word_count: usize,
}

/// Which topics a catalogue lacks: built once per catalogue by [`Topics::lacking_in`].
#[derive(Debug, Clone, Default)]
pub struct Lacking {
    lacking: Vec<bool>,
}

impl Lacking {
    /// Lacking nothing: every topic is left to the search.
    pub const fn none() -> Lacking {
        Lacking {
            lacking: Vec::new(),
        }
    }

    /// True when the catalogue names topic `topic` nowhere.
    pub fn lacks(&self, topic: usize) -> bool {
        self.lacking.get(topic).copied().unwrap_or(false)
    }

    /// How many topics the catalogue lacks.
    pub fn count(&self) -> usize {
        self.lacking.iter().filter(|&&l| l).count()
    }
}

static SHIPPED: LazyLock<Topics> =
    LazyLock::new(|| Topics::parse(SHIPPED_TOPICS).unwrap_or_else(|e| panic!("topics.txt: {e}")));

impl Topics {
    /// The shipped topics (`src/nlu/topics.txt`).
    ///
    /// ```
    /// let topics = sophia::nlu::Topics::shipped();
    /// let named = topics.named("Wie beantrage ich Elterngeld?");
    /// assert_eq!(topics.topic(named[0].topic).name, "Elterngeld");
    /// ```
    pub fn shipped() -> &'static Topics {
        &SHIPPED
    }

    /// Parses `spelling, spelling | hint` lines; `#` starts a comment.
    pub fn parse(text: &str) -> Result<Topics, String> {
        let mut topics = Vec::new();
        let mut spellings: Vec<Spelling> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (list, hint) = match line.split_once('|') {
                Some((list, hint)) => (list, Some(hint.trim())),
                None => (line, None),
            };
            if hint.is_some_and(str::is_empty) {
                return Err(format!("line {}: empty hint after `|`", i + 1));
            }
            let topic = topics.len();
            let mut name = None;
            for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let (starts_only, spelled) = match raw.strip_prefix('=') {
                    Some(rest) => (true, rest.trim()),
                    None => (false, raw),
                };
                let joined: String = words(spelled).map(|(_, w)| normalize_word(w)).collect();
                let word_count = words(spelled).count();
                if joined.is_empty() || word_count > 2 {
                    return Err(format!("line {}: {raw:?} must be one or two words", i + 1));
                }
                if let Some(before) = seen.insert(joined.clone(), i + 1) {
                    return Err(format!(
                        "line {}: {raw:?} is already a spelling on line {before}",
                        i + 1
                    ));
                }
                name.get_or_insert_with(|| spelled.to_string());
                spellings.push(Spelling {
                    topic,
                    text: joined,
                    starts_only,
                });
            }
            let Some(name) = name else {
                return Err(format!("line {}: no spelling before `|`", i + 1));
            };
            topics.push(Topic {
                name,
                hint: hint.map(str::to_string),
            });
        }
        let mut by_start: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        let mut by_end: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        for (s, spelling) in spellings.iter().enumerate() {
            let bytes = spelling.text.as_bytes();
            if spelling.is_short() {
                by_start.entry(bytes.to_vec()).or_default().push(s);
                continue;
            }
            by_start
                .entry(bytes[..AFFIX_LEN].to_vec())
                .or_default()
                .push(s);
            if !spelling.starts_only {
                let end = &bytes[bytes.len() - AFFIX_LEN..];
                by_end.entry(end.to_vec()).or_default().push(s);
            }
        }
        let long: Vec<usize> = (0..spellings.len())
            .filter(|&s| !spellings[s].is_short())
            .collect();
        // A DFA: the automaton scans every service name and keyword of a national catalogue
        // at start, and the default picks a slower NFA from a few hundred spellings on.
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .build(long.iter().map(|&s| &spellings[s].text))
            .map_err(|e| format!("the spellings make no automaton: {e}"))?;
        Ok(Topics {
            topics,
            spellings,
            by_start,
            by_end,
            long,
            automaton,
        })
    }

    /// Topic number `index`.
    ///
    /// # Panics
    /// When `index` is not a topic's (indices come from [`Topics::named`]).
    pub fn topic(&self, index: usize) -> &Topic {
        &self.topics[index]
    }

    /// How many topics there are.
    pub fn len(&self) -> usize {
        self.topics.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }

    /// The topics `message` names, in message order, each once. Where one word holds two
    /// topics, the one it starts with wins ("Grundsteuerbescheid" is about Grundsteuer,
    /// not Steuerbescheid).
    ///
    /// ```
    /// let topics = sophia::nlu::Topics::shipped();
    /// let names = |m: &str| -> Vec<String> {
    ///     topics.named(m).iter().map(|n| topics.topic(n.topic).name.clone()).collect()
    /// };
    /// assert_eq!(names("mein Grundsteuerbescheid ist falsch"), ["Grundsteuer"]);
    /// assert_eq!(names("wo finde ich meine Steuer-ID"), ["Steuer ID"]);
    /// ```
    pub fn named(&self, message: &str) -> Vec<Named> {
        let normalized: Vec<String> = words(message).map(|(_, w)| normalize_word(w)).collect();
        let mut out: Vec<Named> = Vec::new();
        let mut covered_to = 0;
        for first in 0..normalized.len() {
            if first < covered_to {
                continue;
            }
            let mut best: Option<(Fit, usize, usize)> = None;
            let single = normalized[first].as_str();
            let pair = normalized
                .get(first + 1)
                .map(|next| format!("{single}{next}"));
            let candidates = std::iter::once((single, 1)).chain(pair.as_deref().map(|p| (p, 2)));
            for (word, word_count) in candidates {
                for (fit, s) in self.fits(word) {
                    // A two-word match must span both words: otherwise it is one word's
                    // own match.
                    let len = self.spellings[s].text.len();
                    if word_count == 2 && (len <= single.len() || len <= word.len() - single.len())
                    {
                        continue;
                    }
                    let better = best.is_none_or(|(f, n, _)| (fit, word_count) < (f, n));
                    if better {
                        best = Some((fit, word_count, self.spellings[s].topic));
                    }
                }
            }
            if let Some((_, word_count, topic)) = best {
                covered_to = first + word_count;
                if out.iter().all(|n| n.topic != topic) {
                    out.push(Named {
                        topic,
                        first_word: first,
                        word_count,
                    });
                }
            }
        }
        out
    }

    /// The short spellings (under [`AFFIX_LEN`] bytes) that `word` (normalised) is.
    fn short_spellings<'s>(&'s self, word: &str) -> impl Iterator<Item = usize> + 's {
        self.by_start
            .get(word.as_bytes())
            .into_iter()
            .flatten()
            .copied()
            .filter(|&s| self.spellings[s].is_short())
    }

    /// The spellings `word` (normalised) holds, with how.
    fn fits<'s>(&'s self, word: &'s str) -> impl Iterator<Item = (Fit, usize)> + 's {
        let bytes = word.as_bytes();
        let exact = self.short_spellings(word).map(|s| (Fit::Start, s));
        let starts = (bytes.len() >= AFFIX_LEN)
            .then(|| self.by_start.get(&bytes[..AFFIX_LEN]))
            .flatten()
            .into_iter()
            .flatten()
            .filter(move |&&s| {
                let spelling = &self.spellings[s];
                !spelling.is_short() && bytes.starts_with(spelling.text.as_bytes())
            })
            .map(|&s| (Fit::Start, s));
        let ends = (bytes.len() >= AFFIX_LEN)
            .then(|| self.by_end.get(&bytes[bytes.len() - AFFIX_LEN..]))
            .flatten()
            .into_iter()
            .flatten()
            .filter(move |&&s| bytes.ends_with(self.spellings[s].text.as_bytes()))
            .map(|&s| (Fit::End, s));
        exact.chain(starts).chain(ends)
    }

    /// Which topics none of `names` (service names and keywords) holds in any spelling: a
    /// long spelling anywhere inside a word or two adjacent words ("Kfz-Steuerbefreiung"
    /// holds "Kfz Steuer"), a short one as a whole word, a `=` one at a word's start.
    ///
    /// ```
    /// let topics = sophia::nlu::Topics::shipped();
    /// let lacking = topics.lacking_in(["Kindergeld beantragen", "Reisepass"].into_iter());
    /// let kindergeld = topics.named("Kindergeld")[0].topic;
    /// let elterngeld = topics.named("Elterngeld")[0].topic;
    /// assert!(!lacking.lacks(kindergeld));
    /// assert!(lacking.lacks(elterngeld));
    /// ```
    pub fn lacking_in<'a>(&self, names: impl Iterator<Item = &'a str>) -> Lacking {
        let mut named = vec![false; self.topics.len()];
        let mut pieces = String::new();
        for name in names {
            let normalized: Vec<String> = words(name).map(|(_, w)| normalize_word(w)).collect();
            pieces.clear();
            for (i, word) in normalized.iter().enumerate() {
                for s in self.short_spellings(word) {
                    named[self.spellings[s].topic] = true;
                }
                pieces.push_str(word);
                if let Some(next) = normalized.get(i + 1) {
                    pieces.push_str(next);
                }
                pieces.push('\n');
            }
            for found in self.automaton.find_overlapping_iter(&pieces) {
                let spelling = &self.spellings[self.long[found.pattern().as_usize()]];
                let at_start = found.start() == 0 || pieces.as_bytes()[found.start() - 1] == b'\n';
                if !spelling.starts_only || at_start {
                    named[spelling.topic] = true;
                }
            }
        }
        Lacking {
            lacking: named.into_iter().map(|n| !n).collect(),
        }
    }

    /// The topic of `message` that an answer with the service `service_name` would leave
    /// unanswered: of the topics `named` in it ([`Topics::named`]), one the catalogue lacks,
    /// when the message's other words do not name
    /// every word of the service's name ("Haushaltsbescheinigung für das Kindergeld" is
    /// about the Haushaltsbescheinigung; "Kindergeldantrag für unser zweites Kind" is not
    /// about "Zweitpass, weitere Reisepässe") and the editors' question that matched the
    /// service (`question`, from its pack) does not name the topic either.
    ///
    /// ```
    /// let topics = sophia::nlu::Topics::shipped();
    /// let lacking = topics.lacking_in(["Haushaltsbescheinigung", "Zweitpass"].into_iter());
    /// let unanswered = |m: &str, name: &str| {
    ///     topics.unanswered(m, &topics.named(m), &lacking, name, None).map(|t| t.name.as_str())
    /// };
    /// assert_eq!(unanswered("Kindergeldantrag für unser zweites Kind", "Zweitpass"),
    ///            Some("Kindergeld"));
    /// assert_eq!(unanswered("Haushaltsbescheinigung für das Kindergeld",
    ///                       "Haushaltsbescheinigung"), None);
    /// // The pack question that matched names the topic: the editors say it fits.
    /// let question = Some("Haushaltsbescheinigung für das Kindergeld bestätigen lassen");
    /// let message = "Haushaltsbestätigung fürs Kindergeld";
    /// assert!(topics
    ///     .unanswered(message, &topics.named(message), &lacking,
    ///                 "Haushaltsbescheinigung", question)
    ///     .is_none());
    /// ```
    pub fn unanswered(
        &self,
        message: &str,
        named: &[Named],
        lacking: &Lacking,
        service_name: &str,
        question: Option<&str>,
    ) -> Option<&Topic> {
        let missing = named.iter().find(|n| lacking.lacks(n.topic))?;
        if question.is_some_and(|q| self.named(q).iter().any(|n| n.topic == missing.topic)) {
            return None;
        }
        let own_words: Vec<String> = words(message)
            .enumerate()
            .filter(|(i, _)| {
                !named
                    .iter()
                    .any(|n| (n.first_word..n.first_word + n.word_count).contains(i))
            })
            .filter_map(|(_, (_, w))| content_stem(w))
            .collect();
        let mut name_words = words(service_name)
            .filter_map(|(_, w)| content_stem(w))
            .peekable();
        name_words.peek()?;
        let fully_named = name_words.all(|w| own_words.contains(&w));
        (!fully_named).then(|| self.topic(missing.topic))
    }
}

/// The stem of a word that carries content: no stop word, no number, three letters or more.
fn content_stem(word: &str) -> Option<String> {
    let normalized = normalize_word(word);
    let letters = normalized.chars().filter(|c| c.is_alphabetic()).count();
    (letters >= 3 && !is_stop_word(&normalized)).then(|| stem_word(&normalized))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(topics: &Topics, message: &str) -> Vec<String> {
        topics
            .named(message)
            .iter()
            .map(|n| topics.topic(n.topic).name.clone())
            .collect()
    }

    #[test]
    fn shipped_list_parses_and_is_large() {
        let topics = Topics::shipped();
        assert!(topics.len() >= 60, "{} topics", topics.len());
        assert!(topics.topics.iter().all(|t| t.hint.is_some()));
    }

    #[test]
    fn finds_topics_in_inflected_and_compound_words() {
        let topics = Topics::shipped();
        assert_eq!(
            names(topics, "wie beantrage ich elterngeld fuer mein baby"),
            ["Elterngeld"]
        );
        assert_eq!(
            names(topics, "Kindergeldantrag für unser zweites Kind"),
            ["Kindergeld"]
        );
        assert_eq!(
            names(topics, "bekomme ich als student Wohngeld?"),
            ["Wohngeld"]
        );
        assert_eq!(
            names(topics, "Steuerklassenwechsel nach der Hochzeit"),
            ["Steuerklasse"]
        );
        assert_eq!(names(topics, "BAFÖG-Antrag"), ["Bafög"]);
        assert_eq!(names(topics, "Landeskindergeld"), ["Kindergeld"]);
    }

    #[test]
    fn two_word_spellings_match_apart_hyphenated_and_joined() {
        let topics = Topics::shipped();
        for message in [
            "Steuer ID verloren",
            "Steuer-ID verloren",
            "SteuerID verloren",
        ] {
            assert_eq!(names(topics, message), ["Steuer ID"], "{message}");
        }
        assert_eq!(names(topics, "kfz steuer zahlen"), ["Kfz Steuer"]);
        // The second word alone is no match.
        assert!(names(topics, "die ID-Karte").is_empty());
    }

    #[test]
    fn a_compound_is_about_the_topic_it_starts_with() {
        let topics = Topics::shipped();
        assert_eq!(names(topics, "Grundsteuerbescheid"), ["Grundsteuer"]);
        assert_eq!(names(topics, "Steuerbescheid"), ["Steuerbescheid"]);
    }

    #[test]
    fn short_and_starts_only_spellings_do_not_match_inside_words() {
        let topics = Topics::shipped();
        assert!(names(topics, "mein Algebra-Buch").is_empty());
        assert!(names(topics, "der Gezeitenkalender").is_empty());
        assert_eq!(names(topics, "GEZ abmelden"), ["Rundfunkbeitrag"]);
        let marked = Topics::parse("=Scheidung | Familiengericht").unwrap();
        assert!(names(&marked, "Entscheidung über den Antrag").is_empty());
        assert_eq!(names(&marked, "Scheidung einreichen"), ["Scheidung"]);
        assert_eq!(names(&marked, "Scheidungsantrag"), ["Scheidung"]);
        assert_eq!(names(topics, "WBS beantragen"), ["Wohnberechtigungsschein"]);
    }

    #[test]
    fn a_topic_is_named_once() {
        let topics = Topics::shipped();
        assert_eq!(
            names(topics, "Kindergeld, Kindergeld, Kindergeld"),
            ["Kindergeld"]
        );
        assert_eq!(
            names(topics, "Wohngeld oder Bürgergeld?"),
            ["Wohngeld", "Bürgergeld"]
        );
    }

    #[test]
    fn a_catalogue_names_a_topic_inside_its_names_and_keywords() {
        let topics = Topics::shipped();
        let topic = |m: &str| topics.named(m)[0].topic;
        let lacking = topics.lacking_in(
            [
                "Antrag auf Kfz-Steuerbefreiung",
                "Hundesteuer; Hund anmelden",
                "Algorithmen",
            ]
            .into_iter(),
        );
        assert!(!lacking.lacks(topic("Kfz-Steuer")));
        assert!(!lacking.lacks(topic("Hundesteuer")));
        assert!(lacking.lacks(topic("ALG")), "Algorithmen hold no ALG");
        assert!(lacking.lacks(topic("Elterngeld")));
        assert_eq!(lacking.count(), topics.len() - 2);
        let marked = Topics::parse("=Scheidung | Familiengericht").unwrap();
        let names = ["Entscheidung über Widersprüche"].into_iter();
        assert!(
            marked.lacking_in(names).lacks(0),
            "Entscheidung is no Scheidung"
        );
        assert!(!marked.lacking_in(["Scheidungsfolgen"].into_iter()).lacks(0));
    }

    #[test]
    fn a_service_named_by_the_other_words_answers_despite_the_topic() {
        let topics = Topics::shipped();
        let lacking = topics.lacking_in(["Geburtsurkunde"].into_iter());
        let unanswered_for = |m: &str, lacking: &Lacking, name: &str, question| {
            topics.unanswered(m, &topics.named(m), lacking, name, question)
        };
        let unanswered = |m: &str, name: &str| unanswered_for(m, &lacking, name, None).is_some();
        assert!(!unanswered(
            "Geburtsurkunde für das Elterngeld",
            "Geburtsurkunde"
        ));
        assert!(unanswered(
            "Elterngeld für mein Baby",
            "Geburt im Bundesgebiet"
        ));
        // Half the name is not enough.
        assert!(unanswered(
            "Widerspruch gegen den Grundsteuerbescheid",
            "Widerspruch gegen die Rente"
        ));
        // Without a lacking topic nothing is unanswered.
        assert!(!unanswered(
            "Geburtsurkunde beantragen",
            "Geburt im Bundesgebiet"
        ));
        let none = topics.lacking_in(["Elterngeld"].into_iter());
        assert!(unanswered_for("Elterngeld beantragen", &none, "Elterngeld", None).is_none());
        // A pack question that names another topic does not help.
        let question = Some("Geburtsurkunde für das Kindergeld");
        let baby = unanswered_for(
            "Elterngeld für mein Baby",
            &lacking,
            "Geburt im Bundesgebiet",
            question,
        );
        assert!(baby.is_some());
    }

    #[test]
    fn parse_errors_name_the_line() {
        let err = Topics::parse("Kindergeld | Familienkasse\nKindergeld | Amt").unwrap_err();
        assert!(err.contains("line 2") && err.contains("line 1"), "{err}");
        let err = Topics::parse("# c\n| nur ein Hinweis").unwrap_err();
        assert!(err.starts_with("line 2: no spelling"), "{err}");
        let err = Topics::parse("Hilfe zum Lebensunterhalt").unwrap_err();
        assert!(err.contains("one or two words"), "{err}");
        let err = Topics::parse("Wohngeld |  ").unwrap_err();
        assert!(err.contains("empty hint"), "{err}");
    }
}
