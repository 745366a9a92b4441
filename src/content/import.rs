//! What every importer reports: fatal errors, per-record warnings and counts.

use std::fmt;

/// A content file that cannot be imported at all. Names the file and, where known, the
/// line and column.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{file}: cannot read: {error}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        error: std::io::Error,
    },
    /// The file is not valid JSON.
    #[error("{file}:{line}:{column}: invalid JSON: {message}")]
    Json {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// The file is valid but not of the expected shape.
    #[error("{file}: {message}")]
    Format {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
}

/// A record that was skipped or a reference that was ignored, naming where and why.
///
/// ```
/// use sophia::content::Warning;
/// let w = Warning { file: "services.json".into(), record: 3, id: Some("42".into()),
///                   field: "fees".into(), message: "expected a string, found a number".into() };
/// assert_eq!(w.to_string(), "services.json: record 3 (id 42): field `fees`: expected a string, found a number");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file.
    pub file: String,
    /// 0-based position of the record in the file's `data` array.
    pub record: usize,
    /// The record's id, when it has one.
    pub id: Option<String>,
    /// The field that is broken (dotted path, `locations[2].location`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.is_empty() {
            write!(f, "{}: record {}", self.file, self.record)?;
            if let Some(id) = &self.id {
                write!(f, " (id {id})")?;
            }
        } else if let Some(id) = &self.id {
            write!(f, "id {id}")?;
        }
        write!(f, ": field `{}`: {}", self.field, self.message)
    }
}

/// Counts of one import, with every warning.
#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    /// Services imported (including hidden ones).
    pub imported: usize,
    /// Services imported but never offered to citizens (internal booking artefacts).
    pub hidden: usize,
    /// Records skipped because a field was broken.
    pub skipped: usize,
    /// Offices imported.
    pub offices: usize,
    /// One entry per skipped record or ignored reference.
    pub warnings: Vec<Warning>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} services imported ({} hidden as internal), {} offices, {} records skipped, {} warnings",
            self.imported,
            self.hidden,
            self.offices,
            self.skipped,
            self.warnings.len()
        )
    }
}
