//! Each visit compared with the same page at the app's last green seal.
//!
//! The screenshots of the last green run are kept in a small per-app folder
//! next to the ledger (`<ledger dir>/baselines/<app>/`), so the comparison
//! survives a deleted artifacts folder. Each green run replaces the folder
//! whole; it never holds more than [`MAX_BASELINE_BYTES`].
//!
//! This is information, never a verdict: nothing here can change green or
//! red, and a missing or broken baseline only means "no comparison".
//! Everything is blocking file and pixel work: callers run it off the async
//! runtime (`spawn_blocking`).

mod errors;
mod pixels;
mod store;

pub use errors::BaselineError;
pub use store::{BASELINE_DIR, Baselines, COMPARISON_DIR, Comparison, Kept, MAX_BASELINE_BYTES};
