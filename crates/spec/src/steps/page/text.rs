//! `text: words`, optionally `in: locator` and `exact: true`: Playwright's
//! `toContainText`, or with `exact` its `toHaveText`.

use std::time::Duration;

use serde::de;

use super::{Observation, PageCheck, ParseStep, Reads, Verdict, judge_one, locator_args};
use crate::steps::shown::quote;
use crate::steps::{Fields, Locator};

#[derive(Debug, Clone)]
pub struct Text {
    pub selector: Locator,
    /// Compared whitespace-normalised.
    pub text: String,
    pub exact: bool,
    pub timeout: Option<Duration>,
}

impl ParseStep for Text {
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E> {
        Ok(Text {
            text: f.require_str("text")?,
            selector: f
                .take_locator("in")?
                .unwrap_or_else(|| Locator::css("body")),
            exact: f.take_bool("exact")?.unwrap_or(false),
            timeout: f.take_timeout()?,
        })
    }
}

impl PageCheck for Text {
    fn describe(&self) -> String {
        let (selector, text) = (self.selector.describe(), &self.text);
        match self.exact {
            false => format!("{selector} contains {text:?}"),
            true => format!("{selector} has text {text:?}"),
        }
    }

    fn expected(&self) -> String {
        let (selector, text) = (self.selector.describe(), &self.text);
        match self.exact {
            false => format!("`{selector}` to contain {text:?}"),
            true => format!("`{selector}` to have the text {text:?}"),
        }
    }

    fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    fn locator(&self) -> Option<&Locator> {
        Some(&self.selector)
    }

    fn reads(&self) -> Reads {
        Reads::Probe(locator_args(
            &self.selector,
            serde_json::json!({ "text": self.text, "exact": self.exact }),
        ))
    }

    fn judge(&self, seen: &Observation) -> Verdict {
        judge_one(&self.selector, seen, |_| {
            format!("text {}", quote(seen.text.as_deref().unwrap_or_default()))
        })
    }
}

/// The whole normalised text (`toHaveText`) or a substring of it
/// (`toContainText`).
pub(crate) const PROBE: &str = r#"
(args) => single(args, (el) => {
  const text = normalizeWhiteSpace(elementText(el));
  const want = normalizeWhiteSpace(args.text);
  const pass = args.exact ? text === want : text.includes(want);
  return { pass, text: text.slice(0, 200) };
})
"#;
