//! Locators: what `visible`, `hidden`, `count`, `in:` and `attribute` point
//! at. A string is a CSS selector, as it always was. A mapping names one of
//! Playwright's locators (`getByRole`, `getByText`, `getByLabel`, ...) and
//! may refine it with `has_text`, `nth` and `frame`. The runner resolves a
//! locator in the page (`locate` in page/prelude.js) with Playwright's own
//! definitions; this module only reads and checks what the spec wrote, so
//! a misspelt key fails when the spec loads, with a suggestion.

use prod_smoke_suggest::did_you_mean;
use serde::de;
use serde_yaml::Value;

use super::pattern::TextPattern;
use super::{kind, list};

/// The locator keys that pick elements; a mapping names exactly one.
const ENGINES: &[&str] = &[
    "role",
    "text",
    "label",
    "placeholder",
    "alt",
    "title",
    "test_id",
    "css",
];

/// The keys that refine what an engine picked.
const REFINEMENTS: &[&str] = &["name", "exact", "has_text", "nth", "frame"];

/// Every key a locator mapping takes, for the reference and `steps`.
pub fn locator_keys() -> Vec<&'static str> {
    ENGINES.iter().chain(REFINEMENTS).copied().collect()
}

/// Where a locator looks and which elements it keeps.
#[derive(Debug, Clone)]
pub struct Locator {
    pub by: By,
    /// Playwright's `.filter({ hasText })`: keeps elements whose text
    /// contains it (case-insensitive, whitespace-normalised) or matches
    /// the regex.
    pub has_text: Option<TextPattern>,
    /// Playwright's `.nth(n)`: 0-based, negative counts from the end.
    pub nth: Option<i64>,
    /// Playwright's `frameLocator(css)`: the iframe to look inside.
    pub frame: Option<String>,
    /// Written as a plain string: described as the selector itself, so the
    /// check names of existing specs do not change.
    plain: bool,
}

impl Locator {
    /// Written as a mapping (`{role: link}`), not as a CSS string.
    pub fn is_mapping(&self) -> bool {
        !self.plain
    }
}

/// The engine that picks the elements.
#[derive(Debug, Clone)]
pub enum By {
    Css(String),
    /// `getByRole(role, { name, exact })`.
    Role {
        role: String,
        name: Option<TextPattern>,
        exact: bool,
    },
    /// `getByText`, `getByLabel`, `getByPlaceholder`, `getByAltText` and
    /// `getByTitle`: text matched case-insensitively as a substring unless
    /// `exact`, or a regex.
    Text {
        engine: TextEngine,
        value: TextPattern,
        exact: bool,
    },
    /// `getByTestId`: the `data-testid` attribute, exactly.
    TestId(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEngine {
    Text,
    Label,
    Placeholder,
    Alt,
    Title,
}

impl TextEngine {
    /// The spec key, which is also the name the page-side probe uses.
    pub fn key(self) -> &'static str {
        match self {
            TextEngine::Text => "text",
            TextEngine::Label => "label",
            TextEngine::Placeholder => "placeholder",
            TextEngine::Alt => "alt",
            TextEngine::Title => "title",
        }
    }

    fn playwright(self) -> &'static str {
        match self {
            TextEngine::Text => "getByText",
            TextEngine::Label => "getByLabel",
            TextEngine::Placeholder => "getByPlaceholder",
            TextEngine::Alt => "getByAltText",
            TextEngine::Title => "getByTitle",
        }
    }
}

impl Locator {
    /// A CSS selector written as a plain string.
    pub fn css(selector: impl Into<String>) -> Self {
        Locator {
            by: By::Css(selector.into()),
            has_text: None,
            nth: None,
            frame: None,
            plain: true,
        }
    }

