//! Where things are: regional keys (ARS), the postcode table, distances, and the scope a
//! question is answered in.

mod ars;
mod distance;
mod places;
mod scope;

pub use ars::{check_ars, contains, enclosing, overlaps, significant};
pub use distance::{Point, distance_km};
pub use places::{Location, Places, PostcodeArea};
pub use scope::{Scope, ScopeTerms};
