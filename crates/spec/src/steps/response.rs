//! Checks on the response of the scenario's last `get` or `head`: what a
//! health or status endpoint says beyond its status code.

use serde::de;
use serde_json::Value as Json;
use serde_yaml::Value;

use super::{Fields, TextPattern, kind};

/// A check on the last plain-HTTP response. Like Playwright's
/// `expect(response.headers()[name])` or `expect(await response.json())`,
/// it reads a response already received, so it does not poll.
#[derive(Debug, Clone)]
pub enum ResponseCheck {
    /// `header: name`, optionally `value: /regex/flags` or exact text.
    Header {
        /// Lower case: header names are case-insensitive.
        name: String,
        /// `None` checks only that the header is present.
        value: Option<TextPattern>,
    },
    /// `json: path` with `equals: value`.
    Json { path: JsonPath, equals: Json },
}

impl PartialEq for ResponseCheck {
    fn eq(&self, other: &Self) -> bool {
        self.describe() == other.describe()
    }
}

impl ResponseCheck {
    pub fn describe(&self) -> String {
        match self {
            ResponseCheck::Header { name, value: None } => format!("header {name} is present"),
            ResponseCheck::Header {
                name,
                value: Some(p @ TextPattern::Regex { .. }),
            } => format!("header {name} matches {}", p.describe()),
            ResponseCheck::Header {
                name,
                value: Some(p @ TextPattern::Exact(_)),
            } => format!("header {name} is {}", p.describe()),
            ResponseCheck::Json { path, equals } => format!("json {path} equals {equals}"),
        }
    }
}

/// `header: name` with an optional `value`.
pub(super) fn header<E: de::Error>(f: &mut Fields) -> Result<ResponseCheck, E> {
    let name = f.require_str("header")?;
    // RFC 9110 `token`: what a header name can be.
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(token) {
        return Err(E::custom(format!(
            "`header: {name}` is not a header name; write one such as `content-type`"
        )));
    }
    let value = match f.take_str("value")? {
        Some(raw) => Some(TextPattern::parse(&raw)?),
        None => None,
    };
    Ok(ResponseCheck::Header {
        name: name.to_ascii_lowercase(),
        value,
    })
}

/// `json: path` with `equals: value`.
pub(super) fn json<E: de::Error>(f: &mut Fields) -> Result<ResponseCheck, E> {
    let path = JsonPath::parse(&f.require_str("json")?).map_err(E::custom)?;
    let Some(raw) = f.take_value("equals") else {
        return Err(E::custom(
            "a `json` step needs `equals:`, the value expected at the path",
        ));
    };
    let equals = match &raw {
        Value::Tagged(_) => None,
        _ => serde_json::to_value(&raw).ok(),
    }
    .ok_or_else(|| {
        E::custom(format!(
            "`equals` in a `json` step must be plain JSON data, found {}",
            kind(&raw)
        ))
    })?;
    Ok(ResponseCheck::Json { path, equals })
}

/// Where a value sits in a JSON document: keys joined by `.`, array
/// indices in brackets, such as `checks.database` or `services[0].name`.
/// A path starting with `[0]` indexes a top-level array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    raw: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for JsonPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

impl JsonPath {
    pub fn parse(raw: &str) -> Result<JsonPath, String> {
        let bad = |why: &str| {
            format!("`json: {raw}` is not a path ({why}); write one such as `services[0].status`")
        };
        if raw.is_empty() {
            return Err(bad("it is empty"));
        }
        let mut segments = Vec::new();
        for (i, part) in raw.split('.').enumerate() {
            let (key, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
            if key.contains(']') {
                return Err(bad("a `]` with no `[`"));
            }
            match (key.is_empty(), i, rest.is_empty()) {
                (false, _, _) => segments.push(Segment::Key(key.to_string())),
                (true, 0, false) => {}
                _ => return Err(bad("an empty key")),
            }
            while !rest.is_empty() {
                let index = rest
                    .strip_prefix('[')
                    .and_then(|r| r.split_once(']'))
                    .and_then(|(n, after)| {
                        rest = after;
                        n.parse::<usize>().ok()
                    })
                    .ok_or_else(|| bad("an index must be a number in brackets, such as `[0]`"))?;
                segments.push(Segment::Index(index));
            }
        }
        Ok(JsonPath {
            raw: raw.to_string(),
            segments,
        })
    }

    /// The value at the path, or a sentence saying where the path ends.
    pub fn lookup<'a>(&self, doc: &'a Json) -> Result<&'a Json, String> {
        let mut here = doc;
        let mut walked = String::new();
        for segment in &self.segments {
            let at = if walked.is_empty() {
                "the body".to_string()
            } else {
                format!("`{walked}`")
            };
            here = match (segment, here) {
                (Segment::Key(k), Json::Object(map)) => {
                    map.get(k).ok_or_else(|| format!("no key `{k}` in {at}"))?
                }
                (Segment::Index(n), Json::Array(items)) => items
                    .get(*n)
                    .ok_or_else(|| format!("{at} has {} items, no [{n}]", items.len()))?,
                (Segment::Key(k), other) => {
                    return Err(format!(
                        "{at} is {}, not an object with `{k}`",
                        json_kind(other)
                    ));
                }
                (Segment::Index(n), other) => {
                    return Err(format!(
                        "{at} is {}, not an array with [{n}]",
                        json_kind(other)
                    ));
                }
            };
            match segment {
                Segment::Key(k) if walked.is_empty() => walked.push_str(k),
                Segment::Key(k) => {
                    walked.push('.');
                    walked.push_str(k);
                }
                Segment::Index(n) => walked.push_str(&format!("[{n}]")),
            }
        }
        Ok(here)
    }
}

fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// Deep equality as JavaScript's `toEqual` sees JSON: `1` equals `1.0`,
/// object key order does not matter.
pub fn json_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_walk_keys_and_indices() {
        let doc: Json = serde_json::json!({
            "status": "ok",
            "checks": {"db": {"ok": true}},
            "services": [{"name": "web"}, {"name": "worker"}],
        });
        let at = |p: &str| JsonPath::parse(p).unwrap().lookup(&doc).cloned();
        assert_eq!(at("status"), Ok(serde_json::json!("ok")));
        assert_eq!(at("checks.db.ok"), Ok(serde_json::json!(true)));
        assert_eq!(at("services[1].name"), Ok(serde_json::json!("worker")));
        assert_eq!(at("checks.cache"), Err("no key `cache` in `checks`".into()));
        assert_eq!(
            at("services[5]"),
            Err("`services` has 2 items, no [5]".into())
        );
        assert_eq!(
            at("status.code"),
            Err("`status` is a string, not an object with `code`".into())
        );
        let top: Json = serde_json::json!([[1, 2], [3]]);
        let p = JsonPath::parse("[0][1]").unwrap();
        assert_eq!(p.lookup(&top), Ok(&serde_json::json!(2)));
    }

    #[test]
    fn bad_paths_are_refused() {
        for bad in [
            "", "a..b", ".a", "a.", "a[x]", "a[0", "a]", "a.[0]", "a[0]b",
        ] {
            assert!(JsonPath::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_equal(
            &serde_json::json!({"a": [1, 2.0]}),
            &serde_json::json!({"a": [1.0, 2]})
        ));
        assert!(!json_equal(&serde_json::json!("1"), &serde_json::json!(1)));
    }
}
