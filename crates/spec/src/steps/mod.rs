//! The step vocabulary. Each step is a YAML mapping with exactly one action
//! key (`get`, `visit`, `title`, ...) plus that action's modifiers. The
//! steps are listed once, in `registry.rs`; a check on the page is one
//! file in `page/` (its "Adding a step" section says how to add one).
//! No step writes: `get` and `head` are the only requests a step sends
//! itself, and whatever the page sends, an interaction (`action/`)
//! included, passes the browser's read-only guard.

pub mod action;
mod http;
mod locator;
mod navigation;
pub mod page;
mod pattern;
mod registry;
mod response;
mod shown;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_yaml::Value;

pub use action::{Action, Click, Fill, Hover, Key, MODIFIERS, Press, Scroll, key_def, key_names};
pub use http::{HttpCheck, HttpMethod};
pub use locator::{ARIA_ROLES, By, Locator, TextEngine, locator_keys};
pub use navigation::Visit;
pub use page::{Assertion, Observation, PageCheck, Reads, Verdict, prelude, probe_script};
pub use pattern::{TextPattern, normalise_ws};
pub use registry::{StepInfo, StepKind};
pub use response::{JsonPath, ResponseCheck, json_equal};
pub use shown::{elements, quote, shorten};

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
    /// A check on the response of the last `get` or `head`.
    Response(ResponseCheck),
    /// An interaction with the page: `click`, `hover`, `fill`, ...
    Act(Action),
}

impl Step {
    /// A short, human description, used as the check's name.
    pub fn describe(&self) -> String {
        match self {
            Step::Http(h) => h.describe(),
            Step::Visit(v) => v.describe(),
            Step::Assert(a) => a.describe(),
            Step::Response(r) => r.describe(),
            Step::Act(a) => a.describe(),
        }
    }

    /// Which registry entry the step came from.
    pub fn kind(&self) -> StepKind {
        match self {
            Step::Http(h) => match h.method {
                HttpMethod::Get => StepKind::Get,
                HttpMethod::Head => StepKind::Head,
            },
            Step::Visit(_) => StepKind::Visit,
            Step::Assert(a) => a.kind(),
            Step::Response(r) => r.kind(),
            // Here, not on `Action`: the registry names the actions' parsers,
            // so an action naming the registry back would be a circle.
            Step::Act(a) => match a {
                Action::Click(_) => StepKind::Click,
                Action::Hover(_) => StepKind::Hover,
                Action::Fill(_) => StepKind::Fill,
                Action::Press(_) => StepKind::Press,
                Action::Scroll(_) => StepKind::Scroll,
            },
        }
    }

    pub fn needs_browser(&self) -> bool {
        match self {
            Step::Http(_) | Step::Response(_) => false,
            Step::Visit(_) | Step::Assert(_) | Step::Act(_) => true,
        }
    }
}

/// Keys that look like steps but would change production state. They are
/// refused with the reason rather than suggested against, so a spec cannot
/// be talked into a write by a near-miss name.
const MUTATING: &[&str] = &[
    "post", "put", "patch", "delete", "type", "submit", "check", "select",
];

/// The raw fields of a step mapping, checked by each action's constructor.
pub(crate) struct Fields {
    map: BTreeMap<String, Value>,
    kind: StepKind,
    action: &'static str,
}

