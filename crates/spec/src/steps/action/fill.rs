use std::time::Duration;

use prod_smoke_input::{EXCERPT_CHARS, excerpt};
use serde::de;
use serde_yaml::Value;

use crate::steps::{Fields, Locator, kind};

/// `fill: locator` with `with: text`: Playwright's `locator.fill()`. Waits
/// until the one element is visible, enabled and editable (an input, a
/// textarea or a contenteditable), clears it and types `with` into it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fill {
    pub target: Locator,
    /// What is typed; empty clears the field.
    pub with: String,
    pub timeout: Option<Duration>,
}

/// `fill: locator`, `with: text`, optionally `timeout`.
pub(crate) fn parse<E: de::Error>(f: &mut Fields) -> Result<Fill, E> {
    let target = f.require_locator("fill")?;
    // A number or a boolean is typed as written (`with: 2026`).
    let with = match f.take_value("with") {
        None => {
            return Err(E::custom(
                "a `fill` step needs `with:`, the text to type (`with: \"\"` clears the field)",
            ));
        }
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(other) => {
            return Err(E::custom(format!(
                "`with` in a `fill` step must be text, found {}",
                kind(&other)
            )));
        }
    };
    Ok(Fill {
        target,
        with,
        timeout: f.take_timeout()?,
    })
}

impl Fill {
    pub fn describe(&self) -> String {
        format!(
            "fill {} with {:?}",
            self.target.describe(),
            excerpt(&self.with, EXCERPT_CHARS)
        )
    }
}
