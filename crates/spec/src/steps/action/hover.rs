use std::time::Duration;

use serde::de;

use crate::steps::Fields;
use crate::steps::Locator;

/// `hover: locator`: Playwright's `locator.hover()`. Waits until the one
/// element is visible, stable and receives events, then moves the mouse
/// over its centre, so `:hover` styles and `mouseenter` handlers run.
#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    pub target: Locator,
    pub timeout: Option<Duration>,
}

/// `hover: locator`, optionally `timeout`.
pub(crate) fn parse<E: de::Error>(f: &mut Fields) -> Result<Hover, E> {
    Ok(Hover {
        target: f.require_locator("hover")?,
        timeout: f.take_timeout()?,
    })
}

impl Hover {
    pub fn describe(&self) -> String {
        format!("hover {}", self.target.describe())
    }
}
