//! Playwright-style expectations: each one polls the page until it passes
//! or its timeout ends, then says what it expected and what it last saw.

use std::time::{Duration, Instant};

use chromiumoxide::Page;
use prod_smoke_spec::steps::elements;
use prod_smoke_spec::{Assertion, TextPattern};
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
        Assertion::Text { selector, text, .. } => format!("`{selector}` to contain {text:?}"),
        Assertion::Visible { selector, .. } => format!("`{selector}` to be visible"),
        Assertion::Hidden { selector, .. } => format!("`{selector}` to be hidden"),
        Assertion::Count {
            selector, count, ..
        } => format!("`{selector}` to match {}", elements(*count)),
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
        Assertion::Text { selector, text, .. } => {
            serde_json::json!({ "kind": "text", "selector": selector, "text": text })
        }
        Assertion::Visible { selector, .. } => {
            serde_json::json!({ "kind": "visible", "selector": selector })
        }
        Assertion::Hidden { selector, .. } => {
            serde_json::json!({ "kind": "hidden", "selector": selector })
        }
        Assertion::Count {
            selector, count, ..
        } => serde_json::json!({ "kind": "count", "selector": selector, "equals": count }),
        Assertion::NoPageErrors => return Ok(Poll::Pass),
    };
    let p: Probe = eval(page, &format!("({PROBE_JS})({args})")).await?;
    let selector = match a {
        Assertion::Text { selector, .. }
        | Assertion::Visible { selector, .. }
        | Assertion::Hidden { selector, .. }
        | Assertion::Count { selector, .. } => selector.as_str(),
        Assertion::Title { .. } | Assertion::Url { .. } | Assertion::NoPageErrors => "",
    };
    Ok(match (a, p.count, p.pass) {
        (_, _, true) => Poll::Pass,
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
            "{n} elements matching `{selector}` (strict mode wants one)"
        )),
        (Assertion::Text { .. }, _, _) => {
            Poll::Saw(format!("text {}", quote(&p.text.unwrap_or_default())))
        }
        (Assertion::Hidden { .. }, _, _) => Poll::Saw(format!("`{selector}` visible")),
        _ => Poll::Saw(format!("`{selector}` present but hidden")),
    })
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
