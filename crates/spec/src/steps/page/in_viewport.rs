//! `in_viewport: locator`: Playwright's `toBeInViewport`.

use std::time::Duration;

use serde::de;

use super::{Observation, PageCheck, ParseStep, Reads, Verdict, judge_one, locator_args};
use crate::steps::{Fields, Locator};

#[derive(Debug, Clone)]
pub struct InViewport {
    pub selector: Locator,
    pub timeout: Option<Duration>,
}

impl ParseStep for InViewport {
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E> {
        Ok(InViewport {
            selector: f.require_locator("in_viewport")?,
            timeout: f.take_timeout()?,
        })
    }
}

impl PageCheck for InViewport {
    fn describe(&self) -> String {
        format!("{} is in the viewport", self.selector.describe())
    }

    fn expected(&self) -> String {
        format!("`{}` to be in the viewport", self.selector.describe())
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
            format!(
                "`{selector}` outside the viewport ({})",
                seen.text.as_deref().unwrap_or_default()
            )
        })
    }
}

/// Some of the element's box is inside its window's viewport (an
/// intersection ratio above 0).
pub(crate) const PROBE: &str = r#"
(args) => single(args, (el) => {
  const r = el.getBoundingClientRect();
  const win = el.ownerDocument.defaultView;
  const w = Math.min(r.right, win.innerWidth) - Math.max(r.left, 0);
  const h = Math.min(r.bottom, win.innerHeight) - Math.max(r.top, 0);
  const pass = r.width > 0 && r.height > 0 && w > 0 && h > 0;
  return { pass, text: `${Math.round(r.top)}px from the top of a ${win.innerHeight}px viewport` };
})
"#;
