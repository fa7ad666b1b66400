//! Playwright-style expectations: each one polls the page until it passes
//! or its timeout ends, then says what it expected and what it last saw.
//!
//! Locators (`{role: link, name: FAQ}`, `{label: Search}`, ...) are
//! resolved in the page, by `probe.js`, not through Chromium's
//! `Accessibility` domain. Playwright itself resolves `getByRole` with its
//! own injected script (`roleUtils.ts`), not with Chromium's tree, so a
//! port of that script agrees with Playwright where Chromium's tree does
//! not (Playwright's `aria-hidden`, `display: contents` and name-from-
//! content rules); it also costs one `Runtime.evaluate` per poll, like
//! every other check, instead of a full tree fetch and a DOM-node mapping,
//! and it reaches open shadow roots and same-origin iframes the same way
//! the CSS engine does.

use std::time::{Duration, Instant};

use chromiumoxide::Page;
use prod_smoke_spec::steps::ARIA_ROLES;
use prod_smoke_spec::steps::elements;
use prod_smoke_spec::{Assertion, Locator, TextPattern};
use serde::Deserialize;

use crate::failure::{Failure, quote};
use crate::page_watch::PageWatch;

/// Playwright's polling intervals: quick at first, then once a second.
const INTERVALS_MS: &[u64] = &[0, 100, 250, 500, 1000];

pub enum ExpectOutcome {
    Passed,
    /// What was expected and seen, and how long it polled.
    Failed(Failure),
    /// The browser broke while polling.
    Broken(String),
}

/// What one poll saw, from `probe.js`.
#[derive(Deserialize)]
struct Probe {
    /// Elements the selector matched (1 for a title probe).
    count: usize,
    #[serde(default)]
    pass: bool,
    text: Option<String>,
    /// Why the locator could not be resolved (no such frame, ...).
    #[serde(default)]
    error: Option<String>,
}

/// The page-side half of every expectation: Playwright's own definitions
/// of element text, visibility, whitespace and selector matching.
const PROBE_JS: &str = include_str!("probe.js");

/// Result of one poll: passed, or what was seen.
enum Poll {
    Pass,
    Saw(String),
}

pub async fn check(
    page: &Page,
    watch: &PageWatch,
    assertion: &Assertion,
    default_timeout: Duration,
) -> ExpectOutcome {
    let timeout = assertion.timeout().unwrap_or(default_timeout);
    if let Assertion::NoPageErrors = assertion {
        let errors = watch.current_errors();
        return match errors.first() {
            None => ExpectOutcome::Passed,
            Some(e) => ExpectOutcome::Failed(Failure::once(format!(
                "expected no page errors, saw {} (first: {})",
                errors.len(),
                e.message
            ))),
        };
    }
    let start = Instant::now();
    let mut attempt = 0;
    let mut last_seen = String::from("nothing yet");
    let mut broken = None;
    loop {
        let wait = INTERVALS_MS[attempt.min(INTERVALS_MS.len() - 1)];
        attempt += 1;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let remaining = timeout.saturating_sub(start.elapsed());
        match tokio::time::timeout(
            remaining.max(Duration::from_millis(200)),
            poll(page, assertion),
        )
        .await
        {
            Ok(Ok(Poll::Pass)) => return ExpectOutcome::Passed,
            Ok(Ok(Poll::Saw(seen))) => (last_seen, broken) = (seen, None),
            // A context destroyed by a navigation in flight is transient;
            // only a failure that lasts to the deadline counts.
            Ok(Err(Broken::Browser(e))) => broken = Some(e),
            Ok(Err(Broken::Script(e))) => (last_seen, broken) = (e, None),
            Err(_) => {}
        }
        if start.elapsed() >= timeout {
            if let Some(e) = broken {
                return ExpectOutcome::Broken(e);
            }
            return ExpectOutcome::Failed(Failure::polled(
                format!("expected {}, saw {}", expected(assertion), last_seen),
                start.elapsed(),
            ));
        }
    }
}

enum Broken {
    /// The page is gone (navigation in flight, or the browser died).
    Browser(String),
    /// The page answered, but the probe threw (bad selector, etc.).
    Script(String),
}

fn expected(a: &Assertion) -> String {
    match a {
        Assertion::Title {
            pattern: TextPattern::Regex { regex, flags },
            ..
        } => format!("the title to match /{}/{flags}", regex.as_str()),
        Assertion::Title {
            pattern: TextPattern::Exact(s),
            ..
        } => format!("the title to be {s:?}"),
        Assertion::Url { regex, flags, .. } => {
            format!("the URL to match /{}/{flags}", regex.as_str())
        }
        Assertion::Text {
            selector,
            text,
            exact: false,
            ..
        } => format!("`{}` to contain {text:?}", selector.describe()),
        Assertion::Text { selector, text, .. } => {
            format!("`{}` to have the text {text:?}", selector.describe())
        }
        Assertion::Visible { selector, .. } => format!("`{}` to be visible", selector.describe()),
        Assertion::Hidden { selector, .. } => format!("`{}` to be hidden", selector.describe()),
        Assertion::Count {
            selector, count, ..
        } => format!("`{}` to match {}", selector.describe(), elements(*count)),
        Assertion::Attribute {
            selector,
            name,
            value,
            ..
        } => match value {
            None => format!("`{}` to have the attribute {name}", selector.describe()),
            Some(TextPattern::Exact(v)) => {
                format!("`{}` to have {name}={v:?}", selector.describe())
            }
            Some(p) => format!(
                "`{}` to have {name} matching {}",
                selector.describe(),
                p.describe()
            ),
        },
        Assertion::InViewport { selector, .. } => {
            format!("`{}` to be in the viewport", selector.describe())
        }
        Assertion::NoPageErrors => "no page errors".into(),
    }
}

