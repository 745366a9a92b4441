//! Content: the model of services and offices, and the importers that fill it.

mod catalog;
pub mod csv_import;
pub mod dldb;
pub mod html;
mod import;
mod library;
pub mod markdown;
mod model;
pub mod pack;
pub mod synthetic;
pub(crate) mod texts;
pub mod xzufi;
mod xzufi_parse;

pub use catalog::Catalog;
pub(crate) use catalog::Heads;
pub use import::{Import, ImportError, ImportReport, Warning};
pub use library::PackLibrary;
pub use model::*;
pub use texts::TextsError;

/// A spreadsheet header reduced for matching: lower case, umlauts folded, `_` and `-` as
/// spaces ("Gültig_ab" and "gueltig ab" meet).
fn normalize_header(header: &str) -> String {
    crate::text::words(&header.replace(['_', '-'], " "))
        .map(|(_, w)| crate::text::normalize_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}
pub use pack::{CustomAnswer, Day, Origin, Pack, PackError, PackQuestion, ServiceQuestions};
