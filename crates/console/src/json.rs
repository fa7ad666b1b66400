//! The `--json` objects, one on stdout at the end: the drop-in contract's
//! machine-readable answer. Field names and types never change.

use prod_smoke_engine::SealOutcome;
use prod_smoke_model::Verdict;
use prod_smoke_watch::{WatchVerdict, WatchedRelease};

/// A seal's object.
pub fn seal_json(outcome: &SealOutcome) -> serde_json::Value {
    let report = &outcome.report;
    let counts = report.scenario_counts();
    serde_json::json!({
        "app": outcome.app,
        "url": outcome.url,
        "passed": outcome.verdict == Verdict::Green,
        "verdict": outcome.verdict.as_str(),
        "sealed": outcome.durable,
        "run_id": report.run_id,
        "retried": report.retried,
        "scenarios": {
            "passed": counts.passed,
            "failed": counts.failed,
            "skipped": counts.skipped,
            "flaky": counts.flaky,
        },
        "artifacts": report.artifacts_dir,
    })
}

/// One object for the whole watch.
pub fn watch_json(watched: &WatchedRelease) -> serde_json::Value {
    let report = &watched.report;
    let verdict = report.verdict();
    serde_json::json!({
        "app": watched.app,
        "url": watched.url,
        "passed": verdict == WatchVerdict::Green,
        "verdict": verdict.as_str(),
        "passes": report.passes.len(),
        "green": report.timeline.count(Verdict::Green),
        "red": report.timeline.count(Verdict::Red),
        "inconclusive": report.inconclusive(),
        "changes": report.changes().iter().map(|c| serde_json::json!({
            "to": c.to.as_str(),
            "since_secs": c.since.as_secs(),
            "confirmed_at_secs": c.confirmed_at.as_secs(),
        })).collect::<Vec<_>>(),
        "timeline": report.timeline.to_string(),
        "stopped": report.stopped,
    })
}