impl Fields {
    /// The step's YAML key.
    pub(crate) fn key(&self) -> &'static str {
        self.action
    }

    /// Takes one key out of the mapping. Only the action key and the
    /// modifiers the registry lists may be read, so `prod-smoke steps` and
    /// the "did you mean" hints never miss a key a step accepts.
    fn take(&mut self, key: &str) -> Option<Value> {
        debug_assert!(
            key == self.action || self.kind.info().modifiers.contains(&key),
            "`{key}` is not a registered modifier of `{}`",
            self.action
        );
        self.map.remove(key)
    }

    pub(crate) fn take_str<E: de::Error>(&mut self, key: &str) -> Result<Option<String>, E> {
        match self.take(key) {
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
        self.take_whole(
            key,
            "an HTTP status from 100 to 599",
            "an HTTP status number",
            |n| u16::try_from(n).ok().filter(|n| (100..=599).contains(n)),
        )
    }

    /// A count of things: a whole number from 0 up.
    pub(crate) fn take_count<E: de::Error>(&mut self, key: &str) -> Result<Option<usize>, E> {
        self.take_whole(key, "a whole number from 0 up", "a whole number", |n| {
            usize::try_from(n).ok()
        })
    }

    /// A whole number that `accept` keeps. `range` says which in an error
    /// about the number, `shape` in an error about a value of another kind.
    fn take_whole<T, E: de::Error>(
        &mut self,
        key: &str,
        range: &str,
        shape: &str,
        accept: impl Fn(u64) -> Option<T>,
    ) -> Result<Option<T>, E> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(accept)
                .map(Some)
                .ok_or_else(|| E::custom(format!("`{key}` must be {range}"))),
            Some(other) => Err(E::custom(format!(
                "`{key}` must be {shape}, found {}",
                kind(&other)
            ))),
        }
    }

    pub(crate) fn take_timeout<E: de::Error>(&mut self) -> Result<Option<Duration>, E> {
        match self.take("timeout") {
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

    /// A locator: a CSS string or a mapping such as `{role: link, name: Docs}`.
    pub(crate) fn take_locator<E: de::Error>(&mut self, key: &str) -> Result<Option<Locator>, E> {
        let action = self.action;
        self.take(key)
            .map(|v| locator::parse(v, key, action))
            .transpose()
    }

    pub(crate) fn require_locator<E: de::Error>(&mut self, key: &str) -> Result<Locator, E> {
        let action = self.action;
        self.take_locator(key)?.ok_or_else(|| {
            E::custom(format!(
                "a `{action}` step needs a CSS selector or a locator such as `{{role: link, name: Docs}}`"
            ))
        })
    }

    /// Any YAML value, for a step that compares data.
    pub(crate) fn take_value(&mut self, key: &str) -> Option<Value> {
        self.take(key)
    }

    pub(crate) fn take_bool<E: de::Error>(&mut self, key: &str) -> Result<Option<bool>, E> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(other) => Err(E::custom(format!(
                "`{key}` must be true or false, found {}",
                kind(&other)
            ))),
        }
    }

    /// Fails on any key the action does not take, with a suggestion. Run
    /// before the action reads its keys, so a misspelt required modifier
    /// (`nmae:`) is named as a typo rather than as missing.
    fn unknown_keys<E: de::Error>(&self) -> Result<(), E> {
        let allowed = self.kind.info().modifiers;
        let action = self.action;
        if let Some(key) = self
            .map
            .keys()
            .find(|k| k.as_str() != action && !allowed.contains(&k.as_str()))
        {
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

pub(crate) fn kind(v: &Value) -> &'static str {
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
        let kinds: Vec<StepKind> = StepKind::ALL
            .iter()
            .copied()
            .filter(|k| map.contains_key(k.info().key))
            .collect();
        let kind = match kinds.as_slice() {
            [one] => *one,
            [] => return Err(no_action_error(&map)),
            many => {
                let keys: Vec<&str> = many.iter().map(|k| k.info().key).collect();
                return Err(de::Error::custom(format!(
                    "a step has exactly one action, found {}",
                    list(&keys)
                )));
            }
        };
        let mut fields = Fields {
            map,
            kind,
            action: kind.info().key,
        };
        fields.unknown_keys()?;
        kind.parse(&mut fields)
    }
}

fn no_action_error<E: de::Error>(map: &BTreeMap<String, Value>) -> E {
    let actions = StepKind::keys();
    let Some(key) = map.keys().next() else {
        return E::custom(format!(
            "empty step; a step starts with one of {}",
            list(&actions)
        ));
    };
    if MUTATING.contains(&key.to_lowercase().as_str()) {
        return E::custom(format!(
            "`{key}` is not a step: prod-smoke is read-only, and only `get` and `head` send requests"
        ));
    }
    match did_you_mean(key, &actions) {
        Some(s) => E::custom(format!("unknown step `{key}`; did you mean `{s}`?")),
        None => E::custom(format!(
            "unknown step `{key}`; a step starts with one of {}",
            list(&actions)
        )),
    }
}
