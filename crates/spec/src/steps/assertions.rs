use std::time::Duration;

use prod_smoke_input::{EXCERPT_CHARS, excerpt};
use regex::Regex;
use serde::de;

use super::locator::Locator;
use super::{Fields, StepKind};

/// An expectation on the current page. Like Playwright's `expect`, it polls
/// until it passes or its timeout ends.
#[derive(Debug, Clone)]
pub enum Assertion {
    /// `title: /regex/flags` or an exact `title: text`.
    Title {
        pattern: TextPattern,
        timeout: Option<Duration>,
    },
    /// `url: /regex/flags`: the page's URL, after redirects, matches.
    Url {
        /// Compiled here so a bad pattern fails when the spec loads; the
        /// runner tests `regex.as_str()` in the page as a JavaScript
        /// `RegExp`, as Playwright's `toHaveURL` does.
        regex: Regex,
        flags: String,
        timeout: Option<Duration>,
    },
    /// The locator's text contains `text` (whitespace-normalised), or with
    /// `exact` is `text` (Playwright's `toHaveText`).
    Text {
        selector: Locator,
        text: String,
        exact: bool,
        timeout: Option<Duration>,
    },
    /// The locator matches one element, and it is visible.
    Visible {
        selector: Locator,
        timeout: Option<Duration>,
    },
    /// The locator matches nothing, or one element that is not visible.
    Hidden {
        selector: Locator,
        timeout: Option<Duration>,
    },
    /// The locator matches exactly `count` elements.
    Count {
        selector: Locator,
        count: usize,
        timeout: Option<Duration>,
    },
    /// The one element the locator matches has the attribute `name`, and
    /// with `value` that value (Playwright's `toHaveAttribute`).
    Attribute {
        selector: Locator,
        name: String,
        value: Option<TextPattern>,
        timeout: Option<Duration>,
    },
    /// The one element the locator matches intersects the viewport
    /// (Playwright's `toBeInViewport`).
    InViewport {
        selector: Locator,
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

/// What a page title or a response header must match: `/regex/flags` or
/// exact text.
#[derive(Debug, Clone)]
pub enum TextPattern {
    /// `/source/flags`. The runner tests it in the page as a JavaScript
    /// `RegExp`, as Playwright does; `regex` is the same pattern compiled
    /// here, so a spec with a bad pattern fails when it is loaded.
    Regex {
        regex: Regex,
        flags: String,
    },
    Exact(String),
}

impl TextPattern {
    /// Matches in Rust, as a header check does. The runner matches a title
    /// in the page instead (JavaScript regex semantics).
    pub fn matches(&self, text: &str) -> bool {
        match self {
            TextPattern::Regex { regex, .. } => regex.is_match(text),
            TextPattern::Exact(s) => normalise_ws(text) == normalise_ws(s),
        }
    }

    /// `/regex/flags` or `"exact text"`, as a spec writes it.
    pub fn describe(&self) -> String {
        match self {
            TextPattern::Regex { regex, flags } => format!("/{}/{flags}", regex.as_str()),
            TextPattern::Exact(s) => format!("{s:?}"),
        }
    }

    /// Reads `/regex/flags` as a regex and anything else as exact text.
    pub(super) fn parse<E: de::Error>(raw: &str) -> Result<Self, E> {
        Ok(match parse_regex(raw)? {
            Some((regex, flags)) => TextPattern::Regex { regex, flags },
            None => TextPattern::Exact(raw.to_string()),
        })
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

/// `title: /regex/flags` or `title: text`.
pub(super) fn title<E: de::Error>(f: &mut Fields) -> Result<Assertion, E> {
    Ok(Assertion::Title {
        pattern: TextPattern::parse(&f.require_str("title")?)?,
        timeout: f.take_timeout()?,
    })
}

/// `url: /regex/flags`. Only a regex: the URL carries the app's host,
/// which a spec never names.
pub(super) fn url<E: de::Error>(f: &mut Fields) -> Result<Assertion, E> {
    let raw = f.require_str("url")?;
    let Some((regex, flags)) = parse_regex(&raw)? else {
        return Err(E::custom(format!(
            "`url: {raw}` must be a regex such as `/\\/signin$/`: the URL includes the app's host"
        )));
    };
    Ok(Assertion::Url {
        regex,
        flags,
        timeout: f.take_timeout()?,
    })
}

/// `text: words`, optionally `in: locator` and `exact: true`.
pub(super) fn text<E: de::Error>(f: &mut Fields) -> Result<Assertion, E> {
    Ok(Assertion::Text {
        text: f.require_str("text")?,
        selector: f
            .take_locator("in")?
            .unwrap_or_else(|| Locator::css("body")),
        exact: f.take_bool("exact")?.unwrap_or(false),
        timeout: f.take_timeout()?,
    })
}

/// `visible: locator`.
pub(super) fn visible<E: de::Error>(f: &mut Fields) -> Result<Assertion, E> {
    Ok(Assertion::Visible {
        selector: f.require_locator("visible")?,
        timeout: f.take_timeout()?,
    })
}

/// `hidden: locator`.
pub(super) fn hidden<E: de::Error>(f: &mut Fields) -> Result<Assertion, E> {
    Ok(Assertion::Hidden {
        selector: f.require_locator("hidden")?,
        timeout: f.take_timeout()?,
    })
}

/// `attribute: locator` with `name:` and optionally `value:`.
pub(super) fn attribute<E: de::Error>(f: &mut Fields) -> Result<Assertion, E> {
    let selector = f.require_locator("attribute")?;
    let Some(name) = f.take_str("name")?.filter(|n| !n.trim().is_empty()) else {
        return Err(E::custom(
            "an `attribute` step needs `name:`, the attribute to read, such as `href`",
        ));
    };
    Ok(Assertion::Attribute {
        selector,
        name,
        value: f
            .take_str("value")?
            .map(|v| TextPattern::parse(&v))
            .transpose()?,
        timeout: f.take_timeout()?,
    })
}

/// `in_viewport: locator`.
pub(super) fn in_viewport<E: de::Error>(f: &mut Fields) -> Result<Assertion, E> {
    Ok(Assertion::InViewport {
        selector: f.require_locator("in_viewport")?,
        timeout: f.take_timeout()?,
    })
}

/// `count: locator` with `equals: N`.
pub(super) fn count<E: de::Error>(f: &mut Fields) -> Result<Assertion, E> {
    let selector = f.require_locator("count")?;
    let Some(count) = f.take_count("equals")? else {
        return Err(E::custom(
            "a `count` step needs `equals:`, the number of elements expected",
        ));
    };
    Ok(Assertion::Count {
        selector,
        count,
        timeout: f.take_timeout()?,
    })
}

/// `no_page_errors: true`.
pub(super) fn no_page_errors<E: de::Error>(f: &mut Fields) -> Result<Assertion, E> {
    match f.take_bool("no_page_errors")? {
        Some(true) => Ok(Assertion::NoPageErrors),
        _ => Err(E::custom("write `no_page_errors: true`")),
    }
}

impl Assertion {
    pub fn kind(&self) -> StepKind {
        match self {
            Assertion::Title { .. } => StepKind::Title,
            Assertion::Url { .. } => StepKind::Url,
            Assertion::Text { .. } => StepKind::Text,
            Assertion::Visible { .. } => StepKind::Visible,
            Assertion::Hidden { .. } => StepKind::Hidden,
            Assertion::Count { .. } => StepKind::Count,
            Assertion::Attribute { .. } => StepKind::Attribute,
            Assertion::InViewport { .. } => StepKind::InViewport,
            Assertion::NoPageErrors => StepKind::NoPageErrors,
        }
    }

    pub fn timeout(&self) -> Option<Duration> {
        match self {
            Assertion::Title { timeout, .. }
            | Assertion::Url { timeout, .. }
            | Assertion::Text { timeout, .. }
            | Assertion::Visible { timeout, .. }
            | Assertion::Hidden { timeout, .. }
            | Assertion::Count { timeout, .. }
            | Assertion::Attribute { timeout, .. }
            | Assertion::InViewport { timeout, .. } => *timeout,
            Assertion::NoPageErrors => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Assertion::Title {
                pattern: TextPattern::Regex { regex, flags },
                ..
            } => format!("title matches /{}/{flags}", regex.as_str()),
            Assertion::Title {
                pattern: TextPattern::Exact(s),
                ..
            } => format!("title is {s:?}"),
            Assertion::Url { regex, flags, .. } => {
                format!("URL matches /{}/{flags}", regex.as_str())
            }
            Assertion::Text {
                selector,
                text,
                exact: false,
                ..
            } => format!("{} contains {text:?}", selector.describe()),
            Assertion::Text { selector, text, .. } => {
                format!("{} has text {text:?}", selector.describe())
            }
            Assertion::Visible { selector, .. } => format!("{} is visible", selector.describe()),
            Assertion::Hidden { selector, .. } => format!("{} is hidden", selector.describe()),
            Assertion::Count {
                selector, count, ..
            } => format!("{} matches {}", selector.describe(), elements(*count)),
            Assertion::Attribute {
                selector,
                name,
                value,
                ..
            } => match value {
                None => format!("{} has attribute {name}", selector.describe()),
                Some(TextPattern::Exact(v)) => {
                    format!("{} has {name} {v:?}", selector.describe())
                }
                Some(p) => format!(
                    "{} has {name} matching {}",
                    selector.describe(),
                    p.describe()
                ),
            },
            Assertion::InViewport { selector, .. } => {
                format!("{} is in the viewport", selector.describe())
            }
            Assertion::NoPageErrors => "no page errors".into(),
        }
    }
}

/// "1 element", "3 elements".
pub fn elements(n: usize) -> String {
    if n == 1 {
        "1 element".into()
    } else {
        format!("{n} elements")
    }
}

/// The longest regex a step may hold.
const MAX_REGEX_CHARS: usize = 4096;

/// `/body/flags` as a regex; `None` when `raw` does not open with `/`.
fn parse_regex<E: de::Error>(raw: &str) -> Result<Option<(Regex, String)>, E> {
    let Some(rest) = raw.strip_prefix('/') else {
        return Ok(None);
    };
    let shown = excerpt(raw, EXCERPT_CHARS);
    let Some(end) = rest.rfind('/') else {
        return Err(E::custom(format!(
            "`{shown}` opens a regex with `/` but never closes it"
        )));
    };
    let (body, flags) = (&rest[..end], &rest[end + 1..]);
    // Bounded by work before it is compiled: a 1 MB pattern took a second
    // to build, and no check on a page needs one.
    let length = body.chars().count();
    if length > MAX_REGEX_CHARS {
        return Err(E::custom(format!(
            "the regex `{shown}` is {length} characters, over the {MAX_REGEX_CHARS}-character limit"
        )));
    }
    let mut builder = regex::RegexBuilder::new(body);
    for flag in flags.chars() {
        match flag {
            'i' => builder.case_insensitive(true),
            'm' => builder.multi_line(true),
            's' => builder.dot_matches_new_line(true),
            other => {
                return Err(E::custom(format!(
                    "unsupported regex flag `{other}` in `{shown}`"
                )));
            }
        };
    }
    // Keeps a hostile spec from building a huge automaton.
    builder.size_limit(1 << 20);
    builder
        .build()
        .map(|regex| Some((regex, flags.to_string())))
        .map_err(|e| E::custom(format!("bad regex in `{shown}`: {}", regex_reason(&e))))
}

/// What is wrong with a regex, without the pattern the error repeats in
/// full: the `error:` line of a syntax error, else the whole message.
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    let reason = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(&text);
    excerpt(reason, 200)
}
