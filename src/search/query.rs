//! A citizen's message turned into weighted query terms.

use serde::Serialize;

/// One analysed word of the query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryTerm {
    /// The analysed token ("reisepass").
    pub text: String,
    /// How informative the term is: its inverse document frequency in the catalogue
    /// (the largest value for a term the catalogue does not know).
    pub weight: f32,
    /// Number of services that contain the term in any field.
    pub doc_freq: u64,
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
    /// Sum of all term weights.
    pub fn total_weight(&self) -> f32 {
        self.terms.iter().map(|t| t.weight).sum()
    }

    /// True when the message held no searchable word.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}
