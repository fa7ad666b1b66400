//! Full-page PNG screenshots, written straight into the artifacts folder.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::page::{
    CaptureScreenshotFormat, CaptureScreenshotParams, GetLayoutMetricsParams, Viewport,
};

/// Pages taller than this get a viewport-sized screenshot: capturing beyond
/// the viewport relayouts the whole page at its full height, which takes
/// tens of seconds on a multi-megabyte page, and the PNG would be too big to
/// read or attach anyway.
const MAX_FULL_PAGE_HEIGHT: f64 = 8000.0;
const VIEWPORT: (f64, f64) = (1280.0, 720.0);
const TIMEOUT: Duration = Duration::from_secs(15);

/// Captures the page and writes `<dir>/screenshots/<name>.png`. Returns the
/// path relative to `dir`, or why it failed.
pub async fn capture(page: &Page, dir: &Path, name: &str) -> Result<PathBuf, String> {
    let png = tokio::time::timeout(TIMEOUT, png(page))
        .await
        .map_err(|_| format!("screenshot took over {}s", TIMEOUT.as_secs()))??;
    let rel = PathBuf::from("screenshots").join(format!("{name}.png"));
    let path = dir.join(&rel);
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    write_atomic(path, png).await?;
    Ok(rel)
}

/// Writes a file whole or not at all (`prod_smoke_model::atomic`), off the
/// runtime's threads; the error names the path and the system's cause.
pub(crate) async fn write_atomic(path: PathBuf, bytes: Vec<u8>) -> Result<(), String> {
    let shown = path.display().to_string();
    tokio::task::spawn_blocking(move || prod_smoke_model::atomic::write_atomic(&path, &bytes))
        .await
        .map_err(|e| format!("cannot write {shown}: {e}"))?
        .map_err(|e| format!("cannot write {shown}: {e}"))
}

async fn png(page: &Page) -> Result<Vec<u8>, String> {
    let metrics = page
        .execute(GetLayoutMetricsParams::default())
        .await
        .map_err(|e| e.to_string())?;
    let size = &metrics.result.css_content_size;
    let full_page = size.height <= MAX_FULL_PAGE_HEIGHT && size.width <= 4000.0;
    let (width, height) = if full_page {
        (size.width.max(VIEWPORT.0), size.height.max(1.0))
    } else {
        VIEWPORT
    };
    let params = CaptureScreenshotParams {
        format: Some(CaptureScreenshotFormat::Png),
        clip: Some(Viewport {
            x: 0.0,
            y: 0.0,
            width,
            height,
            scale: 1.0,
        }),
        capture_beyond_viewport: Some(full_page),
        // Faster PNG encoding at a slightly larger file: ~20 ms a visit.
        optimize_for_speed: Some(true),
        ..CaptureScreenshotParams::default()
    };
    let shot = page.execute(params).await.map_err(|e| e.to_string())?;
    base64::engine::general_purpose::STANDARD
        .decode(shot.result.data.as_ref() as &[u8])
        .map_err(|e| e.to_string())
}
