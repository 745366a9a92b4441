//! German text analysis as tantivy token filters (placeholder, filled in next).
