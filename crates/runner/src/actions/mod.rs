//! Interactions (`click`, `hover`, `fill`, `press`, `scroll`), done as
//! Playwright's actions do them:
//!
//! 1. **Actionable first** (actionable.rs, actionable.js): the locator must
//!    match exactly one element (more is a strict-mode violation, failed
//!    at once), and that element must be attached, visible, stable over
//!    two animation frames, enabled, editable for `fill`, and for a pointer
//!    action the one a hit test at its centre finds. Until then the step
//!    retries, up to its timeout.
//! 2. **Real input** (input.rs): `Input.dispatchMouseEvent` at the
//!    element's centre after it is scrolled into view, key events with the
//!    codes Chromium acts on, `Input.insertText` for `fill`. The page sees
//!    trusted events, so its own handlers and default actions run.
//! 3. **Then the consequences** (navigation.rs, tab.rs): a navigation the
//!    input started is waited for until it loads, and one the read-only
//!    guard refused fails the step with the refused request; with
//!    `opens: tab`, the new tab is returned for the steps after.
//!
//! Interactions are allowed because they cannot write: every request the
//! page sends, whatever caused it, passes the browser-wide guard.

mod actionable;
mod input;
mod navigation;
mod tab;

use std::sync::Arc;
use std::time::Duration;

use chromiumoxide::{Browser, Page};
use prod_smoke_spec::steps::Action;

use crate::failure::Failure;
use crate::page_watch::PageWatch;
use actionable::{NotReady, Purpose};

pub(crate) use tab::loaded as tab_loaded;

/// What an action needs of the scenario.
pub(crate) struct ActionContext<'a> {
    pub page: &'a Page,
    pub watch: &'a PageWatch,
    pub browser: Arc<Browser>,
    /// How long the target may take to become actionable, by default.
    pub expect_timeout: Duration,
    /// How long a navigation (or a new tab) may take to load.
    pub nav_timeout: Duration,
}

pub(crate) enum Acted {
    Done,
    /// The click opened this tab; later steps read it.
    OpenedTab(Page),
    Failed(Failure),
    Broken(String),
}

impl From<NotReady> for Acted {
    fn from(n: NotReady) -> Self {
        match n {
            NotReady::Failed(f) => Acted::Failed(f),
            NotReady::Broken(e) => Acted::Broken(e),
        }
    }
}

fn broken(e: impl ToString) -> Acted {
    Acted::Broken(e.to_string())
}

pub(crate) async fn act(cx: &ActionContext<'_>, action: &Action) -> Acted {
    let timeout = action.timeout().unwrap_or(cx.expect_timeout);
    let page = cx.page;
    let ready = |purpose| async move {
        let target = action.target().expect("the action has a target");
        actionable::wait(page, target, purpose, timeout).await
    };
    match action {
        Action::Hover(_) => match ready(Purpose::Hover).await {
            Ok(r) => match input::move_to(page, r.point().unwrap_or_default()).await {
                Ok(()) => Acted::Done,
                Err(e) => broken(e),
            },
            Err(n) => n.into(),
        },
        Action::Scroll(_) => match ready(Purpose::Scroll).await {
            Ok(_) => Acted::Done,
            Err(n) => n.into(),
        },
        Action::Fill(f) => {
            let r = match ready(Purpose::Fill(&f.with)).await {
                Ok(r) => r,
                Err(n) => return n.into(),
            };
            // Playwright's fill: type over the selection, or delete it.
            let typed = match (r.done, f.with.is_empty()) {
                (true, _) => Ok(()),
                (false, true) => {
                    let delete = prod_smoke_spec::steps::key_def("Delete").expect("a named key");
                    input::press(page, &[delete]).await
                }
                (false, false) => input::insert_text(page, &f.with).await,
            };
            match typed {
                Ok(()) => Acted::Done,
                Err(e) => broken(e),
            }
        }
        Action::Press(p) => {
            if p.target.is_some()
                && let Err(n) = ready(Purpose::Focus).await
            {
                return n.into();
            }
            with_navigation(cx, "key press", input::press(page, &p.chord)).await
        }
        Action::Click(c) => {
            let r = match ready(Purpose::Click).await {
                Ok(r) => r,
                Err(n) => return n.into(),
            };
            let at = r.point().unwrap_or_default();
            if !c.opens_tab {
                return with_navigation(cx, "click", input::click(page, at)).await;
            }
            let armed = match tab::arm(cx.browser.clone()).await {
                Ok(a) => a,
                Err(e) => return broken(e),
            };
            if let Err(e) = input::click(page, at).await {
                return broken(e);
            }
            match armed.opened(page, cx.nav_timeout).await {
                Ok(tab) => Acted::OpenedTab(tab),
                Err(f) => Acted::Failed(f),
            }
        }
    }
}

/// Sends the input, then waits for a navigation it started.
async fn with_navigation(
    cx: &ActionContext<'_>,
    what: &str,
    send: impl std::future::Future<Output = Result<(), chromiumoxide::error::CdpError>>,
) -> Acted {
    let armed = match navigation::arm(cx.page, cx.watch).await {
        Ok(a) => a,
        Err(e) => return broken(e),
    };
    if let Err(e) = send.await {
        return broken(e);
    }
    match armed.settle(cx.page, cx.watch, what, cx.nav_timeout).await {
        Ok(()) => Acted::Done,
        Err(f) => Acted::Failed(f),
    }
}