    /// The locator as a spec reader recognises it: a plain selector as
    /// written, a mapping in Playwright's words, e.g.
    /// `getByRole('link', { name: 'FAQ' }).nth(0)`.
    pub fn describe(&self) -> String {
        if let (true, By::Css(s)) = (self.plain, &self.by) {
            return s.clone();
        }
        let mut out = String::new();
        if let Some(f) = &self.frame {
            out.push_str(&format!("frameLocator({}).", js_str(f)));
        }
        match &self.by {
            By::Css(s) => out.push_str(&format!("locator({})", js_str(s))),
            By::Role { role, name, exact } => {
                out.push_str(&format!("getByRole({}", js_str(role)));
                match (name, exact) {
                    (None, _) => {}
                    (Some(n), false) => out.push_str(&format!(", {{ name: {} }}", pattern(n))),
                    (Some(n), true) => {
                        out.push_str(&format!(", {{ name: {}, exact: true }}", pattern(n)))
                    }
                }
                out.push(')');
            }
            By::Text {
                engine,
                value,
                exact,
            } => {
                let opts = if *exact { ", { exact: true }" } else { "" };
                out.push_str(&format!(
                    "{}({}{opts})",
                    engine.playwright(),
                    pattern(value)
                ));
            }
            By::TestId(id) => out.push_str(&format!("getByTestId({})", js_str(id))),
        }
        if let Some(t) = &self.has_text {
            out.push_str(&format!(".filter({{ hasText: {} }})", pattern(t)));
        }
        if let Some(n) = self.nth {
            out.push_str(&format!(".nth({n})"));
        }
        out
    }

    /// What the page-side probe reads (`locate` in page/prelude.js).
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = match &self.by {
            By::Css(s) => serde_json::json!({ "engine": "css", "css": s }),
            By::Role { role, name, exact } => serde_json::json!({
                "engine": "role",
                "role": role,
                "name": name.as_ref().map(pattern_json),
                "exact": exact,
            }),
            By::Text {
                engine,
                value,
                exact,
            } => serde_json::json!({
                "engine": engine.key(),
                "value": pattern_json(value),
                "exact": exact,
            }),
            By::TestId(id) => serde_json::json!({ "engine": "test_id", "value": id }),
        };
        v["has_text"] = self
            .has_text
            .as_ref()
            .map_or(serde_json::Value::Null, pattern_json);
        v["nth"] = self.nth.into();
        v["frame"] = self.frame.clone().into();
        v
    }
}

impl PartialEq for Locator {
    fn eq(&self, other: &Self) -> bool {
        self.describe() == other.describe()
    }
}

/// ARIA 1.2's roles, the names `getByRole` accepts; a name outside the
/// list is a typo, caught when the spec loads.
pub const ARIA_ROLES: &[&str] = &[
    "alert",
    "alertdialog",
    "application",
    "article",
    "banner",
    "blockquote",
    "button",
    "caption",
    "cell",
    "checkbox",
    "code",
    "columnheader",
    "combobox",
    "complementary",
    "contentinfo",
    "definition",
    "deletion",
    "dialog",
    "directory",
    "document",
    "emphasis",
    "feed",
    "figure",
    "form",
    "generic",
    "grid",
    "gridcell",
    "group",
    "heading",
    "img",
    "insertion",
    "link",
    "list",
    "listbox",
    "listitem",
    "log",
    "main",
    "mark",
    "marquee",
    "math",
    "meter",
    "menu",
    "menubar",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "navigation",
    "none",
    "note",
    "option",
    "paragraph",
    "presentation",
    "progressbar",
    "radio",
    "radiogroup",
    "region",
    "row",
    "rowgroup",
    "rowheader",
    "scrollbar",
    "search",
    "searchbox",
    "separator",
    "slider",
    "spinbutton",
    "status",
    "strong",
    "subscript",
    "superscript",
    "switch",
    "tab",
    "table",
    "tablist",
    "tabpanel",
    "term",
    "textbox",
    "time",
    "timer",
    "toolbar",
    "tooltip",
    "tree",
    "treegrid",
    "treeitem",
];

/// A pattern for the probe: `{regex, flags}` or `{text}`.
fn pattern_json(p: &TextPattern) -> serde_json::Value {
    match p {
        TextPattern::Regex { regex, flags } => {
            serde_json::json!({ "regex": regex.as_str(), "flags": flags })
        }
        TextPattern::Exact(s) => serde_json::json!({ "text": s }),
    }
}

fn pattern(p: &TextPattern) -> String {
    match p {
        TextPattern::Regex { .. } => p.describe(),
        TextPattern::Exact(s) => js_str(s),
    }
}

