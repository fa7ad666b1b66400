//! What a person sees of prod-smoke, on a terminal or in a CI log: the
//! renderer side of the engine/CLI split (as nextest-runner's reporter is
//! beside its runner).
//!
//! The policy: the engine and the watch never print; they emit events, and
//! this crate is the one place those become lines. Every line and every
//! `--json` field here is part of the drop-in contract, so wording changes
//! are contract changes. It reads engine, watch, runner and model types
//! and none of them depends on it.
//!
//! - progress.rs: a seal's engine events on stderr ([`render_events`]),
//!   spinners on a terminal, plain lines otherwise.
//! - watch.rs: the watch's notes and summary ([`WatchConsole`],
//!   [`summarise`]); each pass's engine events go through
//!   [`render_events`] too.
//! - json.rs: the `--json` objects ([`seal_json`], [`watch_json`]).
//!
//! Exit codes are not here: they are the binary's contract (`exit.rs`).

mod json;
mod progress;
mod watch;

pub use json::{seal_json, watch_json};
pub use progress::render_events;
pub use watch::{WatchConsole, summarise};
