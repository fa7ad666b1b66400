use std::time::Duration;

use serde::de;

use crate::steps::Fields;
use crate::steps::Locator;

/// `click: locator`: Playwright's `locator.click()`. Waits until the one
/// element is actionable, clicks its centre with real mouse events, and
/// waits for a navigation the click starts. With `opens: tab`, the steps
/// after it act on the tab the click opens.
#[derive(Debug, Clone, PartialEq)]
pub struct Click {
    pub target: Locator,
    /// `opens: tab`: the click opens a new tab, and later steps read it.
    pub opens_tab: bool,
    pub timeout: Option<Duration>,
}

/// `click: locator`, optionally `opens: tab` and `timeout`.
pub(crate) fn parse<E: de::Error>(f: &mut Fields) -> Result<Click, E> {
    let target = f.require_locator("click")?;
    let opens_tab = match f.take_str::<E>("opens")?.as_deref() {
        None => false,
        Some("tab") => true,
        Some(other) => {
            return Err(E::custom(format!(
                "`opens: {other}` is not something a click opens; write `opens: tab`"
            )));
        }
    };
    Ok(Click {
        target,
        opens_tab,
        timeout: f.take_timeout()?,
    })
}

impl Click {
    pub fn describe(&self) -> String {
        let tab = if self.opens_tab { " (opens a tab)" } else { "" };
        format!("click {}{tab}", self.target.describe())
    }
}
