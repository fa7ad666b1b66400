//! The seal run: flags to a [`SealRequest`], the engine's events to
//! stderr, the outcome to an exit code and, with `--json`, one object on
//! stdout.

use prod_smoke_engine::{Engine, EngineEvents, SealOutcome, SealRequest};
use prod_smoke_model::Verdict;

use crate::args::RunArgs;
use crate::{exit, progress};

pub async fn run(args: RunArgs) -> u8 {
    let json = args.json;
    let prepared = match Engine::prepare(request(args)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("prod-smoke: {e}");
            return exit::BAD_INPUT;
        }
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let printer = tokio::spawn(progress::report(rx, prepared.redactor().clone()));
    let events = EngineEvents::new(tx);
    let outcome = prepared.seal(&events).await;
    drop(events);
    let _ = printer.await;
    if json {
        println!("{}", json_line(&outcome));
    }
    exit::of(outcome.outcome)
}

/// The engine's request, with the CLI's exit codes for heartbeat.log.
pub(crate) fn request(args: RunArgs) -> SealRequest {
    SealRequest {
        exit_code: exit::of,
        ..args.request
    }
}

/// The contract's `--json` object.
fn json_line(outcome: &SealOutcome) -> serde_json::Value {
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
