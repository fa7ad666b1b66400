//! `results.json`: the run as data. It is a superset of the model's
//! `RunReport`, so it reads back with `serde_json::from_str::<RunReport>`.

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
        // Screenshot paths are written with forward slashes on every platform.
        if let Some(Value::Array(checks)) = map.get_mut("checks") {
            for (check, model) in checks.iter_mut().zip(&report.checks) {
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
