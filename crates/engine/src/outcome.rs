//! What one seal comes to. The front end maps [`Outcome`] to its exit
//! codes (the CLI's `exit.rs`); the engine knows no numbers.

use std::path::PathBuf;

use prod_smoke_model::{RunReport, Verdict};

/// The class of a seal's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Green, and recorded somewhere durable.
    Green,
    /// Red: the site failed a check.
    Red,
    /// prod-smoke's own environment broke, or a green verdict reached no
    /// durable place: a seal that exists nowhere must not look like one.
    Inconclusive,
}

impl Outcome {
    pub fn of(verdict: Verdict, durable: bool) -> Outcome {
        match verdict {
            Verdict::Green if durable => Outcome::Green,
            Verdict::Red => Outcome::Red,
            Verdict::Green | Verdict::Inconclusive => Outcome::Inconclusive,
        }
    }
}

/// Everything a front end needs once the seal is over.
#[derive(Debug, Clone)]
pub struct SealOutcome {
    pub app: String,
    pub url: String,
    /// The report as written (secrets masked).
    pub report: RunReport,
    pub verdict: Verdict,
    /// The verdict reached a ledger file or a sink that took it.
    pub durable: bool,
    pub outcome: Outcome,
    pub artifacts: Option<PathBuf>,
}
