//! Playwright-style expectations: each one polls the page until it passes
//! or its timeout ends, then says what it expected and what it last saw.

use std::time::{Duration, Instant};

use chromiumoxide::Page;
use prod_smoke_spec::{Assertion, TitlePattern};
use serde::Deserialize;

use crate::page_watch::PageWatch;

/// Playwright's polling intervals: quick at first, then once a second.
const INTERVALS_MS: &[u64] = &[0, 100, 250, 500, 1000];

pub enum ExpectOutcome {
    Passed,
    /// What was expected and seen, in one sentence.
    Failed(String),
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
            Some(e) => ExpectOutcome::Failed(format!(
                "expected no page errors, saw {} (first: {})",
                errors.len(),
                e.message
            )),
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
            return ExpectOutcome::Failed(format!(
                "expected {}, saw {} after waiting {:.1}s",
                expected(assertion),
                last_seen,
                start.elapsed().as_secs_f32()
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
            pattern: TitlePattern::Regex { regex, flags },
            ..
        } => format!("the title to match /{}/{flags}", regex.as_str()),
        Assertion::Title {
            pattern: TitlePattern::Exact(s),
            ..
        } => format!("the title to be {s:?}"),
        Assertion::Text { selector, text, .. } => format!("`{selector}` to contain {text:?}"),
        Assertion::Visible { selector, .. } => format!("`{selector}` to be visible"),
        Assertion::NoPageErrors => "no page errors".into(),
    }
}

fn short(s: &str) -> String {
    let s = prod_smoke_spec::steps_normalise(s);
    if s.chars().count() > 120 {
        format!("{:?}…", s.chars().take(120).collect::<String>())
    } else {
        format!("{s:?}")
    }
}

async fn poll(page: &Page, a: &Assertion) -> Result<Poll, Broken> {
    // Compared in the page: a multi-megabyte body never crosses the
    // DevTools socket, only a short excerpt of it does.
    let args = match a {
        Assertion::Title {
            pattern: TitlePattern::Regex { regex, flags },
            ..
        } => serde_json::json!({ "kind": "title", "regex": regex.as_str(), "flags": flags }),
        Assertion::Title {
            pattern: TitlePattern::Exact(s),
            ..
        } => serde_json::json!({ "kind": "title", "exact": s }),
        Assertion::Text { selector, text, .. } => {
            serde_json::json!({ "kind": "text", "selector": selector, "text": text })
        }
        Assertion::Visible { selector, .. } => {
            serde_json::json!({ "kind": "visible", "selector": selector })
        }
        Assertion::NoPageErrors => return Ok(Poll::Pass),
    };
    let p: Probe = eval(page, &format!("({PROBE_JS})({args})")).await?;
    let selector = match a {
        Assertion::Text { selector, .. } | Assertion::Visible { selector, .. } => selector.as_str(),
        _ => "",
    };
    Ok(match (a, p.count, p.pass) {
        (_, _, true) => Poll::Pass,
        (Assertion::Title { .. }, _, _) => {
            Poll::Saw(format!("title {}", short(&p.text.unwrap_or_default())))
        }
        (_, 0, _) => Poll::Saw(format!("no element matching `{selector}`")),
        // Playwright's strict mode: a locator an expectation reads must
        // resolve to exactly one element.
        (_, n, _) if n > 1 => Poll::Saw(format!(
            "{n} elements matching `{selector}` (strict mode wants one)"
        )),
        (Assertion::Text { .. }, _, _) => {
            Poll::Saw(format!("text {}", short(&p.text.unwrap_or_default())))
        }
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
