//! Sophia: a citizen chatbot engine for German public administration.
//!
//! The core is [`dialog::Engine::respond`], a pure, deterministic function from a
//! [`dialog::ChatRequest`] to a [`dialog::Reply`]; the CLI and the HTTP server are thin
//! adapters around it.

pub mod content;
pub mod text;
