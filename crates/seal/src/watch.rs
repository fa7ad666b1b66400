//! The seal of `prod-smoke watch`: every pass is a run in the ledger, and
//! the watch says what each one does to the seal.
//!
//! - [`PassRecord::Seal`]: the normal seal (the first pass), delivered
//!   everywhere as a plain run is.
//! - [`PassRecord::Keep`]: the verdict did not change (or was not
//!   confirmed, or the pass was inconclusive). The ledger records the pass
//!   and nothing is delivered.
//! - [`PassRecord::Amend`]: a confirmed change. The seal is amended
//!   everywhere it lives, once: `releases.smoke_seal` gets the new status
//!   and a summary that says when (`regressed 12 min after ship — …`,
//!   `recovered 18 min after ship`); `release_events` gets the final status
//!   only (`failed` or `completed`), keyed
//!   `<slug>:prod_smoke:<status>:<run id>` so each change is its own row
//!   and a replay writes it once; Discord gets a **new** message (an edit
//!   notifies nobody), with the rollback block and the operator ping on
//!   red; the release notes and the webhook follow (the webhook body says
//!   `"watch": {…, "record": "amend"}`).
//!
//! What a pass is goes into the ledger with the run, so `prod-smoke
//! deliver` replays an amendment as one. [`crate::seal_pass`] records one.

use prod_smoke_model::Verdict;

/// What a watch does with one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassRecord {
    /// The normal seal, with every output a plain run has.
    Seal,
    /// The ledger only; nothing is delivered.
    Keep,
    /// A confirmed change of verdict. `after_ship`: when the new verdict
    /// was first seen, as the summary says it (`12 min after ship`).
    Amend { after_ship: String },
}

impl PassRecord {
    pub fn as_str(&self) -> &'static str {
        match self {
            PassRecord::Seal => "seal",
            PassRecord::Keep => "keep",
            PassRecord::Amend { .. } => "amend",
        }
    }

    pub fn after_ship(&self) -> Option<&str> {
        match self {
            PassRecord::Amend { after_ship } => Some(after_ship),
            _ => None,
        }
    }
}

/// One pass of a watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchPass {
    /// The watch: its first pass's run id.
    pub watch_id: String,
    /// 1-based.
    pub pass: u32,
    pub record: PassRecord,
}

impl WatchPass {
    /// From the ledger's columns; `None` for a plain run (or a word this
    /// prod-smoke does not know, which is then delivered as a plain run).
    pub(crate) fn from_columns(
        watch_id: Option<String>,
        pass: Option<i64>,
        record: Option<String>,
        after_ship: Option<String>,
    ) -> Option<WatchPass> {
        let record = match record.as_deref()? {
            "seal" => PassRecord::Seal,
            "keep" => PassRecord::Keep,
            "amend" => PassRecord::Amend {
                after_ship: after_ship.unwrap_or_default(),
            },
            _ => return None,
        };
        Some(WatchPass {
            watch_id: watch_id?,
            pass: u32::try_from(pass?).ok()?,
            record,
        })
    }

    /// The amendment's "when", if this pass amends the seal.
    pub(crate) fn amends(&self) -> Option<&str> {
        self.record.after_ship()
    }
}

/// The summary of an amended seal: the plain summary, saying when.
/// - red: `@qa-readonly FAILED vs <host> — regressed 12 min after ship — <reason>`
/// - green: `@qa-readonly green vs <host> — recovered 18 min after ship`
///
/// The contract's words stay at the start, so the board's badge and any
/// reader of `smoke_seal` see the same seal they know.
pub fn amended_summary(verdict: Verdict, summary: &str, after_ship: &str) -> String {
    match verdict {
        Verdict::Red => match summary.split_once(" — ") {
            Some((head, reason)) => format!("{head} — regressed {after_ship} — {reason}"),
            None => format!("{summary} — regressed {after_ship}"),
        },
        Verdict::Green => format!("{summary} — recovered {after_ship}"),
        Verdict::Inconclusive => summary.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regression_says_when_before_the_reason() {
        assert_eq!(
            amended_summary(
                Verdict::Red,
                "@qa-readonly FAILED vs mcritchie.studio — GET /up returned 503, expected 200",
                "12 min after ship"
            ),
            "@qa-readonly FAILED vs mcritchie.studio — regressed 12 min after ship — GET /up \
             returned 503, expected 200"
        );
    }

    #[test]
    fn a_recovery_says_when_after_the_seal() {
        assert_eq!(
            amended_summary(
                Verdict::Green,
                "@qa-readonly green vs mcritchie.studio",
                "18 min after ship"
            ),
            "@qa-readonly green vs mcritchie.studio — recovered 18 min after ship"
        );
    }

    #[test]
    fn records_round_trip_through_the_ledger_columns() {
        for record in [
            PassRecord::Seal,
            PassRecord::Keep,
            PassRecord::Amend {
                after_ship: "9 s after ship".into(),
            },
        ] {
            let pass = WatchPass {
                watch_id: "w".into(),
                pass: 3,
                record: record.clone(),
            };
            assert_eq!(
                WatchPass::from_columns(
                    Some("w".into()),
                    Some(3),
                    Some(record.as_str().into()),
                    record.after_ship().map(str::to_string),
                ),
                Some(pass)
            );
        }
        assert_eq!(WatchPass::from_columns(None, None, None, None), None);
        assert_eq!(
            WatchPass::from_columns(Some("w".into()), Some(1), Some("later".into()), None),
            None
        );
    }
}
