//! `attribute: locator` with `name:` and optionally `value:`: Playwright's
//! `toHaveAttribute`.

use std::time::Duration;

use serde::de;

use super::{Observation, PageCheck, ParseStep, Reads, Verdict, judge_one, locator_args};
use crate::steps::shown::quote;
use crate::steps::{Fields, Locator, TextPattern};

#[derive(Debug, Clone)]
pub struct Attribute {
    pub selector: Locator,
    pub name: String,
    /// `None` checks only that the attribute is present.
    pub value: Option<TextPattern>,
    pub timeout: Option<Duration>,
}

impl ParseStep for Attribute {
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E> {
        let selector = f.require_locator("attribute")?;
        let Some(name) = f.take_str("name")?.filter(|n| !n.trim().is_empty()) else {
            return Err(E::custom(
                "an `attribute` step needs `name:`, the attribute to read, such as `href`",
            ));
        };
        Ok(Attribute {
            selector,
            name,
            value: f
                .take_str("value")?
                .map(|v| TextPattern::parse(&v))
                .transpose()?,
            timeout: f.take_timeout()?,
        })
    }
}

impl PageCheck for Attribute {
    fn describe(&self) -> String {
        let (selector, name) = (self.selector.describe(), &self.name);
        match &self.value {
            None => format!("{selector} has attribute {name}"),
            Some(TextPattern::Exact(v)) => format!("{selector} has {name} {v:?}"),
            Some(p) => format!("{selector} has {name} matching {}", p.describe()),
        }
    }

    fn expected(&self) -> String {
        let (selector, name) = (self.selector.describe(), &self.name);
        match &self.value {
            None => format!("`{selector}` to have the attribute {name}"),
            Some(TextPattern::Exact(v)) => format!("`{selector}` to have {name}={v:?}"),
            Some(p) => format!("`{selector}` to have {name} matching {}", p.describe()),
        }
    }

    fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    fn locator(&self) -> Option<&Locator> {
        Some(&self.selector)
    }

    fn reads(&self) -> Reads {
        let value = match &self.value {
            None => serde_json::Value::Null,
            Some(TextPattern::Exact(v)) => serde_json::json!({ "text": v }),
            Some(TextPattern::Regex { regex, flags }) => {
                serde_json::json!({ "regex": regex.as_str(), "flags": flags })
            }
        };
        Reads::Probe(locator_args(
            &self.selector,
            serde_json::json!({ "name": self.name, "value": value }),
        ))
    }

    fn judge(&self, seen: &Observation) -> Verdict {
        judge_one(&self.selector, seen, |_| match &seen.text {
            None => format!("no attribute {}", self.name),
            Some(v) => format!("{}={}", self.name, quote(v)),
        })
    }
}

/// Present, and equal to the text or matching the regex.
pub(crate) const PROBE: &str = r#"
(args) => single(args, (el) => {
  const value = el.getAttribute(args.name);
  if (value === null) return { pass: false, text: null };
  let pass = true;
  if (args.value && args.value.regex !== undefined) pass = new RegExp(args.value.regex, args.value.flags).test(value);
  else if (args.value) pass = value === args.value.text;
  return { pass, text: value.slice(0, 200) };
})
"#;
