//! Playwright-style expectations: each one polls the page until it passes
//! or its timeout ends, then says what it expected and what it last saw.
//! This is the generic loop; what a check reads, its page-side probe and
//! its wording live in its own file in `prod_smoke_spec::steps::page`.
//!
//! Locators (`{role: link, name: FAQ}`, `{label: Search}`, ...) are
//! resolved in the page, by the probe's prelude (`prelude.js` in the spec crate), not through Chromium's
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
use prod_smoke_spec::Assertion;
use prod_smoke_spec::steps::{Observation, Verdict, probe_script};

use crate::failure::Failure;
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

pub async fn check(
    page: &Page,
    watch: &PageWatch,
    assertion: &Assertion,
    default_timeout: Duration,
) -> ExpectOutcome {
    let timeout = assertion.timeout().unwrap_or(default_timeout);
    let Some(args) = assertion.probe_args() else {
        // Reads what the page watch saw so far, once.
        let errors = watch.current_errors();
        let seen = Observation {
            count: errors.len(),
            pass: errors.is_empty(),
            text: errors.first().map(|e| e.message.clone()),
            error: None,
        };
        return match assertion.judge(&seen) {
            Verdict::Pass => ExpectOutcome::Passed,
            Verdict::Saw(saw) => ExpectOutcome::Failed(Failure::once(format!(
                "expected {}, saw {saw}",
                assertion.expected()
            ))),
        };
    };
    // Compared in the page: a multi-megabyte body never crosses the
    // DevTools socket, only a short excerpt of it does.
    let js = format!("({})({args})", probe_script());
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
            eval::<Observation>(page, &js),
        )
        .await
        {
            Ok(Ok(seen)) => match assertion.judge(&seen) {
                Verdict::Pass => return ExpectOutcome::Passed,
                Verdict::Saw(saw) => (last_seen, broken) = (saw, None),
            },
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
                format!("expected {}, saw {}", assertion.expected(), last_seen),
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
