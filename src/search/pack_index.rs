//! The index over the questions of content packs: the small layer beside the catalogue.
//!
//! Pack questions are short and each stands for one target, a custom answer or a catalogue
//! service. A message matches a question by how much of the message the question covers
//! (recall) and how much of the question the message covers (precision), each word weighted
//! by its rarity among the targets. Built in milliseconds, so editing a pack never rebuilds
//! the catalogue index.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use tantivy::tokenizer::TextAnalyzer;

use super::query::{AnalyzedQuery, TermOrigin, parts_credit};
use crate::text::{self, Synonyms};

/// Credit of a word met only through compound parts ("reisen ... Pass" for "Reisepass"):
/// related words, not the same one.
const PART_CREDIT: f32 = 0.5;
/// A word in more than one in this many pack questions ("beantragen", "kostet") does not
/// make a question a candidate when the message has a rarer word.
const COMMON_SHARE: usize = 20;
/// An unknown word of at least this many letters (analysed) is taken for the topic of the
/// message, not for filler or a typo: typos this long are corrected before.
const TOPIC_WORD_LEN: usize = 8;

/// [`PackIndex::matches`]' mark of a term the message holds as a whole word, a synonym or
/// a correction.
const WHOLE: u8 = 1;
/// Its mark of a term the message holds as a compound part.
const PART: u8 = 2;

/// The id of a term in a [`PackIndex`]: the questions' terms are interned, so matching a
/// message compares numbers, not strings.
type TermId = u32;

/// What a pack question stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(tag = "type", content = "index", rename_all = "lowercase")]
pub enum Target {
    /// A custom answer, by its position in the snapshot's list of answers.
    Answer(usize),
    /// A catalogue service, by its position in the catalogue.
    Service(usize),
}

/// One analysed word of a pack question: its own term, its compound parts, and the
/// alternatives the synonym rules give for it ("pass" also stands for "reisepass").
#[derive(Debug, Clone)]
struct QuestionWord {
    own: TermId,
    parts: Vec<TermId>,
    alternatives: Vec<TermId>,
    weight: f32,
}

#[derive(Debug, Clone)]
struct Question {
    target: Target,
    text: String,
    words: Vec<QuestionWord>,
    /// Every term of the question (own, parts, alternatives), sorted, each once.
    holds: Vec<TermId>,
    total: f32,
}

impl Question {
    fn holds(&self, term: TermId) -> bool {
        self.holds.binary_search(&term).is_ok()
    }

    /// Share of the question's (weighted) words the message holds; `marks` says per term id
    /// what the message holds of it ([`WHOLE`], [`PART`]).
    fn precision(&self, marks: &[u8]) -> f32 {
        if self.total <= 0.0 {
            return 0.0;
        }
        let whole = |t: &TermId| marks[*t as usize] & WHOLE != 0;
        let covered: f32 = self
            .words
            .iter()
            .map(|w| {
                if whole(&w.own) || w.alternatives.iter().any(whole) {
                    w.weight
                } else if std::iter::once(&w.own)
                    .chain(&w.parts)
                    .any(|&t| marks[t as usize] != 0)
                {
                    w.weight * PART_CREDIT
                } else {
                    0.0
                }
            })
            .sum();
        covered / self.total
    }
}

/// A word of the message as [`PackIndex::matches`] weighs it: its terms as ids (terms no
/// question holds have none), split by how they came from the word.
struct MessageWord {
    weight: f32,
    /// The word itself, its synonyms and corrections.
    whole: Vec<TermId>,
    /// The head part of a compound, when a question holds it.
    head: Vec<TermId>,
    /// The other parts a question holds.
    modifiers: Vec<TermId>,
    /// The other parts, also those no question holds.
    modifier_count: usize,
    has_parts: bool,
}

impl MessageWord {
    /// How well `question` covers the word (`whole_held`: whether it holds one of the
    /// word's [`whole`](Self::whole) terms): fully through the word itself, a synonym or a
    /// correction; through compound parts at most [`PART_CREDIT`].
    fn covered(&self, question: &Question, whole_held: bool) -> f32 {
        if whole_held {
            return 1.0;
        }
        if !self.has_parts {
            return 0.0;
        }
        let head = self.head.iter().any(|&t| question.holds(t));
        let found = self
            .modifiers
            .iter()
            .filter(|&&t| question.holds(t))
            .count();
        PART_CREDIT * parts_credit(head, self.modifier_count, found)
    }
}

