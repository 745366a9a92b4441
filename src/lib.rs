//! Sophia: a citizen chatbot engine for German public administration.
//!
//! The core is [`Engine::respond`], a pure, deterministic function from a [`ChatRequest`]
//! to a [`Reply`]; the CLI and the HTTP server are thin adapters around it.
//!
//! ```
//! use sophia::{ChatRequest, Engine};
//! let engine = Engine::shipped();
//! let reply = engine.respond(&ChatRequest::new("Was kostet ein Reisepass?"));
//! assert_eq!(reply.sources[0].id, "1063453"); // Reisepass
//! ```

pub mod check;
pub mod config;
pub mod content;
pub mod dialog;
pub mod eval;
pub mod geo;
pub mod nlu;
pub mod review;
pub mod search;
pub mod server;
pub mod text;

pub use dialog::{ChatRequest, Engine, Reply, ReplyKind, Snapshot};
