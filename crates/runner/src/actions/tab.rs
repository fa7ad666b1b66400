//! `click … opens: tab`: the tab a click opens becomes the page the
//! scenario's later steps read. Chromium creates the tab as a new target
//! whose opener is the page; it is picked up as soon as the browser
//! announces it, given the same page watch every page gets (its requests
//! pass the browser-wide guard whatever, and refusals a watch misses are
//! filed by browser context), and waited on until it has loaded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::target::EventTargetCreated;
use chromiumoxide::listeners::EventStream;
use chromiumoxide::{Browser, Page};
use futures::StreamExt;

use crate::failure::Failure;

/// Listening for new targets since before the click.
pub(super) struct Armed {
    created: EventStream<EventTargetCreated>,
    browser: Arc<Browser>,
}

pub(super) async fn arm(browser: Arc<Browser>) -> Result<Armed, String> {
    Ok(Armed {
        created: browser
            .event_listener::<EventTargetCreated>()
            .await
            .map_err(|e| e.to_string())?,
        browser,
    })
}

impl Armed {
    /// The tab `opener` opened, once the browser has a page for it.
    pub(super) async fn opened(
        mut self,
        opener: &Page,
        timeout: Duration,
    ) -> Result<Page, Failure> {
        let start = Instant::now();
        let opener_id = opener.target_id().clone();
        let none = || {
            Failure::once(format!(
                "expected the click to open a tab, none opened within {}s",
                timeout.as_secs_f32()
            ))
        };
        let target = tokio::time::timeout(timeout, async {
            while let Some(ev) = self.created.next().await {
                let info = &ev.target_info;
                if info.r#type == "page" && info.opener_id.as_ref() == Some(&opener_id) {
                    return Some(info.target_id.clone());
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .ok_or_else(none)?;
        // chromiumoxide attaches to every page target; the page handle
        // exists once that is done.
        loop {
            if let Ok(page) = self.browser.get_page(target.clone()).await {
                return Ok(page);
            }
            if start.elapsed() >= timeout {
                return Err(none());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// Waits until the tab has left `about:blank` and finished loading, as
/// Playwright's `waitForEvent('popup')` followed by its load state.
pub(crate) async fn loaded(page: &Page, timeout: Duration) -> Result<(), Failure> {
    let start = Instant::now();
    let mut last = String::from("about:blank");
    while start.elapsed() < timeout {
        let state = page
            .evaluate("[location.href, document.readyState]")
            .await
            .ok()
            .and_then(|r| r.into_value::<(String, String)>().ok());
        if let Some((href, ready)) = state {
            if href != "about:blank" && ready == "complete" {
                return Ok(());
            }
            last = href;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(Failure::once(format!(
        "expected the tab the click opened to load within {}s; it was still at {last}",
        timeout.as_secs_f32()
    )))
}
