//! What every importer reports: fatal errors, per-record warnings and counts.

use std::fmt;

use super::{Office, RichText, ServiceRecord, is_safe_url};

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
    /// The file is not well-formed XML.
    #[error("{file}:{line}:{column}: malformed XML in <{element}>: {message}")]
    Xml {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The element open at the error (`leistung`), or `document` before the root.
        element: String,
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
/// let w = Warning { file: "services.json".into(), line: None, record: 3, id: Some("42".into()),
///                   field: "fees".into(), message: "expected a string, found a number".into() };
/// assert_eq!(w.to_string(), "services.json: record 3 (id 42): field `fees`: expected a string, found a number");
/// let x = Warning { line: Some(17), file: "land.xml".into(), ..w };
/// assert!(x.to_string().starts_with("land.xml:17: record 3"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warning {
    /// The file.
    pub file: String,
    /// 1-based line in the file, when the format has lines that matter (XML).
    pub line: Option<usize>,
    /// 0-based position of the record in the file (the `data` array, or the XML records).
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
            write!(f, "{}", self.file)?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            write!(f, ": record {}", self.record)?;
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
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
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

/// The services and offices read from one catalogue's files, with the report: what every
/// importer ([`super::dldb`], [`super::xzufi`]) returns.
///
/// ```
/// let json = r#"{"data": [{"id": "1", "name": "Reisepass", "description": "Ein Pass."}]}"#;
/// let import: sophia::content::Import = sophia::content::dldb::import(("s.json", json), None, "A").unwrap();
/// assert_eq!((import.services.len(), import.report.imported), (1, 1));
/// assert_eq!(import.services[0].texts.description.text, "Ein Pass.");
/// ```
#[derive(Debug, Default)]
pub struct Import {
    /// Services (with their texts) in file order.
    pub services: Vec<ServiceRecord>,
    /// Offices in file order.
    pub offices: Vec<Office>,
    /// What was imported, hidden and skipped, with every warning.
    pub report: ImportReport,
}

/// Whether a service is offered to citizens: internal booking artefacts have neither text,
/// fees nor search terms.
pub(crate) fn is_citizen_facing(
    description: &RichText,
    fees: Option<&RichText>,
    keywords: &[String],
) -> bool {
    !description.is_empty() || fees.is_some() || !keywords.is_empty()
}

/// Adds `keyword` unless it is empty or already there (ASCII case ignored).
pub(crate) fn push_keyword(keywords: &mut Vec<String>, keyword: String) {
    if !keyword.is_empty() && !keywords.iter().any(|k| k.eq_ignore_ascii_case(&keyword)) {
        keywords.push(keyword);
    }
}

/// Which link of a service was not http, https, mailto or tel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlField {
    /// `Service::url`.
    Page,
    /// `Service::appointment_url`.
    Appointment,
    /// `Service::online`.
    Online,
    /// `OfficeLinks::appointment_url`.
    OfficeAppointment,
    /// `Service::prerequisites`.
    Prerequisites,
    /// `Service::requirements`.
    Requirements,
    /// `Service::forms`.
    Forms,
    /// `Service::links`.
    Links,
    /// `Service::legal`.
    Legal,
}

/// Removes every link of a service that is not http, https, mailto or tel (a
/// `javascript:` link must never reach a citizen or an API client), calling `warn` with the
/// field and a message for each; each importer names the field in its own format.
pub(crate) fn drop_unsafe_service_urls(
    record: &mut ServiceRecord,
    mut warn: impl FnMut(UrlField, String),
) {
    let ServiceRecord { service, texts } = record;
    let mut check = |field: UrlField, url: &mut Option<String>| {
        if url.as_deref().is_some_and(|u| !is_safe_url(u)) {
            warn(
                field,
                "not an http(s), mailto or tel link; ignored".to_string(),
            );
            *url = None;
        }
    };
    check(UrlField::Page, &mut service.url);
    check(UrlField::Appointment, &mut service.appointment_url);
    let mut online = service.online.as_ref().map(|o| o.url.clone());
    check(UrlField::Online, &mut online);
    if online.is_none() {
        service.online = None;
    }
    for links in &mut texts.office_links {
        check(UrlField::OfficeAppointment, &mut links.appointment_url);
    }
    for (field, list) in [
        (UrlField::Prerequisites, &mut texts.prerequisites),
        (UrlField::Requirements, &mut texts.requirements),
        (UrlField::Forms, &mut texts.forms),
        (UrlField::Links, &mut texts.links),
        (UrlField::Legal, &mut texts.legal),
    ] {
        for link in list.iter_mut() {
            if !link.url.is_empty() && !is_safe_url(&link.url) {
                warn(
                    field,
                    format!(
                        "link `{}` is not http(s), mailto or tel; ignored",
                        link.name
                    ),
                );
                link.url.clear();
            }
        }
    }
}
