//! A navigation an action starts, waited for as Playwright's actions wait
//! for theirs: whatever the page asked for while the input was dispatched
//! (a link, a form's submit, `location.href = …`) must load before the
//! step passes. A navigation the read-only guard refuses (a POST form's
//! submit) fails the step with the refused request, instead of leaving
//! the page on Chromium's error page for the next step to puzzle over.
//! A same-document change (`history.pushState`, a `#fragment`) starts no
//! navigation here; the `url` step after it polls.

use std::collections::HashSet;
use std::time::Duration;

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::network::{
    EventLoadingFailed, EventRequestWillBeSent, ResourceType,
};
use chromiumoxide::cdp::browser_protocol::page::{
    ClientNavigationDisposition, EventFrameRequestedNavigation, EventFrameStartedNavigating,
    EventLoadEventFired, FrameStartedNavigatingNavigationType,
};
use chromiumoxide::listeners::EventStream;
use futures::{FutureExt, StreamExt};
use prod_smoke_model::BlockedRequest;

use crate::failure::Failure;
use crate::page_watch::PageWatch;

/// Listening since before the input went out.
pub(super) struct Armed {
    main_frame: String,
    mark: usize,
    requested: EventStream<EventFrameRequestedNavigation>,
    started: EventStream<EventFrameStartedNavigating>,
    loaded: EventStream<EventLoadEventFired>,
    sent: EventStream<EventRequestWillBeSent>,
    failed: EventStream<EventLoadingFailed>,
}

/// Starts listening; call before dispatching the input.
pub(super) async fn arm(page: &Page, watch: &PageWatch) -> Result<Armed, String> {
    let e = |e: chromiumoxide::error::CdpError| e.to_string();
    Ok(Armed {
        main_frame: page.target_id().as_ref().to_string(),
        mark: watch.refusal_mark(),
        requested: page.event_listener().await.map_err(e)?,
        started: page.event_listener().await.map_err(e)?,
        loaded: page.event_listener().await.map_err(e)?,
        sent: page.event_listener().await.map_err(e)?,
        failed: page.event_listener().await.map_err(e)?,
    })
}

impl Armed {
    /// After the input: waits for the navigation it started, if any.
    pub(super) async fn settle(
        mut self,
        page: &Page,
        watch: &PageWatch,
        what: &str,
        timeout: Duration,
    ) -> Result<(), Failure> {
        // One round trip: every event the input caused arrives before its
        // answer, on the same session.
        let _ = page.evaluate("0").await;
        let mut navigating = false;
        while let Some(Some(ev)) = self.requested.next().now_or_never() {
            navigating |= ev.frame_id.as_ref() == self.main_frame
                && ev.disposition == ClientNavigationDisposition::CurrentTab;
        }
        while let Some(Some(ev)) = self.started.next().now_or_never() {
            navigating |= ev.frame_id.as_ref() == self.main_frame
                && matches!(
                    ev.navigation_type,
                    FrameStartedNavigatingNavigationType::DifferentDocument
                        | FrameStartedNavigatingNavigationType::HistoryDifferentDocument
                );
        }
        if let Some(refused) = self.refused(watch) {
            return Err(refused_failure(what, &refused));
        }
        if !navigating {
            return Ok(());
        }
        let main = self.main_frame.clone();
        let outcome = tokio::time::timeout(timeout, async {
            let mut documents = HashSet::new();
            loop {
                tokio::select! {
                    biased;
                    Some(ev) = self.sent.next() => {
                        if ev.r#type == Some(ResourceType::Document)
                            && ev.frame_id.as_ref().is_none_or(|f| f.as_ref() == main)
                        {
                            documents.insert(ev.request_id.clone());
                        }
                    }
                    Some(ev) = self.failed.next() => {
                        if documents.contains(&ev.request_id) {
                            return Err(ev.error_text.clone());
                        }
                    }
                    Some(_) = self.loaded.next() => return Ok(()),
                    else => std::future::pending::<()>().await,
                }
            }
        })
        .await;
        // The guard files a refusal before it fails the request, so it is
        // here by the time the failure (or Chromium's error page) is.
        if let Some(refused) = self.refused(watch) {
            return Err(refused_failure(what, &refused));
        }
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(net)) => Err(Failure::once(format!(
                "expected the navigation the {what} started to load, it failed: {net}"
            ))),
            Err(_) => Err(Failure::once(format!(
                "expected the navigation the {what} started to load within {}s, it did not",
                timeout.as_secs_f32()
            ))),
        }
    }

    /// A document request of the main frame that the guard refused since
    /// the input: the action's own navigation.
    fn refused(&self, watch: &PageWatch) -> Option<BlockedRequest> {
        watch
            .refused_since(self.mark)
            .into_iter()
            .find(|(frame, r)| {
                frame == &self.main_frame && matches!(r.channel.as_str(), "form" | "block-url")
            })
            .map(|(_, r)| r)
    }
}

fn refused_failure(what: &str, r: &BlockedRequest) -> Failure {
    Failure::once(format!(
        "the {what} sent {} {}, which prod-smoke's read-only guard refused: a smoke run never writes",
        r.method, r.url
    ))
}
