//! `visible: locator`: Playwright's `toBeVisible`.

use std::time::Duration;

use serde::de;

use super::{Observation, PageCheck, ParseStep, Reads, Verdict, judge_one, locator_args};
use crate::steps::{Fields, Locator};

#[derive(Debug, Clone)]
pub struct Visible {
    pub selector: Locator,
    pub timeout: Option<Duration>,
}

impl ParseStep for Visible {
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E> {
        Ok(Visible {
            selector: f.require_locator("visible")?,
            timeout: f.take_timeout()?,
        })
    }
}

impl PageCheck for Visible {
    fn describe(&self) -> String {
        format!("{} is visible", self.selector.describe())
    }

    fn expected(&self) -> String {
        format!("`{}` to be visible", self.selector.describe())
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
            format!("`{selector}` present but hidden")
        })
    }
}

/// Playwright's isElementVisible on the one match.
pub(crate) const PROBE: &str = r#"
(args) => single(args, (el) => ({ pass: isElementVisible(el) }))
"#;
