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

use super::query::{AnalyzedQuery, TermOrigin};
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

/// How well a question holding the terms `holds` covers query word `word`: fully through
/// the word itself, a synonym or a correction; through compound parts at most
/// [`PART_CREDIT`].
fn word_match(query: &AnalyzedQuery, word: usize, holds: &impl Fn(&str) -> bool) -> f32 {
    let whole = query
        .terms
        .iter()
        .filter(|t| t.word == word && !matches!(t.origin, TermOrigin::Part { .. }))
        .any(|t| holds(&t.text));
    if whole {
        1.0
    } else {
        PART_CREDIT * query.word_match(word, holds)
    }
}

/// What a pack question stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(tag = "type", content = "index", rename_all = "lowercase")]
pub enum Target {
    /// A custom answer, by its position in the snapshot's list of answers.
    Answer(usize),
    /// A catalogue service, by its position in the catalogue.
    Service(usize),
}

/// One analysed word of a pack question: its own term first, then its compound parts; and
/// the alternatives the synonym rules give for it ("pass" also stands for "reisepass").
#[derive(Debug, Clone)]
struct QuestionWord {
    terms: Vec<String>,
    alternatives: Vec<String>,
    weight: f32,
}

impl QuestionWord {
    /// True when the word is `term` or a synonym of it.
    fn is(&self, term: &str) -> bool {
        self.terms[0] == term || self.alternatives.iter().any(|a| a == term)
    }
}

#[derive(Debug, Clone)]
struct Question {
    target: Target,
    text: String,
    words: Vec<QuestionWord>,
    total: f32,
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
    postings: HashMap<String, Vec<u32>>,
    /// Per term: inverse frequency among the targets.
    idf: HashMap<String, f32>,
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
        let idf: HashMap<String, f32> = targets_of
            .iter()
            .map(|(term, targets)| (term.clone(), idf_of(targets.len() as f32)))
            .collect();
        let mut postings: HashMap<String, Vec<u32>> = HashMap::new();
        let mut indexed = Vec::with_capacity(analysed.len());
        for (position, (target, question, words)) in analysed.into_iter().enumerate() {
            let words: Vec<QuestionWord> = words
                .into_iter()
                .map(|terms| QuestionWord {
                    weight: idf.get(&terms[0]).copied().unwrap_or(0.0),
                    alternatives: synonyms.alternatives(&terms[0]).to_vec(),
                    terms,
                })
                .collect();
            let mut seen = HashSet::new();
            for term in words
                .iter()
                .flat_map(|w| w.terms.iter().chain(&w.alternatives))
            {
                if seen.insert(term.clone()) {
                    postings
                        .entry(term.clone())
                        .or_default()
                        .push(position as u32);
                }
            }
            indexed.push(Question {
                target,
                text: question.to_string(),
                total: words.iter().map(|w| w.weight).sum(),
                words,
            });
        }
        PackIndex {
            questions: indexed,
            postings,
            idf,
            unseen_idf: idf_of(0.0),
        }
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
        self.idf.contains_key(term)
    }

    /// The best-matching question per target, best first, at most `limit` targets.
    ///
    /// Short words of the message that neither the packs nor the catalogue know carry no
    /// weight; a known or long word the question lacks lowers its recall.
    pub fn matches(&self, query: &AnalyzedQuery, limit: usize) -> Vec<PackHit> {
        if self.questions.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut words: Vec<(usize, f32)> = Vec::new();
        let mut candidates: HashSet<u32> = HashSet::new();
        let mut lists: Vec<&Vec<u32>> = Vec::new();
        for word in query.words() {
            let terms = query.terms.iter().filter(|t| t.word == word);
            let known_here = terms
                .clone()
                .filter_map(|t| self.idf.get(&t.text).map(|&idf| (t, idf)))
                .collect::<Vec<_>>();
            let weight = known_here
                .iter()
                .filter(|(t, _)| !matches!(t.origin, TermOrigin::Part { .. }))
                .map(|&(_, idf)| idf)
                .fold(None, |m: Option<f32>, w| Some(m.map_or(w, |m| m.max(w))));
            let weight = match weight {
                Some(weight) => weight,
                // Only compound parts known here, or only known to the catalogue: the word
                // counts fully and the question must earn it.
                None if !known_here.is_empty() || terms.clone().any(|t| !t.is_unknown()) => {
                    self.unseen_idf
                }
                // A long word nobody knows is what the question is about ("Elterngeld",
                // "Stadtbibliothek"), not filler: no question can earn it.
                None if terms.clone().any(|t| {
                    t.origin == TermOrigin::Exact && t.text.chars().count() >= TOPIC_WORD_LEN
                }) =>
                {
                    self.unseen_idf
                }
                None => continue,
            };
            for (term, _) in &known_here {
                if let Some(list) = self.postings.get(&term.text) {
                    lists.push(list);
                }
            }
            words.push((word, weight));
        }
        // Questions sharing a rare word are the candidates; the lists of words in many
        // questions ("beantragen") only when the question has no rarer word: a question
        // matching on common words alone cannot reach the similarity floor.
        let common = self.questions.len() / COMMON_SHARE;
        let rare: Vec<&Vec<u32>> = lists
            .iter()
            .copied()
            .filter(|l| l.len() <= common)
            .collect();
        for list in if rare.is_empty() { &lists } else { &rare } {
            candidates.extend(list.iter());
        }
        let total: f32 = words.iter().map(|(_, w)| w).sum();
        if total <= 0.0 {
            return Vec::new();
        }
        let (parts, whole): (Vec<_>, Vec<_>) = query
            .terms
            .iter()
            .partition(|t| matches!(t.origin, TermOrigin::Part { .. }));
        let query_terms: HashSet<&str> = whole.iter().map(|t| t.text.as_str()).collect();
        let query_parts: HashSet<&str> = parts.iter().map(|t| t.text.as_str()).collect();
        let mut best: HashMap<Target, PackHit> = HashMap::new();
        for position in candidates {
            let question = &self.questions[position as usize];
            let holds = |term: &str| {
                question
                    .words
                    .iter()
                    .any(|w| w.is(term) || w.terms[1..].iter().any(|t| t == term))
            };
            let found: f32 = words
                .iter()
                .map(|&(word, weight)| weight * word_match(query, word, &holds))
                .sum();
            let recall = found / total;
            let covered: f32 = question
                .words
                .iter()
                .map(|w| {
                    if query_terms.iter().any(|t| w.is(t)) {
                        w.weight
                    } else if w.terms.iter().any(|t| {
                        query_terms.contains(t.as_str()) || query_parts.contains(t.as_str())
                    }) {
                        w.weight * PART_CREDIT
                    } else {
                        0.0
                    }
                })
                .sum();
            let precision = if question.total > 0.0 {
                covered / question.total
            } else {
                0.0
            };
            let similarity = if recall + precision > 0.0 {
                2.0 * recall * precision / (recall + precision)
            } else {
                0.0
            };
            if similarity <= 0.0 {
                continue;
            }
            let better = best
                .get(&question.target)
                .is_none_or(|b| similarity > b.similarity);
            if better {
                best.insert(
                    question.target,
                    PackHit {
                        target: question.target,
                        question: question.text.clone(),
                        recall,
                        precision,
                        similarity,
                    },
                );
            }
        }
        let mut hits: Vec<PackHit> = best.into_values().collect();
        hits.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(a.target.cmp(&b.target))
        });
        hits.truncate(limit);
        hits
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