async fn poll(page: &Page, a: &Assertion) -> Result<Poll, Broken> {
    // Compared in the page: a multi-megabyte body never crosses the
    // DevTools socket, only a short excerpt of it does.
    let args = match a {
        Assertion::Title {
            pattern: TextPattern::Regex { regex, flags },
            ..
        } => serde_json::json!({ "kind": "title", "regex": regex.as_str(), "flags": flags }),
        Assertion::Title {
            pattern: TextPattern::Exact(s),
            ..
        } => serde_json::json!({ "kind": "title", "exact": s }),
        Assertion::Url { regex, flags, .. } => {
            serde_json::json!({ "kind": "url", "regex": regex.as_str(), "flags": flags })
        }
        Assertion::Text {
            selector,
            text,
            exact,
            ..
        } => locator_args(
            "text",
            selector,
            serde_json::json!({ "text": text, "exact": exact }),
        ),
        Assertion::Visible { selector, .. } => {
            locator_args("visible", selector, serde_json::json!({}))
        }
        Assertion::Hidden { selector, .. } => {
            locator_args("hidden", selector, serde_json::json!({}))
        }
        Assertion::Count {
            selector, count, ..
        } => locator_args("count", selector, serde_json::json!({ "equals": count })),
        Assertion::Attribute {
            selector,
            name,
            value,
            ..
        } => {
            let value = match value {
                None => serde_json::Value::Null,
                Some(TextPattern::Exact(v)) => serde_json::json!({ "text": v }),
                Some(TextPattern::Regex { regex, flags }) => {
                    serde_json::json!({ "regex": regex.as_str(), "flags": flags })
                }
            };
            locator_args(
                "attribute",
                selector,
                serde_json::json!({ "name": name, "value": value }),
            )
        }
        Assertion::InViewport { selector, .. } => {
            locator_args("in_viewport", selector, serde_json::json!({}))
        }
        Assertion::NoPageErrors => return Ok(Poll::Pass),
    };
    let p: Probe = eval(page, &format!("({PROBE_JS})({args})")).await?;
    let (selector, refined) = match a {
        Assertion::Text { selector, .. }
        | Assertion::Visible { selector, .. }
        | Assertion::Hidden { selector, .. }
        | Assertion::Count { selector, .. }
        | Assertion::Attribute { selector, .. }
        | Assertion::InViewport { selector, .. } => (selector.describe(), selector.nth.is_some()),
        Assertion::Title { .. } | Assertion::Url { .. } | Assertion::NoPageErrors => {
            (String::new(), false)
        }
    };
    // A plain CSS selector keeps its old wording; a locator can be narrowed
    // with `nth`, which the message offers.
    let pick = if refined || !selector.contains('(') {
        ""
    } else {
        "; add `nth:` to pick one"
    };
    Ok(match (a, p.count, p.pass) {
        (_, _, true) => Poll::Pass,
        _ if p.error.is_some() => Poll::Saw(p.error.unwrap_or_default()),
        (Assertion::Title { .. }, _, _) => {
            Poll::Saw(format!("title {}", quote(&p.text.unwrap_or_default())))
        }
        (Assertion::Url { .. }, _, _) => {
            Poll::Saw(format!("URL {}", quote(&p.text.unwrap_or_default())))
        }
        // Playwright's toHaveCount is not strict: it counts every match.
        (Assertion::Count { .. }, n, _) => {
            Poll::Saw(format!("{} matching `{selector}`", elements(n)))
        }
        (_, 0, _) => Poll::Saw(format!("no element matching `{selector}`")),
        // Playwright's strict mode: a locator an expectation reads must
        // resolve to exactly one element.
        (_, n, _) if n > 1 => Poll::Saw(format!(
            "{n} elements matching `{selector}` (strict mode wants one{pick})"
        )),
        (Assertion::Text { .. }, _, _) => {
            Poll::Saw(format!("text {}", quote(&p.text.unwrap_or_default())))
        }
        (Assertion::Attribute { name, .. }, _, _) => match p.text {
            None => Poll::Saw(format!("no attribute {name}")),
            Some(v) => Poll::Saw(format!("{name}={}", quote(&v))),
        },
        (Assertion::InViewport { .. }, _, _) => Poll::Saw(format!(
            "`{selector}` outside the viewport ({})",
            p.text.unwrap_or_default()
        )),
        (Assertion::Hidden { .. }, _, _) => Poll::Saw(format!("`{selector}` visible")),
        _ => Poll::Saw(format!("`{selector}` present but hidden")),
    })
}

/// The probe's arguments for a check on a locator's elements.
fn locator_args(kind: &str, locator: &Locator, extra: serde_json::Value) -> serde_json::Value {
    let mut args = extra;
    args["kind"] = kind.into();
    args["locator"] = locator.to_json();
    args["roles"] = ARIA_ROLES.into();
    args
}

async fn eval<T: serde::de::DeserializeOwned>(page: &Page, js: &str) -> Result<T, Broken> {
    let result = page.evaluate(js).await.map_err(|e| {
        let text = e.to_string();
        if text.contains("SyntaxError")
            || text.contains("not a valid selector")
            || text.contains("DOMException")
        {
            Broken::Script(text)
        } else {
            Broken::Browser(text)
        }
    })?;
    result
        .into_value::<T>()
        .map_err(|e| Broken::Script(e.to_string()))
}
