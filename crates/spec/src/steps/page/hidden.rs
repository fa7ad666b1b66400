//! `hidden: locator`: Playwright's `toBeHidden`.

use std::time::Duration;

use serde::de;

use super::{Observation, PageCheck, ParseStep, Reads, Verdict, judge_one, locator_args};
use crate::steps::{Fields, Locator};

#[derive(Debug, Clone)]
pub struct Hidden {
    pub selector: Locator,
    pub timeout: Option<Duration>,
}

impl ParseStep for Hidden {
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E> {
        Ok(Hidden {
            selector: f.require_locator("hidden")?,
            timeout: f.take_timeout()?,
        })
    }
}

impl PageCheck for Hidden {
    fn describe(&self) -> String {
        format!("{} is hidden", self.selector.describe())
    }

    fn expected(&self) -> String {
        format!("`{}` to be hidden", self.selector.describe())
    }

    fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    fn locator(&self) -> Option<&Locator> {
        Some(&self.selector)
    }

    fn reads(&self) -> Reads {
        Reads::Probe(locator_args(&self.selector, serde_json::json!({})))
    }

    fn judge(&self, seen: &Observation) -> Verdict {
        judge_one(&self.selector, seen, |selector| {
            format!("`{selector}` visible")
        })
    }
}

/// Passes when nothing matches (InjectedScript.expect), or when the one
/// match is not visible.
pub(crate) const PROBE: &str = r#"
(args) => single(args, (el) => ({ pass: !isElementVisible(el) }), { count: 0, pass: true })
"#;
