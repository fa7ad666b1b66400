//! `seal.intoto.json` for a seal: which spec ran (read once, before the
//! run, so the digest names the bytes that were executed) and, after the
//! manifest's last rewrite, the statement naming its digest.

use std::path::Path;

use prod_smoke_model::RunReport;
use prod_smoke_report::{MANIFEST_FILE, SpecResource, write_statement};

use crate::events::{EngineEvent, EngineEvents};

/// The spec given with `--spec`, else the embedded suite. `None` when the
/// file cannot be read again (it was read a moment ago to load the suite).
pub(crate) fn spec_resource(spec: Option<&Path>) -> Option<SpecResource> {
    match spec {
        None => Some(SpecResource::new(
            prod_smoke_spec::DEFAULT_SUITE_NAME,
            prod_smoke_spec::DEFAULT_SUITE_YAML.as_bytes(),
        )),
        Some(path) => {
            // The raw bytes, as `sha256sum` of the file would see them.
            let size = std::fs::metadata(path).ok()?.len();
            if size > prod_smoke_spec::MAX_SPEC_BYTES as u64 {
                return None;
            }
            let bytes = std::fs::read(path).ok()?;
            Some(SpecResource::new(&path.display().to_string(), &bytes))
        }
    }
}

/// Writes the statement into `dir` when it has a manifest (a folder whose
/// reports failed has none, and so no statement either). Must run after
/// the manifest's last rewrite: its subject is the manifest's digest.
pub(crate) async fn write(
    dir: &Path,
    report: &RunReport,
    spec: Option<SpecResource>,
    run_url: Option<String>,
    events: &EngineEvents,
) {
    let Some(spec) = spec else {
        events.emit(EngineEvent::SpecNotHashed);
        return;
    };
    if !tokio::fs::try_exists(dir.join(MANIFEST_FILE))
        .await
        .unwrap_or(false)
    {
        return;
    }
    let dir = dir.to_path_buf();
    let report = report.clone();
    let written = tokio::task::spawn_blocking(move || {
        write_statement(&dir, &report, &spec, run_url.as_deref())
    })
    .await;
    if let Ok(Err(e)) = written {
        events.emit(EngineEvent::StatementNotWritten { why: e.to_string() });
    }
}
