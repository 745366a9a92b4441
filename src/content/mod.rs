//! Content: the model of services and offices, and the importers that fill it.

pub mod html;
mod model;

pub use model::*;
