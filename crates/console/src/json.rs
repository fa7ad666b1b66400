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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use prod_smoke_watch::{PassSeen, Record, Timeline, WatchReport};

    use super::*;

    /// The watch's object keeps the contract's keys and counts passes by
    /// verdict.
    #[test]
    fn a_watch_object_counts_its_passes() {
        let mut timeline = Timeline::new(Duration::from_secs(3600));
        let mut passes = Vec::new();
        for (number, verdict) in [(1, Verdict::Green), (2, Verdict::Inconclusive)] {
            let offset = Duration::from_secs(300 * u64::from(number - 1));
            timeline.push(offset, verdict);
            passes.push(PassSeen {
                number,
                offset,
                verdict,
                record: Record::Seal,
            });
        }
        let watched = WatchedRelease {
            app: "studio".into(),
            url: "https://studio.example".into(),
            report: WatchReport {
                passes,
                timeline,
                stopped: Some("SIGTERM".into()),
            },
        };
        let json = watch_json(&watched);
        assert_eq!(json["app"], "studio");
        assert_eq!(json["passes"], 2);
        assert_eq!(json["green"], 1);
        assert_eq!(json["red"], 0);
        assert_eq!(json["inconclusive"], 1);
        assert_eq!(json["passed"], true);
        assert_eq!(json["verdict"], "green");
        assert_eq!(json["stopped"], "SIGTERM");
        assert_eq!(json["changes"], serde_json::json!([]));
    }
}
