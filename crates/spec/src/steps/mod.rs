//! The step vocabulary. Each step is a YAML mapping with exactly one action
//! key (`get`, `visit`, `title`, ...) plus that action's modifiers. There
//! are no mutating steps: only GET and HEAD ever leave the machine.

mod assertions;
mod http;
mod navigation;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_yaml::Value;

pub use assertions::{Assertion, TitlePattern, normalise_ws};
pub use http::{HttpCheck, HttpMethod};
pub use navigation::Visit;

use prod_smoke_suggest::did_you_mean;

/// One step of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A plain-HTTP request outside the browser, with an expected status.
    Http(HttpCheck),
    /// Open a page in the browser; the document must answer 2xx.
    Visit(Visit),
    /// An expectation on the page last visited; polls until it passes.
    Assert(Assertion),
}

impl Step {
    /// A short, human description, used as the check's name.
    pub fn describe(&self) -> String {
        match self {
            Step::Http(h) => h.describe(),
            Step::Visit(v) => v.describe(),
            Step::Assert(a) => a.describe(),
        }
    }

    pub fn needs_browser(&self) -> bool {
        !matches!(self, Step::Http(_))
    }
}

/// Action keys, in the order they are suggested.
pub const ACTIONS: &[&str] = &[
    "get",
    "head",
    "visit",
    "title",
    "text",
    "visible",
    "no_page_errors",
];

/// Keys that look like steps but would change production state.
const MUTATING: &[&str] = &[
    "post", "put", "patch", "delete", "click", "fill", "type", "submit", "press", "check", "select",
];

/// The raw fields of a step mapping, checked by each action's constructor.
pub(crate) struct Fields {
    map: BTreeMap<String, Value>,
    action: &'static str,
}

impl Fields {
    pub(crate) fn take_str<E: de::Error>(&mut self, key: &str) -> Result<Option<String>, E> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(E::custom(format!(
                "`{key}` in a `{}` step must be a string, found {}",
                self.action,
                kind(&other)
            ))),
        }
    }

    pub(crate) fn require_str<E: de::Error>(&mut self, key: &str) -> Result<String, E> {
        let action = self.action;
        self.take_str(key)?
            .ok_or_else(|| E::custom(format!("a `{action}` step needs a string value")))
    }

    pub(crate) fn take_u16<E: de::Error>(&mut self, key: &str) -> Result<Option<u16>, E> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| (100..=599).contains(n))
                .map(Some)
                .ok_or_else(|| {
                    E::custom(format!("`{key}` must be an HTTP status from 100 to 599"))
                }),
            Some(other) => Err(E::custom(format!(
                "`{key}` must be an HTTP status number, found {}",
                kind(&other)
            ))),
        }
    }

    pub(crate) fn take_timeout<E: de::Error>(&mut self) -> Result<Option<Duration>, E> {
        match self.map.remove("timeout") {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|s| *s > 0.0 && *s <= 600.0)
                .map(|s| Some(Duration::from_secs_f64(s)))
                .ok_or_else(|| E::custom("`timeout` must be between 0 and 600 seconds")),
            Some(Value::String(s)) => parse_duration(&s).map(Some).ok_or_else(|| {
                E::custom(format!(
                    "`timeout: {s}` is not a duration; write e.g. `5s` or `500ms`"
                ))
            }),
            Some(other) => Err(E::custom(format!(
                "`timeout` must be a duration like `5s`, found {}",
                kind(&other)
            ))),
        }
    }

    pub(crate) fn take_bool<E: de::Error>(&mut self, key: &str) -> Result<Option<bool>, E> {
        match self.map.remove(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(E::custom(format!(
                "`{key}` must be true or false, found {}",
                kind(&other)
            ))),
        }
    }

    /// Fails on any key the action did not consume, with a suggestion.
    pub(crate) fn finish<E: de::Error>(self, allowed: &[&str]) -> Result<(), E> {
        if let Some(key) = self.map.keys().next() {
            let hint = match did_you_mean(key, allowed) {
                Some(s) => format!("; did you mean `{s}`?"),
                None if allowed.is_empty() => String::new(),
                None => format!("; it takes {}", list(allowed)),
            };
            return Err(E::custom(format!(
                "unknown key `{key}` in a `{}` step{hint}",
                self.action
            )));
        }
        Ok(())
    }
}

fn list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// `5s`, `500ms`, `1.5s` or a bare number of seconds.
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else {
        (s, 1.0)
    };
    let secs = num.trim().parse::<f64>().ok()? * scale;
    (secs > 0.0 && secs <= 600.0).then(|| Duration::from_secs_f64(secs))
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(StepVisitor)
    }
}

struct StepVisitor;

impl<'de> Visitor<'de> for StepVisitor {
    type Value = Step;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a step mapping such as `visit: /` or `get: /up`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Step, A::Error> {
        let mut map = BTreeMap::new();
        while let Some((k, v)) = access.next_entry::<String, Value>()? {
            if map.insert(k.clone(), v).is_some() {
                return Err(de::Error::custom(format!(
                    "key `{k}` appears twice in one step"
                )));
            }
        }
        let actions: Vec<&'static str> = ACTIONS
            .iter()
            .copied()
            .filter(|a| map.contains_key(*a))
            .collect();
        let action = match actions.as_slice() {
            [one] => *one,
            [] => return Err(no_action_error(&map)),
            many => {
                return Err(de::Error::custom(format!(
                    "a step has exactly one action, found {}",
                    list(many)
                )));
            }
        };
        let mut fields = Fields { map, action };
        match action {
            "get" => HttpCheck::from_fields(HttpMethod::Get, &mut fields).map(Step::Http),
            "head" => HttpCheck::from_fields(HttpMethod::Head, &mut fields).map(Step::Http),
            "visit" => Visit::from_fields(&mut fields).map(Step::Visit),
            _ => Assertion::from_fields(action, &mut fields).map(Step::Assert),
        }
        .and_then(|step| fields.finish(allowed_keys(action)).map(|()| step))
    }
}

fn allowed_keys(action: &str) -> &'static [&'static str] {
    match action {
        "get" | "head" => &["status", "timeout"],
        "text" => &["in", "timeout"],
        "title" | "visible" => &["timeout"],
        _ => &[],
    }
}

fn no_action_error<E: de::Error>(map: &BTreeMap<String, Value>) -> E {
    let Some(key) = map.keys().next() else {
        return E::custom(format!(
            "empty step; a step starts with one of {}",
            list(ACTIONS)
        ));
    };
    if MUTATING.contains(&key.to_lowercase().as_str()) {
        return E::custom(format!(
            "`{key}` is not a step: prod-smoke is read-only, and only `get` and `head` send requests"
        ));
    }
    match did_you_mean(key, ACTIONS) {
        Some(s) => E::custom(format!("unknown step `{key}`; did you mean `{s}`?")),
        None => E::custom(format!(
            "unknown step `{key}`; a step starts with one of {}",
            list(ACTIONS)
        )),
    }
}