/// A candidate question's score in [`PackIndex::matches`].
struct Scored {
    target: Target,
    position: usize,
    recall: f32,
    precision: f32,
    similarity: f32,
}

/// A pack question matching a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackHit {
    /// What the question stands for.
    pub target: Target,
    /// The question as the editors wrote it.
    pub question: String,
    /// Share of the message's (weighted) words the question holds.
    pub recall: f32,
    /// Share of the question's (weighted) words the message holds.
    pub precision: f32,
    /// Both together, between 0 and 1: how well the question matches the message.
    pub similarity: f32,
}

/// The questions of the packs a tenant uses, analysed and indexed by term.
///
/// ```
/// use sophia::search::{PackIndex, Target};
/// let analyzer = sophia::text::retrieval_analyzer();
/// let index = PackIndex::build(
///     [(Target::Answer(0), "Wann hat der Wertstoffhof offen?"),
///      (Target::Answer(1), "Wie melde ich Sperrmüll an?")],
///     &analyzer,
///     &sophia::text::Synonyms::default(),
/// );
/// let query = sophia::search::AnalyzedQuery::from_words(&analyzer, "sperrmüll anmelden");
/// let hits = index.matches(&query, 1);
/// assert_eq!(hits[0].target, Target::Answer(1));
/// ```
#[derive(Debug, Clone, Default)]
pub struct PackIndex {
    questions: Vec<Question>,
    /// The interned terms of the questions and of their alternatives.
    ids: HashMap<String, TermId>,
    /// Per term id: the questions holding it (as own term, part or alternative).
    postings: Vec<Vec<u32>>,
    /// Per term id: inverse frequency among the targets; `None` for a term only met as
    /// a synonym rule's alternative.
    idf: Vec<Option<f32>>,
    /// The weight of a term no question holds.
    unseen_idf: f32,
}

