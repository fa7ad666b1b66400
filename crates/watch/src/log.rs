//! watch.log: the watch's own artifact, one stamped line per event, beside
//! the passes' folders (as heartbeat.log is each pass's). Its lines are
//! formatted here, not by a renderer, because tools read them: `cargo
//! xtask bench --watch` times each pass from its `pass N starts` line to
//! its `pass N at …` line. A person sees the same sentences (through
//! [`WatchNote::Logged`](crate::WatchNote::Logged)), unstamped.
//!
//! A log that cannot be written loses the line, never the watch.

use std::io::Write as _;
use std::path::PathBuf;

use chrono::Utc;

use crate::policy::{KeepReason, Record};
use crate::run::{PassPlan, WatchEvent};
use crate::schedule::shown;
use crate::timeline::after_ship;

/// The watch's log's name, in the watch's folder.
pub const WATCH_LOG: &str = "watch.log";

/// watch.log in one watch's folder.
pub(crate) struct WatchLog {
    root: PathBuf,
}

impl WatchLog {
    pub(crate) fn new(root: PathBuf) -> Self {
        WatchLog { root }
    }

    /// Appends `line`, stamped to the millisecond.
    pub(crate) fn append(&self, line: &str) {
        let _ = std::fs::create_dir_all(&self.root);
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.root.join(WATCH_LOG))
        {
            let _ = writeln!(
                file,
                "{} {line}",
                Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ")
            );
        }
    }
}

/// For the log alone: with the record's line, each pass's wall time.
pub(crate) fn starting(plan: &PassPlan) -> String {
    format!("pass {} starts", plan.number)
}

/// The line of a pass recorded or a stop asked for, which a person sees
/// too; `None` for the events only the log or nobody gets.
pub(crate) fn shared_line(event: &WatchEvent<'_>) -> Option<String> {
    match event {
        WatchEvent::Recorded(seen) => Some(format!(
            "pass {} at {}: {} — {}",
            seen.number,
            shown(seen.offset),
            seen.verdict.as_str(),
            said(&seen.record)
        )),
        WatchEvent::Stopping {
            why,
            pass_in_flight,
        } => Some(format!(
            "{why}: the watch ends{}",
            if *pass_in_flight {
                " once the pass in flight is recorded"
            } else {
                ""
            }
        )),
        WatchEvent::Starting(_) | WatchEvent::Waiting { .. } => None,
    }
}

/// What the policy made of a pass, in words.
fn said(record: &Record) -> String {
    match record {
        Record::Seal => "sealed".to_string(),
        Record::Keep(KeepReason::Unchanged) => "unchanged, nothing posted".to_string(),
        Record::Keep(KeepReason::Inconclusive) => {
            "inconclusive, the seal stays as it is".to_string()
        }
        Record::Keep(KeepReason::Unconfirmed { seen, needed }) => {
            format!("not confirmed yet ({seen} of {needed} in a row), nothing posted")
        }
        Record::Amend(change) if change.is_regression() => format!(
            "REGRESSED {} (confirmed by {} passes): the seal is red",
            after_ship(change.since),
            change.passes
        ),
        Record::Amend(change) => format!(
            "recovered {} (confirmed by {} passes): the seal is green",
            after_ship(change.since),
            change.passes
        ),
    }
}
