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
    /// `/source/flags`. The runner tests it in the page as a JavaScript
    /// `RegExp`, as Playwright does; `regex` is the same pattern compiled
    /// here, so a spec with a bad pattern fails when it is loaded.
    Regex {
        regex: Regex,
        flags: String,
    },
    Exact(String),
}

impl TitlePattern {
    /// Matches in Rust. The runner matches in the page instead (JavaScript
    /// regex semantics); this is for callers without a browser.
    pub fn matches(&self, title: &str) -> bool {
        match self {
            TitlePattern::Regex { regex, .. } => regex.is_match(title),
            TitlePattern::Exact(s) => normalise_ws(title) == normalise_ws(s),
        }
    }
}

/// Playwright's `normalizeWhiteSpace`: drops zero-width spaces and soft
/// hyphens, trims, and collapses each run of whitespace to one space.
/// "Whitespace" is JavaScript's `\s`, which differs from Rust's
/// `char::is_whitespace` on U+FEFF (JS only) and U+0085 (Rust only).
pub fn normalise_ws(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{200b}' | '\u{ad}'))
        .collect::<String>()
        .split(is_js_whitespace)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// JavaScript's `\s`: WhiteSpace and LineTerminator of ECMA-262.
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
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
                pattern: TitlePattern::Regex { regex, flags },
                ..
            } => format!("title matches /{}/{flags}", regex.as_str()),
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
        .map(|regex| TitlePattern::Regex {
            regex,
            flags: flags.to_string(),
        })
        .map_err(|e| E::custom(format!("bad regex in `{raw}`: {e}")))
}
