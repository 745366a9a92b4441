//! A citizen's message turned into weighted query terms, grouped by the word they came from.

use serde::Serialize;

/// Credit of an unknown compound whose head alone matches ("Hunde|steuer" in a service
/// about vehicle tax): a related topic, not the same one.
const HEAD_ONLY: f32 = 0.25;
/// Credit of an unknown compound whose modifiers alone match ("Bürger|geld" in a service
/// for EU citizens): hardly related.
const MODIFIERS_ONLY: f32 = 0.15;

/// How well the parts of an unknown compound cover it when the whole word does not
/// match: mostly whether its head matches (`head`), then the share of its `modifiers`
/// (other parts) that match (`modifiers_found` of them). See
/// [`AnalyzedQuery::word_match`] (its tests are this function's).
pub(crate) fn parts_credit(head: bool, modifiers: usize, modifiers_found: usize) -> f32 {
    let modifiers_found = if modifiers == 0 {
        1.0
    } else {
        modifiers_found as f32 / modifiers as f32
    };
    if head {
        HEAD_ONLY + (1.0 - HEAD_ONLY) * modifiers_found
    } else {
        MODIFIERS_ONLY * modifiers_found
    }
}

/// Where a query term came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum TermOrigin {
    /// The analysed word itself.
    Exact,
    /// A part of a compound word; the head is its last part, which says what the whole
    /// is ("Hunde|steuer" is a tax).
    Part {
        /// True for the last part.
        head: bool,
    },
    /// An alternative from the synonym rules.
    Synonym,
    /// A spelling correction of an unknown word.
    Correction {
        /// Edit distance to the typed word.
        distance: u8,
    },
}

/// One analysed term of the query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryTerm {
    /// The analysed token ("reisepass").
    pub text: String,
    /// How informative the term is: its inverse document frequency in the catalogue
    /// (the largest value for a term the catalogue does not know, none for an unknown
    /// situation word: [`crate::text::is_situation_word`]).
    pub weight: f32,
    /// Number of services that contain the term in any field.
    pub doc_freq: u64,
    /// Index of the word of the message the term came from.
    pub word: usize,
    /// How the term was derived from the word.
    pub origin: TermOrigin,
    /// Factor on the term's score (1 for the word itself, less for derived terms).
    pub factor: f32,
}

impl QueryTerm {
    /// True when no service contains the term.
    pub fn is_unknown(&self) -> bool {
        self.doc_freq == 0
    }
}

/// The query terms of one message, without duplicates, in message order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AnalyzedQuery {
    /// The terms.
    pub terms: Vec<QueryTerm>,
}

impl AnalyzedQuery {
    /// The word indices of the query, in order, each once.
    pub fn words(&self) -> Vec<usize> {
        let mut words: Vec<usize> = self.terms.iter().map(|t| t.word).collect();
        words.dedup();
        words
    }

    /// The weight of one word: its most informative known term, or its own weight when
    /// the catalogue knows none of its terms.
    pub fn word_weight(&self, word: usize) -> f32 {
        let terms = self.terms.iter().filter(|t| t.word == word);
        let known = terms
            .clone()
            .filter(|t| !t.is_unknown())
            .map(|t| t.weight)
            .fold(None, |m: Option<f32>, w| Some(m.map_or(w, |m| m.max(w))));
        known.unwrap_or_else(|| terms.map(|t| t.weight).fold(0.0, f32::max))
    }

    /// How well a service that contains the terms `matched` covers word `word`: 1 when
    /// the word itself, a synonym or a correction matches; for a compound the catalogue
    /// does not know, mostly whether its head matches ("Hundesteuer" is not answered by a
    /// service about dogs).
    pub fn word_match(&self, word: usize, matched: impl Fn(&str) -> bool) -> f32 {
        let terms = || self.terms.iter().filter(move |t| t.word == word);
        if terms().any(|t| !matches!(t.origin, TermOrigin::Part { .. }) && matched(&t.text)) {
            return 1.0;
        }
        let mut parts = false;
        let mut head = false;
        let (mut modifiers, mut modifiers_found) = (0, 0);
        for term in terms() {
            match term.origin {
                TermOrigin::Part { head: true } => {
                    parts = true;
                    head = head || matched(&term.text);
                }
                TermOrigin::Part { head: false } => {
                    parts = true;
                    modifiers += 1;
                    modifiers_found += usize::from(matched(&term.text));
                }
                _ => {}
            }
        }
        if parts {
            parts_credit(head, modifiers, modifiers_found)
        } else {
            0.0
        }
    }

    /// Sum of all word weights.
    pub fn total_weight(&self) -> f32 {
        self.words().into_iter().map(|w| self.word_weight(w)).sum()
    }

    /// True when the message held no searchable word.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when none of the words is known to the catalogue.
    pub fn all_unknown(&self) -> bool {
        self.terms.iter().all(QueryTerm::is_unknown)
    }

