//! The evidence a pass leaves: the report files and the manifest, GitHub
//! Actions' step summary and annotations, and, once heartbeat.log has its
//! last line, the manifest written again. The files are written on a
//! blocking thread, off the runtime's.

use std::path::Path;

use prod_smoke_model::RunReport;
use prod_smoke_redact::Redactor;

use crate::events::{EngineEvent, EngineEvents};

/// The report files, the manifest, and GitHub Actions' outputs.
pub(crate) async fn write(report: &RunReport, redactor: &Redactor, events: &EngineEvents) {
    if let Some(dir) = &report.artifacts_dir {
        let (into, owned) = (dir.clone(), report.clone());
        let written =
            tokio::task::spawn_blocking(move || prod_smoke_report::write_artifacts(&into, &owned))
                .await
                .map_err(|e| e.to_string())
                // The whole chain: the path and the system's cause (ENOSPC).
                .and_then(|r| r.map_err(|e| prod_smoke_seal::chain(&e)));
        events.emit(match written {
            Ok(paths) => written_event(dir, report, paths.report_html),
            Err(e) => EngineEvent::ReportsNotWritten {
                why: redactor.redact(&e),
            },
        });
    }
    write_ci_outputs(report, events).await;
}

fn written_event(dir: &Path, report: &RunReport, report_html: std::path::PathBuf) -> EngineEvent {
    let traces = report
        .traces
        .iter()
        .flat_map(|t| {
            [&t.har, &t.mhtml, &t.console]
                .into_iter()
                .flatten()
                .map(|file| (dir.join(file), t.scenario.clone()))
        })
        .collect();
    let screenshots = report
        .checks
        .iter()
        .filter_map(|c| Some((dir.join(c.screenshot.as_ref()?), c.name.clone())))
        .collect();
    EngineEvent::ReportsWritten {
        files: prod_smoke_report::REPORT_FILES.to_vec(),
        report_html,
        trace_count: report.traces.len(),
        traces,
        screenshots,
    }
}

/// GitHub Actions: a step summary table and `::error` annotations.
async fn write_ci_outputs(report: &RunReport, events: &EngineEvents) {
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
        use tokio::io::AsyncWriteExt;
        let md = prod_smoke_report::step_summary_markdown(report);
        let appended = async {
            let mut file = tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .await?;
            file.write_all(md.as_bytes()).await?;
            file.flush().await
        };
        if let Err(e) = appended.await {
            events.emit(EngineEvent::StepSummaryNotWritten { why: e.to_string() });
        }
    }
    // Rendered on stderr: the runner reads workflow commands there too,
    // and stdout stays one JSON object under --json.
    if std::env::var_os("GITHUB_ACTIONS").is_some() {
        events.emit(EngineEvent::Annotations {
            lines: prod_smoke_report::github_annotations(report),
        });
    }
}

/// heartbeat.log keeps growing after the reports (and the manifest) are
/// written: the seal's deliveries and the end come later. So the manifest
/// is written again once the log has its last line; it then covers the
/// log as it stays. Only a manifest that was written the first time is
/// rewritten, so a folder where even the manifest did not fit gets none.
pub(crate) async fn reseal_manifest(dir: &Path, events: &EngineEvents) {
    if !tokio::fs::try_exists(dir.join(prod_smoke_report::MANIFEST_FILE))
        .await
        .unwrap_or(false)
    {
        return;
    }
    let dir = dir.to_path_buf();
    let written =
        tokio::task::spawn_blocking(move || prod_smoke_report::write_manifest(&dir)).await;
    if let Ok(Err(e)) = written {
        events.emit(EngineEvent::ManifestNotRewritten {
            why: prod_smoke_seal::chain(&e),
        });
    }
}
