use std::time::Duration;

use serde::de;

use crate::steps::Fields;
use crate::steps::Locator;

/// `scroll: locator`: Playwright's `locator.scrollIntoViewIfNeeded()`.
/// Waits until the one element is visible and stable, then scrolls it
/// into view unless it already is.
#[derive(Debug, Clone, PartialEq)]
pub struct Scroll {
    pub target: Locator,
    pub timeout: Option<Duration>,
}

/// `scroll: locator`, optionally `timeout`.
pub(crate) fn parse<E: de::Error>(f: &mut Fields) -> Result<Scroll, E> {
    Ok(Scroll {
        target: f.require_locator("scroll")?,
        timeout: f.take_timeout()?,
    })
}

impl Scroll {
    pub fn describe(&self) -> String {
        format!("scroll to {}", self.target.describe())
    }
}
