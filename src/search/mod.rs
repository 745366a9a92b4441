//! Retrieval: the tantivy index over the catalogue and the queries built from analysed text.

mod catalog_index;
mod fusion;
mod lexicon;
mod office_index;
mod opposites;
mod pack_index;
pub mod persist;
mod query;
mod schema;
pub mod variants;

pub use catalog_index::{CatalogIndex, Hit, IndexOptions, SearchResult, everyday_share, is_story};
pub use fusion::fuse;
pub use lexicon::{BuildStep, Progress};
pub use office_index::{OfficeHit, OfficeIndex, Site, site_name};
pub use opposites::demote_opposites;
pub use pack_index::{PackHit, PackIndex, Target};
pub use query::{AnalyzedQuery, QueryTerm, TermOrigin};
pub use schema::{FieldBoosts, ServiceField};