/// A JavaScript string literal in single quotes, as Playwright prints one.
fn js_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Reads the locator under `key` of an `action` step: a CSS string, or a
/// mapping with one engine key and its refinements.
pub(super) fn parse<E: de::Error>(value: Value, key: &str, action: &str) -> Result<Locator, E> {
    let map = match value {
        Value::String(s) => return Ok(Locator::css(s)),
        Value::Mapping(m) => m,
        other => {
            return Err(E::custom(format!(
                "`{key}` in a `{action}` step must be a CSS selector or a locator such as `{{role: link, name: Docs}}`, found {}",
                kind(&other)
            )));
        }
    };
    let mut fields = std::collections::BTreeMap::new();
    for (k, v) in map {
        let Value::String(k) = k else {
            return Err(E::custom(format!(
                "a locator's keys are words such as `role` or `text`, found {}",
                kind(&k)
            )));
        };
        fields.insert(k, v);
    }
    let allowed = locator_keys();
    if let Some(k) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
        let hint = match did_you_mean(k, &allowed) {
            Some(s) => format!("; did you mean `{s}`?"),
            None => format!("; a locator takes {}", list(&allowed)),
        };
        return Err(E::custom(format!(
            "unknown locator key `{k}` in `{key}` of a `{action}` step{hint}"
        )));
    }
    let engines: Vec<&str> = ENGINES
        .iter()
        .copied()
        .filter(|e| fields.contains_key(*e))
        .collect();
    let engine = match engines.as_slice() {
        [one] => *one,
        [] => {
            return Err(E::custom(format!(
                "the locator in `{key}` names no elements; give it one of {}",
                list(ENGINES)
            )));
        }
        many => {
            return Err(E::custom(format!(
                "a locator picks elements one way, found {}",
                list(many)
            )));
        }
    };
    let mut string = |k: &str| -> Result<Option<String>, E> {
        match fields.remove(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            // `nth: 0`-like numbers and booleans are not text; a number is
            // accepted as its digits for `text: 2026`.
            Some(Value::Number(n)) if k != "frame" && k != "css" => Ok(Some(n.to_string())),
            Some(other) => Err(E::custom(format!(
                "`{k}` in a locator must be a string, found {}",
                kind(&other)
            ))),
        }
    };
    let raw = string(engine)?.unwrap_or_default();
    if raw.is_empty() && engine != "text" {
        return Err(E::custom(format!(
            "`{engine}` in a locator must not be empty"
        )));
    }
    let name = string("name")?;
    let has_text = string("has_text")?
        .map(|t| TextPattern::parse::<E>(&t))
        .transpose()?;
    let frame = string("frame")?;
    let exact = match fields.remove("exact") {
        None => None,
        Some(Value::Bool(b)) => Some(b),
        Some(other) => {
            return Err(E::custom(format!(
                "`exact` in a locator must be true or false, found {}",
                kind(&other)
            )));
        }
    };
    let nth = match fields.remove("nth") {
        None => None,
        Some(Value::Number(n)) => Some(n.as_i64().ok_or_else(|| {
            E::custom("`nth` must be a whole number: 0 is the first match, -1 the last")
        })?),
        Some(other) => {
            return Err(E::custom(format!(
                "`nth` must be a whole number (0 is the first match, -1 the last), found {}",
                kind(&other)
            )));
        }
    };
    if name.is_some() && engine != "role" {
        return Err(E::custom(format!(
            "`name` refines a `role` locator only; with `{engine}`, match its text in `{engine}` itself"
        )));
    }
    if exact.is_some() && matches!(engine, "css" | "test_id") {
        return Err(E::custom(format!(
            "`exact` has no meaning for a `{engine}` locator"
        )));
    }
    let exact = exact.unwrap_or(false);
    let by = match engine {
        "css" => By::Css(raw),
        "test_id" => By::TestId(raw),
        "role" => By::Role {
            role: checked_role(&raw)?,
            name: name.map(|n| TextPattern::parse::<E>(&n)).transpose()?,
            exact,
        },
        other => By::Text {
            engine: match other {
                "text" => TextEngine::Text,
                "label" => TextEngine::Label,
                "placeholder" => TextEngine::Placeholder,
                "alt" => TextEngine::Alt,
                _ => TextEngine::Title,
            },
            value: TextPattern::parse::<E>(&raw)?,
            exact,
        },
    };
    Ok(Locator {
        by,
        has_text,
        nth,
        frame,
        plain: false,
    })
}

fn checked_role<E: de::Error>(raw: &str) -> Result<String, E> {
    let role = raw.trim().to_ascii_lowercase();
    if ARIA_ROLES.contains(&role.as_str()) {
        return Ok(role);
    }
    Err(E::custom(match did_you_mean(&role, ARIA_ROLES) {
        Some(s) => format!("unknown ARIA role `{raw}`; did you mean `{s}`?"),
        None => format!(
            "unknown ARIA role `{raw}`; roles are ARIA's, such as `link`, `button`, `heading` or `navigation`"
        ),
    }))
}
