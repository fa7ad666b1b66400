//! `results.json`: the run as data. It is a superset of the model's
//! `RunReport`, so it reads back with `serde_json::from_str::<RunReport>`.
//!
//! Two counts, each named: `counts` counts checks (every step, as
//! report.html and the webhook do) and `scenario_counts` counts scenarios
//! (the contract's `N passed, N failed` on stderr and in `--json`). A
//! failed check carries `cause`: what the page said in its scenario.

use prod_smoke_model::{CheckStatus, RunReport};
use serde_json::{Value, json};

use crate::errors::ReportError;

/// Bumped when a key changes meaning or goes away.
pub const RESULTS_SCHEMA: &str = "prod-smoke.results/1";

/// The document written to `results.json`.
pub fn results_json(report: &RunReport) -> Result<Value, ReportError> {
    let mut doc = serde_json::to_value(report).map_err(|source| ReportError::Json { source })?;
    let skipped = report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Skipped)
        .count();
    if let Value::Object(map) = &mut doc {
        map.insert("schema".into(), json!(RESULTS_SCHEMA));
        map.insert("host".into(), json!(report.host()));
        map.insert(
            "passed".into(),
            json!(report.verdict == prod_smoke_model::Verdict::Green),
        );
        map.insert(
            "counts".into(),
            json!({
                "total": report.checks.len(),
                "passed": report.passed_count(),
                "failed": report.failed_count(),
                "flaky": report.flaky_count(),
                "skipped": skipped,
            }),
        );
        map.insert("duration_ms".into(), json!(report.duration_ms()));
        map.insert("scenario_counts".into(), json!(report.scenario_counts()));
        // Screenshot paths are written with forward slashes on every platform.
        if let Some(Value::Array(checks)) = map.get_mut("checks") {
            for (check, model) in checks.iter_mut().zip(&report.checks) {
                add_failure_cause(check, report, model);
                if let (Value::Object(c), Some(shot)) = (check, &model.screenshot) {
                    c.insert(
                        "screenshot".into(),
                        json!(crate::manifest::slash_path(shot)),
                    );
                }
            }
        }
    }
    Ok(doc)
}

/// On a failed check: what the page said in its scenario (see
/// [`RunReport::cause_of`]), so the cause sits with the failure rather
/// than under the scenario's visit.
fn add_failure_cause(check: &mut Value, report: &RunReport, model: &prod_smoke_model::CheckResult) {
    if model.status != CheckStatus::Failed {
        return;
    }
    if let (Value::Object(c), Ok(cause)) = (check, serde_json::to_value(report.cause_of(model))) {
        c.insert("cause".into(), cause);
    }
}
