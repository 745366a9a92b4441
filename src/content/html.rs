//! HTML from the source turned into clean sections (placeholder, filled in next).
