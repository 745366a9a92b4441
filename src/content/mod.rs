//! Content: the model of services and offices, and the importers that fill it.

mod catalog;
pub mod dldb;
pub mod html;
mod import;
mod model;

pub use catalog::Catalog;
pub use import::{ImportError, ImportReport, Warning};
pub use model::*;
