//! Waiting for an action's target to be actionable, as Playwright's
//! `_retryPointerAction` does: resolve the locator, fail at once on a
//! strict-mode violation, else retry (0, 20, 100, 100, then every 500 ms)
//! until every check of the action passes or the timeout ends.

use std::time::{Duration, Instant};

use chromiumoxide::Page;
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use prod_smoke_spec::Locator;
use prod_smoke_spec::steps::{ARIA_ROLES, prelude};
use serde::Deserialize;

use crate::failure::Failure;

/// Playwright's retry intervals for an action that is not ready yet.
const RETRY_MS: &[u64] = &[0, 20, 100, 100, 500];

/// The page-side half: actionability on top of the page checks' locators.
const ACTIONABLE_JS: &str = include_str!("actionable.js");

/// What the action does to the element once it is ready.
#[derive(Debug, Clone, Copy)]
pub(super) enum Purpose<'a> {
    Click,
    Hover,
    Scroll,
    /// Select the text, ready for typing `value` over it.
    Fill(&'a str),
    /// `locator.press()`: focus the element.
    Focus,
}

impl Purpose<'_> {
    /// Playwright's states for each action (`waitForElementStates`).
    fn checks(self) -> &'static [&'static str] {
        match self {
            Purpose::Click => &["visible", "stable", "enabled"],
            Purpose::Hover | Purpose::Scroll => &["visible", "stable"],
            Purpose::Fill(_) => &["visible", "enabled", "editable"],
            Purpose::Focus => &[],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Purpose::Click => "click",
            Purpose::Hover => "hover",
            Purpose::Scroll => "scroll",
            Purpose::Fill(_) => "fill",
            Purpose::Focus => "focus",
        }
    }
}

/// The element is ready: where to send pointer input, and whether the
/// page already did the whole action (a date input's value is set).
#[derive(Debug, Deserialize)]
pub(super) struct Ready {
    pub x: Option<f64>,
    pub y: Option<f64>,
    #[serde(default)]
    pub done: bool,
}

impl Ready {
    pub fn point(&self) -> Option<(f64, f64)> {
        Some((self.x?, self.y?))
    }
}

#[derive(Debug, Deserialize)]
struct Attempt {
    state: String,
    #[serde(default)]
    count: usize,
    message: Option<String>,
    element: Option<String>,
    by: Option<String>,
    #[serde(flatten)]
    ready: Ready,
}

pub(super) enum NotReady {
    /// The site's fault: strict mode, a target that never got ready.
    Failed(Failure),
    /// The browser broke.
    Broken(String),
}

/// Waits until `locator`'s one element is ready for `purpose`, and makes
/// it ready (scrolls it into view, focuses it, selects its text).
pub(super) async fn wait(
    page: &Page,
    locator: &Locator,
    purpose: Purpose<'_>,
    timeout: Duration,
) -> Result<Ready, NotReady> {
    let shown = locator.describe();
    let mut args = serde_json::json!({
        "locator": locator.to_json(),
        "roles": ARIA_ROLES,
        "checks": purpose.checks(),
        "action": purpose.name(),
    });
    if let Purpose::Fill(value) = purpose {
        args["value"] = value.into();
    }
    let js = format!(
        "(async (args) => {{\n{}\nreturn ({ACTIONABLE_JS})(args);\n}})({args})",
        prelude()
    );
    let start = Instant::now();
    let mut last = format!("no element matching `{shown}`");
    let mut broken = None;
    for attempt in 0.. {
        let pause = RETRY_MS[attempt.min(RETRY_MS.len() - 1)];
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let params = EvaluateParams::builder()
            .expression(js.clone())
            .await_promise(true)
            .return_by_value(true)
            .build()
            .expect("the expression is set");
        let left = timeout.saturating_sub(start.elapsed());
        match tokio::time::timeout(left.max(Duration::from_millis(200)), page.evaluate(params))
            .await
        {
            Ok(Ok(result)) => match result.into_value::<Attempt>() {
                Ok(a) => {
                    broken = None;
                    match a.state.as_str() {
                        "ok" => return Ok(a.ready),
                        // Playwright throws a strict-mode violation at once.
                        "strict" => {
                            return Err(NotReady::Failed(Failure::once(format!(
                                "strict mode violation: `{shown}` matched {} elements, and a {} acts on one; add `nth:` to pick one",
                                a.count,
                                purpose.name()
                            ))));
                        }
                        // An element that can never be filled.
                        "error" if a.count == 1 => {
                            return Err(NotReady::Failed(Failure::once(
                                a.message.unwrap_or_default(),
                            )));
                        }
                        _ => last = seen(&shown, &a),
                    }
                }
                Err(e) => last = format!("an unreadable answer from the page ({e})"),
            },
            // A navigation in flight destroys the context; only a failure
            // that lasts to the deadline counts.
            Ok(Err(e)) => broken = Some(e.to_string()),
            Err(_) => {}
        }
        if start.elapsed() >= timeout {
            break;
        }
    }
    if let Some(e) = broken {
        return Err(NotReady::Broken(e));
    }
    Err(NotReady::Failed(Failure::polled(
        format!(
            "expected `{shown}` to be ready to {}, saw {last}",
            purpose.name()
        ),
        start.elapsed(),
    )))
}

/// What one attempt saw, in a failure's words.
fn seen(shown: &str, a: &Attempt) -> String {
    let element = a.element.as_deref().unwrap_or("the element");
    match a.state.as_str() {
        "missing" => a
            .message
            .clone()
            .unwrap_or_else(|| format!("no element matching `{shown}`")),
        "error" => a.message.clone().unwrap_or_default(),
        "covered" => format!(
            "{} intercepts pointer events at the centre of {element}",
            a.by.as_deref().unwrap_or("another element")
        ),
        state => format!("{element} {state}"),
    }
}
