//! A citizen's message turned into weighted query terms, grouped by the word they came from.

use serde::Serialize;

/// Where a query term came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum TermOrigin {
    /// The analysed word itself.
    Exact,
    /// A part of a compound word.
    Part,
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
    /// (the largest value for a term the catalogue does not know).
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

    /// Removes every word whose own (exact) term is one of `texts`.
    pub fn without_words(&self, texts: &[String]) -> AnalyzedQuery {
        let dropped: Vec<usize> = self
            .terms
            .iter()
            .filter(|t| t.origin == TermOrigin::Exact && texts.contains(&t.text))
            .map(|t| t.word)
            .collect();
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
