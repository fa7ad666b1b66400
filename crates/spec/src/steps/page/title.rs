//! `title: /regex/flags` or `title: text`: Playwright's `toHaveTitle`.

use std::time::Duration;

use serde::de;

use super::{Observation, PageCheck, ParseStep, Reads, Verdict};
use crate::steps::shown::quote;
use crate::steps::{Fields, TextPattern};

#[derive(Debug, Clone)]
pub struct Title {
    pub pattern: TextPattern,
    pub timeout: Option<Duration>,
}

impl ParseStep for Title {
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E> {
        Ok(Title {
            pattern: TextPattern::parse(&f.require_str("title")?)?,
            timeout: f.take_timeout()?,
        })
    }
}

impl PageCheck for Title {
    fn describe(&self) -> String {
        match &self.pattern {
            TextPattern::Regex { regex, flags } => {
                format!("title matches /{}/{flags}", regex.as_str())
            }
            TextPattern::Exact(s) => format!("title is {s:?}"),
        }
    }

    fn expected(&self) -> String {
        match &self.pattern {
            TextPattern::Regex { regex, flags } => {
                format!("the title to match /{}/{flags}", regex.as_str())
            }
            TextPattern::Exact(s) => format!("the title to be {s:?}"),
        }
    }

    fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    fn reads(&self) -> Reads {
        Reads::Probe(match &self.pattern {
            TextPattern::Regex { regex, flags } => {
                serde_json::json!({ "regex": regex.as_str(), "flags": flags })
            }
            TextPattern::Exact(s) => serde_json::json!({ "exact": s }),
        })
    }

    fn judge(&self, seen: &Observation) -> Verdict {
        match seen.pass {
            true => Verdict::Pass,
            false => Verdict::Saw(format!(
                "title {}",
                quote(seen.text.as_deref().unwrap_or_default())
            )),
        }
    }
}

/// A regex tests the raw title (ExpectedTextMatcher); exact text compares
/// the normalised title.
pub(crate) const PROBE: &str = r#"
(args) => {
  const title = document.title;
  let pass;
  if (args.regex !== undefined) {
    const re = new RegExp(args.regex, args.flags);
    pass = re.test(title);
  } else {
    pass = normalizeWhiteSpace(title) === normalizeWhiteSpace(args.exact);
  }
  return { count: 1, pass, text: title.slice(0, 200) };
}
"#;
