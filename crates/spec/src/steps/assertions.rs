use std::time::Duration;

use regex::Regex;
use serde::de;

use super::Fields;

/// An expectation on the current page. Like Playwright's `expect`, it polls
/// until it passes or its timeout ends.
#[derive(Debug, Clone)]
pub enum Assertion {
    /// `title: /regex/flags` or an exact `title: text`.
    Title {
        pattern: TitlePattern,
        timeout: Option<Duration>,
    },
    /// The selector's text contains `text` (whitespace-normalised).
    Text {
        selector: String,
        text: String,
        timeout: Option<Duration>,
    },
    /// The selector matches one element, and it is visible.
    Visible {
        selector: String,
        timeout: Option<Duration>,
    },
    /// No uncaught exception, console error or failed subresource so far.
    NoPageErrors,
}

impl PartialEq for Assertion {
    fn eq(&self, other: &Self) -> bool {
        self.describe() == other.describe() && self.timeout() == other.timeout()
    }
}

/// What a page title must match.
#[derive(Debug, Clone)]
pub enum TitlePattern {
    Regex(Regex),
    Exact(String),
}

impl TitlePattern {
    pub fn matches(&self, title: &str) -> bool {
        match self {
            TitlePattern::Regex(r) => r.is_match(title),
            TitlePattern::Exact(s) => normalise_ws(title) == normalise_ws(s),
        }
    }
}

/// Collapses runs of whitespace, the way Playwright compares text.
pub fn normalise_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Assertion {
    pub(super) fn from_fields<E: de::Error>(action: &str, f: &mut Fields) -> Result<Self, E> {
        Ok(match action {
            "title" => Assertion::Title {
                pattern: parse_title(&f.require_str("title")?)?,
                timeout: f.take_timeout()?,
            },
            "text" => Assertion::Text {
                text: f.require_str("text")?,
                selector: f.take_str("in")?.unwrap_or_else(|| "body".into()),
                timeout: f.take_timeout()?,
            },
            "visible" => Assertion::Visible {
                selector: f.require_str("visible")?,
                timeout: f.take_timeout()?,
            },
            "no_page_errors" => match f.take_bool("no_page_errors")? {
                Some(true) => Assertion::NoPageErrors,
                _ => return Err(E::custom("write `no_page_errors: true`")),
            },
            other => unreachable!("{other} is not an assertion action"),
        })
    }

    pub fn timeout(&self) -> Option<Duration> {
        match self {
            Assertion::Title { timeout, .. }
            | Assertion::Text { timeout, .. }
            | Assertion::Visible { timeout, .. } => *timeout,
            Assertion::NoPageErrors => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Assertion::Title {
                pattern: TitlePattern::Regex(r),
                ..
            } => format!("title matches /{}/", r.as_str()),
            Assertion::Title {
                pattern: TitlePattern::Exact(s),
                ..
            } => format!("title is {s:?}"),
            Assertion::Text { selector, text, .. } => format!("{selector} contains {text:?}"),
            Assertion::Visible { selector, .. } => format!("{selector} is visible"),
            Assertion::NoPageErrors => "no page errors".into(),
        }
    }
}

fn parse_title<E: de::Error>(raw: &str) -> Result<TitlePattern, E> {
    let Some(rest) = raw.strip_prefix('/') else {
        return Ok(TitlePattern::Exact(raw.to_string()));
    };
    let Some(end) = rest.rfind('/') else {
        return Err(E::custom(format!(
            "`{raw}` opens a regex with `/` but never closes it"
        )));
    };
    let (body, flags) = (&rest[..end], &rest[end + 1..]);
    let mut builder = regex::RegexBuilder::new(body);
    for flag in flags.chars() {
        match flag {
            'i' => builder.case_insensitive(true),
            'm' => builder.multi_line(true),
            's' => builder.dot_matches_new_line(true),
            other => {
                return Err(E::custom(format!(
                    "unsupported regex flag `{other}` in `{raw}`"
                )));
            }
        };
    }
    // Keeps a hostile spec from building a huge automaton.
    builder.size_limit(1 << 20);
    builder
        .build()
        .map(TitlePattern::Regex)
        .map_err(|e| E::custom(format!("bad regex in `{raw}`: {e}")))
}
