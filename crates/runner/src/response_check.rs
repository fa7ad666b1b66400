//! The `header` and `json` steps: checks on the response of the last
//! `get` or `head`, already received, so they do not poll.

use prod_smoke_spec::{ResponseCheck, TextPattern, json_equal};

use crate::failure::{self, Failure, quote};
use crate::http_check::CapturedResponse;

pub(crate) fn check(step: &ResponseCheck, last: Option<&CapturedResponse>) -> Result<(), Failure> {
    // The spec refuses a response check before any `get` or `head`, and a
    // failed request stops the scenario, so a response is always here.
    let Some(response) = last else {
        return Err(Failure::once(format!(
            "expected a response to check, but no `get` or `head` answered before `{}`",
            step.describe()
        )));
    };
    let on = &response.request;
    match step {
        ResponseCheck::Header { name, value } => {
            let values: Vec<&str> = response
                .headers
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
                .collect();
            // RFC 9110: repeated fields read as one list joined by ", ".
            let joined = values.join(", ");
            let expected = match value {
                None => format!("a `{name}` header on {on}"),
                Some(p @ TextPattern::Regex { .. }) => {
                    format!("header `{name}` on {on} to match {}", p.describe())
                }
                Some(p @ TextPattern::Exact(_)) => {
                    format!("header `{name}` on {on} to be {}", p.describe())
                }
            };
            match value {
                _ if values.is_empty() => Err(format!("expected {expected}, saw no such header")),
                Some(p) if !p.matches(&joined) => {
                    Err(format!("expected {expected}, saw {}", quote(&joined)))
                }
                _ => Ok(()),
            }
        }
        ResponseCheck::Json { path, equals } => {
            let expected = format!("json `{path}` on {on} to equal {equals}");
            let body = match &response.body {
                Some(Ok(body)) => body,
                Some(Err(e)) => return Err(Failure::once(format!("expected {expected}, {e}"))),
                None => {
                    return Err(Failure::once(format!(
                        "expected {expected}, the body was not read"
                    )));
                }
            };
            let doc: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
                Failure::once(format!(
                    "expected {expected}, saw a body that is not JSON ({e})"
                ))
            })?;
            match path.lookup(&doc) {
                Err(where_) => Err(format!("expected {expected}, saw {where_}")),
                Ok(actual) if !json_equal(actual, equals) => Err(format!(
                    "expected {expected}, saw {}",
                    failure::json(actual)
                )),
                Ok(_) => Ok(()),
            }
        }
    }
    .map_err(Failure::once)
}
