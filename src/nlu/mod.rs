//! Understanding what a citizen wants: the part of a service asked for (aspect).

mod aspect;

pub use aspect::{Aspect, AspectDetector, AspectMatch, SHIPPED_ASPECTS};
