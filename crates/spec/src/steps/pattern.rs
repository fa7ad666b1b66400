//! What a title, an attribute or a response header must match: a
//! `/regex/flags` or exact text, and the whitespace rule exact text is
//! compared under.

use prod_smoke_input::{EXCERPT_CHARS, excerpt};
use regex::Regex;
use serde::de;

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
    pub(crate) fn parse<E: de::Error>(raw: &str) -> Result<Self, E> {
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

/// The longest regex a step may hold.
const MAX_REGEX_CHARS: usize = 4096;

/// `/body/flags` as a regex; `None` when `raw` does not open with `/`.
pub(crate) fn parse_regex<E: de::Error>(raw: &str) -> Result<Option<(Regex, String)>, E> {
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
