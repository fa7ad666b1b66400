//! One Chromium for a whole watch. Launching it is most of a pass's cost
//! (docs/benchmarks.md), so it is launched once and each pass borrows it as
//! a running browser (`BrowserSource::Connect`, which the runner leaves
//! running, its pages and contexts closed). A browser that died (crashed,
//! killed) is launched again for the next pass. It is killed with its
//! process group when the watch ends, on drop too (a panic, a cancelled
//! future), and the kernel kills it if prod-smoke itself is killed.
//!
//! With `--cdp-url` there is nothing to keep: every pass borrows the
//! pool's browser as a plain run does.
//!
//! It lives in the runner because it is browser lifecycle, as
//! [`ChromiumProcess`] is; `prod_smoke_watch` only holds one.

use std::path::PathBuf;

use crate::browser::BrowserSource;
use crate::process::{ChromiumProcess, find_chromium};

/// The watch's one browser, launched on first use and again when it died.
#[derive(Default)]
pub struct KeptBrowser {
    /// `--chromium`, else found as a plain run finds it.
    chromium: Option<PathBuf>,
    process: Option<ChromiumProcess>,
    /// How many times it was launched (1 unless it died).
    pub launches: u32,
}

impl KeptBrowser {
    /// `None` when the passes borrow a pool's browser (`--cdp-url`).
    pub fn new(chromium: Option<PathBuf>, cdp_url: Option<&str>) -> Option<Self> {
        cdp_url.is_none().then(|| KeptBrowser {
            chromium,
            ..KeptBrowser::default()
        })
    }

    /// The browser for the next pass: the running one, or a new one when
    /// there is none or it died. `Err` says why none could be launched;
    /// the pass then launches its own and reports that failure itself.
    pub async fn source(&mut self) -> Result<BrowserSource, String> {
        if let Some(process) = self.process.as_mut() {
            if !process.has_exited() {
                return Ok(BrowserSource::Connect(process.ws_url().to_string()));
            }
            tracing::warn!("the watch's browser died; launching another for the next pass");
            if let Some(dead) = self.process.take() {
                dead.shutdown().await;
            }
        }
        let path = find_chromium(self.chromium.as_deref()).map_err(|e| e.to_string())?;
        let process = ChromiumProcess::launch(&path)
            .await
            .map_err(|e| e.to_string())?;
        self.launches += 1;
        let url = process.ws_url().to_string();
        self.process = Some(process);
        Ok(BrowserSource::Connect(url))
    }

    /// Kills the browser and its helpers; they are reaped before
    /// prod-smoke exits (`finish_reaping`).
    pub async fn close(mut self) {
        if let Some(process) = self.process.take() {
            process.shutdown().await;
        }
    }
}
