//! Full-page PNG screenshots, written straight into the artifacts folder.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams;
use chromiumoxide::cdp::browser_protocol::page::{
    CaptureScreenshotFormat, CaptureScreenshotParams, GetLayoutMetricsParams, Viewport,
};

/// Pages taller than this get their top this-many pixels, and a note says
/// so: capturing beyond the viewport relayouts the whole page at its full
/// height, which takes tens of seconds on a multi-megabyte page, and the PNG
/// would be too big to read or attach anyway. The top part is taken by
/// making the viewport this tall for the capture, which lays out only that
/// much.
pub const MAX_FULL_PAGE_HEIGHT: f64 = 8000.0;
const VIEWPORT: (f64, f64) = (1280.0, 720.0);
const TIMEOUT: Duration = Duration::from_secs(15);

/// A screenshot written to the artifacts folder.
pub struct Shot {
    /// The path relative to the artifacts folder.
    pub path: PathBuf,
    /// Set when the page was taller than [`MAX_FULL_PAGE_HEIGHT`] and only
    /// its top was captured: says so, with both heights.
    pub capped: Option<String>,
}

/// Captures the page and writes `<dir>/screenshots/<name>.png`. Returns the
/// path relative to `dir` (and a note when the page was too tall to capture
/// whole), or why it failed.
pub async fn capture(page: &Page, dir: &Path, name: &str) -> Result<Shot, String> {
    let (png, capped) = tokio::time::timeout(TIMEOUT, png(page))
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
    Ok(Shot { path: rel, capped })
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

async fn png(page: &Page) -> Result<(Vec<u8>, Option<String>), String> {
    let metrics = page
        .execute(GetLayoutMetricsParams::default())
        .await
        .map_err(|e| e.to_string())?;
    let size = &metrics.result.css_content_size;
    if size.height <= MAX_FULL_PAGE_HEIGHT && size.width <= 4000.0 {
        let clip = (size.width.max(VIEWPORT.0), size.height.max(1.0));
        return Ok((shoot(page, clip, true).await?, None));
    }
    // Too big to capture whole: a viewport as tall as the cap, the top of
    // the page captured in it, then the viewport back as it was.
    let width = VIEWPORT.0;
    let height = MAX_FULL_PAGE_HEIGHT.min(size.height.max(VIEWPORT.1));
    let resize = |h: f64| SetDeviceMetricsOverrideParams::new(width as i64, h as i64, 1.0, false);
    page.execute(resize(height))
        .await
        .map_err(|e| e.to_string())?;
    let shot = shoot(page, (width, height), false).await;
    let _ = page.execute(resize(VIEWPORT.1)).await;
    let note = format!(
        "the page is {:.0} px tall by {:.0} px wide; the screenshot shows its top {height:.0} x \
         {width:.0} px (prod-smoke's cap for a full-page screenshot)",
        size.height, size.width
    );
    Ok((shot?, Some(note)))
}

async fn shoot(page: &Page, (width, height): (f64, f64), beyond: bool) -> Result<Vec<u8>, String> {
    let params = CaptureScreenshotParams {
        format: Some(CaptureScreenshotFormat::Png),
        clip: Some(Viewport {
            x: 0.0,
            y: 0.0,
            width,
            height,
            scale: 1.0,
        }),
        capture_beyond_viewport: Some(beyond),
        // Faster PNG encoding at a slightly larger file: ~20 ms a visit.
        optimize_for_speed: Some(true),
        ..CaptureScreenshotParams::default()
    };
    let shot = page.execute(params).await.map_err(|e| e.to_string())?;
    base64::engine::general_purpose::STANDARD
        .decode(shot.result.data.as_ref() as &[u8])
        .map_err(|e| e.to_string())
}
