//! Content: the model of services and offices, and the importers that fill it.

mod catalog;
pub mod dldb;
pub mod html;
mod import;
mod library;
pub mod markdown;
mod model;
pub mod pack;

pub use catalog::Catalog;
pub use import::{ImportError, ImportReport, Warning};
pub use library::PackLibrary;
pub use model::*;
pub use pack::{CustomAnswer, Day, Origin, Pack, PackError, PackQuestion, ServiceQuestions};
