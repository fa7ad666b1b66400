//! `url: /regex/flags`: Playwright's `toHaveURL` with a RegExp.

use std::time::Duration;

use regex::Regex;
use serde::de;

use super::{Observation, PageCheck, ParseStep, Reads, Verdict};
use crate::steps::Fields;
use crate::steps::pattern::parse_regex;
use crate::steps::shown::quote;

#[derive(Debug, Clone)]
pub struct Url {
    /// Compiled here so a bad pattern fails when the spec loads; the
    /// runner tests `regex.as_str()` in the page as a JavaScript
    /// `RegExp`, as Playwright's `toHaveURL` does.
    pub regex: Regex,
    pub flags: String,
    pub timeout: Option<Duration>,
}

impl ParseStep for Url {
    /// Only a regex: the URL carries the app's host, which a spec never
    /// names.
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E> {
        let raw = f.require_str("url")?;
        let Some((regex, flags)) = parse_regex(&raw)? else {
            return Err(E::custom(format!(
                "`url: {raw}` must be a regex such as `/\\/signin$/`: the URL includes the app's host"
            )));
        };
        Ok(Url {
            regex,
            flags,
            timeout: f.take_timeout()?,
        })
    }
}

impl PageCheck for Url {
    fn describe(&self) -> String {
        format!("URL matches /{}/{}", self.regex.as_str(), self.flags)
    }

    fn expected(&self) -> String {
        format!("the URL to match /{}/{}", self.regex.as_str(), self.flags)
    }

    fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    fn reads(&self) -> Reads {
        Reads::Probe(serde_json::json!({ "regex": self.regex.as_str(), "flags": self.flags }))
    }

    fn judge(&self, seen: &Observation) -> Verdict {
        match seen.pass {
            true => Verdict::Pass,
            false => Verdict::Saw(format!(
                "URL {}",
                quote(seen.text.as_deref().unwrap_or_default())
            )),
        }
    }
}

/// The main frame's full URL.
pub(crate) const PROBE: &str = r#"
(args) => {
  const url = window.location.href;
  return { count: 1, pass: new RegExp(args.regex, args.flags).test(url), text: url.slice(0, 200) };
}
"#;