impl PackIndex {
    /// Analyses and indexes `questions` (target and text) with `analyzer`, the catalogue's
    /// retrieval analyzer, so both sides split compounds and stem alike.
    pub fn build<'a>(
        questions: impl IntoIterator<Item = (Target, &'a str)>,
        analyzer: &TextAnalyzer,
        synonyms: &Synonyms,
    ) -> PackIndex {
        let mut analyzer = analyzer.clone();
        let mut analysed: Vec<(Target, &str, Vec<Vec<String>>)> = Vec::new();
        let mut targets_of: HashMap<String, HashSet<Target>> = HashMap::new();
        let mut targets = HashSet::new();
        for (target, question) in questions {
            let words: Vec<Vec<String>> = text::words(question)
                .map(|(_, word)| text::tokens(&mut analyzer, word))
                .filter(|terms| !terms.is_empty())
                .collect();
            for term in words.iter().flatten() {
                targets_of.entry(term.clone()).or_default().insert(target);
            }
            targets.insert(target);
            analysed.push((target, question, words));
        }
        let n = targets.len().max(1) as f32;
        let idf_of = |df: f32| (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        let mut index = PackIndex {
            unseen_idf: idf_of(0.0),
            ..PackIndex::default()
        };
        // Known terms first, in a stable order, so ids do not depend on hashing.
        let mut known: Vec<(&String, &HashSet<Target>)> = targets_of.iter().collect();
        known.sort_by(|a, b| a.0.cmp(b.0));
        for (term, targets) in known {
            let id = index.intern(term);
            index.idf[id as usize] = Some(idf_of(targets.len() as f32));
        }
        for (position, (target, question, words)) in analysed.into_iter().enumerate() {
            let words: Vec<QuestionWord> = words
                .into_iter()
                .map(|terms| {
                    let ids: Vec<TermId> = terms.iter().map(|t| index.intern(t)).collect();
                    QuestionWord {
                        weight: index.idf[ids[0] as usize].unwrap_or(0.0),
                        alternatives: synonyms
                            .alternatives(&terms[0])
                            .iter()
                            .map(|a| index.intern(a))
                            .collect(),
                        own: ids[0],
                        parts: ids[1..].to_vec(),
                    }
                })
                .collect();
            let mut holds: Vec<TermId> = words
                .iter()
                .flat_map(|w| {
                    std::iter::once(&w.own)
                        .chain(&w.parts)
                        .chain(&w.alternatives)
                })
                .copied()
                .collect();
            holds.sort_unstable();
            holds.dedup();
            for &term in &holds {
                index.postings[term as usize].push(position as u32);
            }
            index.questions.push(Question {
                target,
                text: question.to_string(),
                total: words.iter().map(|w| w.weight).sum(),
                words,
                holds,
            });
        }
        index
    }

    /// The id of `term`, given a new one when the index has none yet.
    fn intern(&mut self, term: &str) -> TermId {
        if let Some(&id) = self.ids.get(term) {
            return id;
        }
        let id = self.postings.len() as TermId;
        self.ids.insert(term.to_string(), id);
        self.postings.push(Vec::new());
        self.idf.push(None);
        id
    }

    /// Number of questions.
    pub fn len(&self) -> usize {
        self.questions.len()
    }

    /// True without questions.
    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    /// True when some question holds the analysed term.
    pub fn knows(&self, term: &str) -> bool {
        self.idf_of(term).is_some()
    }

    /// True when a question for `target` holds the analysed `term` (as its own word, a
    /// compound part or a synonym's alternative): the editors speak of the service in those
    /// words, although its description may not ("muss ich den Diebstahl der Kennzeichen bei
    /// der Polizei anzeigen?").
    ///
    /// ```
    /// use sophia::search::{PackIndex, Target};
    /// let analyzer = sophia::text::retrieval_analyzer();
    /// let index = PackIndex::build(
    ///     [(Target::Service(3), "Muss ich das bei der Polizei anzeigen?")],
    ///     &analyzer,
    ///     &sophia::text::Synonyms::default(),
    /// );
    /// assert!(index.target_holds(Target::Service(3), "polizei"));
    /// assert!(!index.target_holds(Target::Service(4), "polizei"));
    /// assert!(!index.target_holds(Target::Service(3), "reisepass"));
    /// ```
    pub fn target_holds(&self, target: Target, term: &str) -> bool {
        self.ids.get(term).is_some_and(|&id| {
            self.postings[id as usize]
                .iter()
                .any(|&q| self.questions[q as usize].target == target)
        })
    }

    fn idf_of(&self, term: &str) -> Option<f32> {
        self.ids.get(term).and_then(|&id| self.idf[id as usize])
    }

    /// The best-matching question per target, best first, at most `limit` targets.
    ///
    /// Short words of the message that neither the packs nor the catalogue know carry no
    /// weight; a known or long word the question lacks lowers its recall.
    pub fn matches(&self, query: &AnalyzedQuery, limit: usize) -> Vec<PackHit> {
        if self.questions.is_empty() || limit == 0 {
            return Vec::new();
        }
        let ids: Vec<Option<TermId>> = query
            .terms
            .iter()
            .map(|t| self.ids.get(t.text.as_str()).copied())
            .collect();
        let (words, lists) = self.message_words(query, &ids);
        let total: f32 = words.iter().map(|w| w.weight).sum();
        if total <= 0.0 {
            return Vec::new();
        }
        // Per term id what the message holds of it: the word itself (or a synonym or a
        // correction), or a compound part.
        let mut marks = vec![0u8; self.postings.len()];
        for (term, id) in query.terms.iter().zip(&ids) {
            let Some(id) = *id else { continue };
            marks[id as usize] |= match term.origin {
                TermOrigin::Part { .. } => PART,
                _ => WHOLE,
            };
        }
        // Per term id the message words (the first 64, as bits) it is a whole term of: a
        // question's terms then say at once which words it covers fully.
        let mut whole_of: Vec<(TermId, u64)> = Vec::new();
        for (i, word) in words.iter().enumerate().take(64) {
            for &id in &word.whole {
                match whole_of.iter_mut().find(|(t, _)| *t == id) {
                    Some((_, bits)) => *bits |= 1 << i,
                    None => whole_of.push((id, 1 << i)),
                }
            }
        }
        let mut scored: Vec<Scored> = Vec::new();
        for position in self.candidates(&lists) {
            let question = &self.questions[position];
            let mut fully = 0u64;
            for &id in &question.holds {
                if marks[id as usize] & WHOLE != 0
                    && let Some((_, bits)) = whole_of.iter().find(|(t, _)| *t == id)
                {
                    fully |= bits;
                }
            }
            let found: f32 = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let whole_held = if i < 64 {
                        fully & (1 << i) != 0
                    } else {
                        w.whole.iter().any(|&t| question.holds(t))
                    };
                    w.weight * w.covered(question, whole_held)
                })
                .sum();
            let recall = found / total;
            let precision = question.precision(&marks);
            if recall <= 0.0 || precision <= 0.0 {
                continue;
            }
            scored.push(Scored {
                target: question.target,
                position,
                recall,
                precision,
                similarity: 2.0 * recall * precision / (recall + precision),
            });
        }
        // Per target its best question; of equals the first.
        scored.sort_unstable_by(|a, b| {
            (a.target.cmp(&b.target))
                .then(b.similarity.total_cmp(&a.similarity))
                .then(a.position.cmp(&b.position))
        });
        scored.dedup_by_key(|s| s.target);
        scored.sort_unstable_by(|a, b| {
            (b.similarity.total_cmp(&a.similarity)).then(a.target.cmp(&b.target))
        });
        scored.truncate(limit);
        scored
            .into_iter()
            .map(|s| PackHit {
                target: s.target,
                question: self.questions[s.position].text.clone(),
                recall: s.recall,
                precision: s.precision,
                similarity: s.similarity,
            })
            .collect()
    }

    /// The words of the message that count, with their weights and term ids (`ids`: per
    /// query term its id), and the postings of their terms the questions know.
    fn message_words<'a>(
        &'a self,
        query: &AnalyzedQuery,
        ids: &[Option<TermId>],
    ) -> (Vec<MessageWord>, Vec<&'a [u32]>) {
        let mut words = Vec::new();
        let mut lists: Vec<&[u32]> = Vec::new();
        for word in query.words() {
            let terms = || {
                query
                    .terms
                    .iter()
                    .zip(ids)
                    .filter(move |(t, _)| t.word == word)
            };
            let known_here = || {
                terms().filter_map(|(t, &id)| {
                    let id = id?;
                    self.idf[id as usize].map(|idf| (t, id, idf))
                })
            };
            let weight = known_here()
                .filter(|(t, _, _)| !matches!(t.origin, TermOrigin::Part { .. }))
                .map(|(_, _, idf)| idf)
                .fold(None, |m: Option<f32>, w| Some(m.map_or(w, |m| m.max(w))));
            let weight = match weight {
                Some(weight) => weight,
                // Only compound parts known here, or only known to the catalogue: the word
                // counts fully and the question must earn it.
                None if known_here().next().is_some() || terms().any(|(t, _)| !t.is_unknown()) => {
                    self.unseen_idf
                }
                // A long word nobody knows is what the question is about ("Elterngeld",
                // "Stadtbibliothek"), not filler: no question can earn it.
                None if terms().any(|(t, _)| {
                    t.origin == TermOrigin::Exact && t.text.chars().count() >= TOPIC_WORD_LEN
                }) =>
                {
                    self.unseen_idf
                }
                None => continue,
            };
            for (_, id, _) in known_here() {
                lists.push(&self.postings[id as usize]);
            }
            let mut message_word = MessageWord {
                weight,
                whole: Vec::new(),
                head: Vec::new(),
                modifiers: Vec::new(),
                modifier_count: 0,
                has_parts: false,
            };
            for (term, &id) in terms() {
                match term.origin {
                    TermOrigin::Part { head } => {
                        message_word.has_parts = true;
                        message_word.modifier_count += usize::from(!head);
                        match (head, id) {
                            (true, Some(id)) => message_word.head.push(id),
                            (false, Some(id)) => message_word.modifiers.push(id),
                            (_, None) => {}
                        }
                    }
                    _ => message_word.whole.extend(id),
                }
            }
            words.push(message_word);
        }
        (words, lists)
    }

    /// The positions of the questions worth scoring, ascending: those sharing a rare word
    /// with the message; the lists of words in many questions ("beantragen") only when the
    /// message has no rarer word, since a question matching on common words alone cannot
    /// reach the similarity floor.
    fn candidates(&self, lists: &[&[u32]]) -> Vec<usize> {
        let common = self.questions.len() / COMMON_SHARE;
        let rare = lists.iter().any(|l| l.len() <= common);
        let mut candidates: Vec<usize> = lists
            .iter()
            .filter(|l| !rare || l.len() <= common)
            .flat_map(|l| l.iter().map(|&p| p as usize))
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> (PackIndex, TextAnalyzer) {
        let analyzer = text::retrieval_analyzer();
        let index = PackIndex::build(
            [
                (
                    Target::Service(1),
                    "ich werde gestalkt, niemand soll meine adresse bekommen",
                ),
                (Target::Service(1), "adresse sperren lassen"),
                (Target::Service(2), "hab geheiratet und heiße jetzt anders"),
                (Target::Service(3), "neue adresse melden"),
                (Target::Answer(0), "wann hat der wertstoffhof offen"),
            ],
            &analyzer,
            &Synonyms::shipped(),
        );
        (index, analyzer)
    }

    fn best(message: &str) -> Option<PackHit> {
        let (index, analyzer) = index();
        let query = AnalyzedQuery::from_words(&analyzer, message);
        index.matches(&query, 3).into_iter().next()
    }

    #[test]
    fn a_paraphrase_finds_its_target() {
        let hit = best("mein ex stalkt mich, kann ich meine adresse sperren").unwrap();
        assert_eq!(hit.target, Target::Service(1));
        assert_eq!(hit.question, "adresse sperren lassen");
    }

    #[test]
    fn spellings_meet() {
        assert_eq!(
            best("heisse nach der hochzeit anders").unwrap().target,
            Target::Service(2)
        );
        assert_eq!(
            best("WERTSTOFFHÖFE offen?").unwrap().target,
            Target::Answer(0)
        );
    }

    #[test]
    fn the_same_question_matches_fully() {
        let hit = best("neue Adresse melden").unwrap();
        assert_eq!(hit.target, Target::Service(3));
        assert!(hit.similarity > 0.99, "{hit:?}");
    }

    #[test]
    fn one_best_question_per_target() {
        let (index, analyzer) = index();
        let query = AnalyzedQuery::from_words(&analyzer, "adresse");
        let hits = index.matches(&query, 10);
        let mut targets: Vec<Target> = hits.iter().map(|h| h.target).collect();
        targets.dedup();
        assert_eq!(targets.len(), hits.len());
    }

    #[test]
    fn a_synonym_in_the_question_meets_the_word_typed() {
        let analyzer = text::retrieval_analyzer();
        let index = PackIndex::build(
            [
                (Target::Service(1), "pass beantragen"),
                (Target::Service(2), "ausweis verloren"),
            ],
            &analyzer,
            &Synonyms::shipped(),
        );
        let query = AnalyzedQuery::from_words(&analyzer, "reisepass beantragen");
        let hit = &index.matches(&query, 1)[0];
        assert_eq!(hit.target, Target::Service(1));
        assert!(hit.similarity > 0.99, "{hit:?}");
    }

    #[test]
    fn of_equally_good_questions_of_a_target_the_first_is_named() {
        let analyzer = text::retrieval_analyzer();
        let index = PackIndex::build(
            [
                (Target::Service(1), "Adresse sperren"),
                (Target::Service(1), "adresse sperren!"),
            ],
            &analyzer,
            &Synonyms::default(),
        );
        let query = AnalyzedQuery::from_words(&analyzer, "adresse sperren");
        for _ in 0..3 {
            assert_eq!(index.matches(&query, 3)[0].question, "Adresse sperren");
        }
    }

    /// The first 64 words of a message are matched through bit sets, the others one by
    /// one: a long message counts all of them alike.
    #[test]
    fn words_past_the_sixty_fourth_count_like_the_others() {
        let (index, analyzer) = index();
        let short = AnalyzedQuery::from_words(&analyzer, "neue adresse melden");
        let long = AnalyzedQuery::from_words(&analyzer, &"neue adresse melden ".repeat(30));
        assert!(long.words().len() > 64, "{}", long.words().len());
        let (short, long) = (&index.matches(&short, 1)[0], &index.matches(&long, 1)[0]);
        assert_eq!(long.target, Target::Service(3));
        assert!(
            (long.recall - short.recall).abs() < 1e-4,
            "{long:?} {short:?}"
        );
        assert!((long.similarity - short.similarity).abs() < 1e-4);
    }

    #[test]
    fn unrelated_words_match_nothing() {
        assert!(best("wetter morgen in berlin").is_none());
    }

    #[test]
    fn an_empty_index_matches_nothing() {
        let analyzer = text::retrieval_analyzer();
        let index = PackIndex::build(std::iter::empty(), &analyzer, &Synonyms::default());
        let query = AnalyzedQuery::from_words(&analyzer, "adresse");
        assert!(index.matches(&query, 3).is_empty());
    }
}