    /// Analyses `message` on its own, without a catalogue: per word its analysed form and
    /// compound parts, every term weighted 1 and counted as known. For tests and tools; the
    /// engine analyses with [`crate::search::CatalogIndex::analyze`].
    ///
    /// ```
    /// let analyzer = sophia::text::retrieval_analyzer();
    /// let q = sophia::search::AnalyzedQuery::from_words(&analyzer, "Reisepass verloren");
    /// assert_eq!(q.words(), vec![0, 1]);
    /// ```
    pub fn from_words(analyzer: &tantivy::tokenizer::TextAnalyzer, message: &str) -> AnalyzedQuery {
        let mut analyzer = analyzer.clone();
        let mut terms = Vec::new();
        let mut word = 0;
        for (_, raw) in crate::text::words(message) {
            let tokens = crate::text::tokens(&mut analyzer, raw);
            if tokens.is_empty() {
                continue;
            }
            let last = tokens.len() - 1;
            for (i, text) in tokens.into_iter().enumerate() {
                let origin = match i {
                    0 => TermOrigin::Exact,
                    i => TermOrigin::Part { head: i == last },
                };
                terms.push(QueryTerm {
                    text,
                    weight: 1.0,
                    doc_freq: 1,
                    word,
                    origin,
                    factor: 1.0,
                });
            }
            word += 1;
        }
        AnalyzedQuery { terms }
    }

    /// The words (positions) whose own (exact) term is one of `texts`.
    fn words_typed_as(&self, texts: &[String]) -> Vec<usize> {
        self.terms
            .iter()
            .filter(|t| t.origin == TermOrigin::Exact && texts.contains(&t.text))
            .map(|t| t.word)
            .collect()
    }

    /// Multiplies the weight of every term of the words whose own (exact) term is one of
    /// `texts` by `factor`.
    ///
    /// ```
    /// let index = sophia::search::CatalogIndex::build(
    ///     &sophia::content::Catalog::shipped(), Default::default()).unwrap();
    /// let query = index.analyze("Reisepass in München", &Default::default());
    /// let mut weighed = query.clone();
    /// weighed.weigh_words(&["munch".to_string()], 0.5);
    /// let weight = |q: &sophia::search::AnalyzedQuery, text: &str| {
    ///     q.terms.iter().find(|t| t.text == text).unwrap().weight
    /// };
    /// assert_eq!(weight(&weighed, "munch"), weight(&query, "munch") * 0.5);
    /// assert_eq!(weight(&weighed, "reisepass"), weight(&query, "reisepass"));
    /// ```
    pub fn weigh_words(&mut self, texts: &[String], factor: f32) {
        let words = self.words_typed_as(texts);
        for term in &mut self.terms {
            if words.contains(&term.word) {
                term.weight *= factor;
            }
        }
    }

    /// Removes every word whose own (exact) term is one of `texts`.
    pub fn without_words(&self, texts: &[String]) -> AnalyzedQuery {
        let dropped = self.words_typed_as(texts);
        AnalyzedQuery {
            terms: self
                .terms
                .iter()
                .filter(|t| !dropped.contains(&t.word))
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str, origin: TermOrigin) -> QueryTerm {
        QueryTerm {
            text: text.into(),
            weight: 1.0,
            doc_freq: 1,
            word: 0,
            origin,
            factor: 1.0,
        }
    }

    fn compound() -> AnalyzedQuery {
        AnalyzedQuery {
            terms: vec![
                term("hundesteu", TermOrigin::Exact),
                term("hund", TermOrigin::Part { head: false }),
                term("steu", TermOrigin::Part { head: true }),
            ],
        }
    }

    #[test]
    fn the_word_itself_matches_fully() {
        assert_eq!(compound().word_match(0, |t| t == "hundesteu"), 1.0);
    }

    #[test]
    fn a_compound_matched_only_by_its_modifier_hardly_counts() {
        assert_eq!(compound().word_match(0, |t| t == "hund"), MODIFIERS_ONLY);
    }

    #[test]
    fn a_compound_matched_by_its_head_counts_mostly() {
        assert_eq!(compound().word_match(0, |t| t == "steu"), HEAD_ONLY);
        assert_eq!(
            compound().word_match(0, |t| t == "steu" || t == "hund"),
            1.0
        );
    }

    #[test]
    fn cue_words_are_dropped_with_their_derived_terms() {
        let mut q = compound();
        q.terms.push(QueryTerm {
            word: 1,
            ..term("kost", TermOrigin::Exact)
        });
        let without = q.without_words(&["kost".to_string()]);
        assert_eq!(without.words(), vec![0]);
        let without = q.without_words(&["hundesteu".to_string()]);
        assert_eq!(without.words(), vec![1]);
    }
}
