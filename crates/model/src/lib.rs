//! The data a smoke run produces. Every other crate speaks these types: the
//! runner fills them in, reports render them, and the seal records them.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod rollback;
pub use rollback::{HerokuProof, HerokuStatus, RevertProof, RevertStatus, RollbackEvidence};

/// The outcome of one check (one scenario, or one step inside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Passed,
    Failed,
    /// Failed first, then passed on a retry.
    Flaky,
    /// Not run, because prod-smoke's own environment broke first.
    Skipped,
}

impl CheckStatus {
    pub fn is_pass(self) -> bool {
        matches!(self, CheckStatus::Passed | CheckStatus::Flaky)
    }
}

/// A request the read-only guard stopped before it left the machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedRequest {
    /// `POST`, `PUT`, ... or `GET` for a `--block-url` match; a WebSocket
    /// handshake is `GET` as on the wire.
    pub method: String,
    pub url: String,
    /// The document URL of the page that sent it.
    pub page: String,
    /// How the page tried to send it: `fetch`, `xhr`, `beacon`, `form`,
    /// `websocket`, `block-url`, ... (see [`BlockedRequest::channel`] values
    /// in docs/operations.md). Empty in reports written before channels.
    #[serde(default)]
    pub channel: String,
}

/// Something the page reported while it was open: an uncaught exception, a
/// console error or a subresource that failed to load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageError {
    pub kind: PageErrorKind,
    pub message: String,
    pub page: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageErrorKind {
    Exception,
    Console,
    FailedRequest,
}

/// One check's result, as written to `results.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Scenario name, e.g. "public routes and the task board respond".
    pub scenario: String,
    /// Step description, e.g. "GET /up returns 200".
    pub name: String,
    pub status: CheckStatus,
    pub duration_ms: u64,
    /// The HTTP status seen for the request or document, when there was one.
    pub http_status: Option<u16>,
    /// One sentence a person can act on: which step, what was expected, what was seen.
    pub error: Option<String>,
    /// Screenshot path relative to the artifacts folder.
    pub screenshot: Option<PathBuf>,
    #[serde(default)]
    pub blocked_requests: Vec<BlockedRequest>,
    #[serde(default)]
    pub page_errors: Vec<PageError>,
    /// How many attempts this check took (1 unless it was retried).
    #[serde(default = "one")]
    pub attempts: u32,
}

fn one() -> u32 {
    1
}

/// The verdict of a run. `Inconclusive` means prod-smoke itself broke (no
/// browser, for instance): it is never a red verdict on the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Green,
    Red,
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Green => "green",
            Verdict::Red => "red",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// Everything one `prod-smoke` run found out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Unique per run; used for idempotency and to name the artifacts folder.
    pub run_id: String,
    pub app: String,
    pub url: String,
    pub tag: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub verdict: Verdict,
    /// True when failed scenarios were re-run after the boot-window wait.
    pub retried: bool,
    /// Seconds waited before the retry, when there was one.
    pub retry_delay_secs: u64,
    pub checks: Vec<CheckResult>,
    /// Why the run is inconclusive, when it is.
    pub environment_error: Option<String>,
    pub artifacts_dir: Option<PathBuf>,
    /// On red: the rollback block and what its dry run proved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<RollbackEvidence>,
}

impl RunReport {
    pub fn passed_count(&self) -> usize {
        self.checks.iter().filter(|c| c.status.is_pass()).count()
    }

    pub fn failed_count(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Failed)
            .count()
    }

    pub fn flaky_count(&self) -> usize {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Flaky)
            .count()
    }

    pub fn duration_ms(&self) -> u64 {
        (self.finished_at - self.started_at)
            .num_milliseconds()
            .max(0) as u64
    }

    /// The host the summary names: `mcritchie.studio`, or `127.0.0.1:4010`.
    pub fn host(&self) -> String {
        host_of(&self.url)
    }

    /// The first failed check, which the red summary names as its reason.
    pub fn first_failure(&self) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.status == CheckStatus::Failed)
    }
}

/// Host (with a non-default port) of a URL, or the input when it does not parse.
pub fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => url.to_string(),
        },
        Err(_) => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_keeps_non_default_port() {
        assert_eq!(host_of("https://mcritchie.studio/"), "mcritchie.studio");
        assert_eq!(host_of("http://127.0.0.1:4010"), "127.0.0.1:4010");
        assert_eq!(host_of("not a url"), "not a url");
    }
}

/// Masks secret values (webhook tokens, database passwords, `--secret`
/// values) as `***` in any text prod-smoke writes.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret. Values shorter than 4 characters are ignored, because
    /// masking them would mangle ordinary words.
    pub fn add(&mut self, secret: impl Into<String>) {
        let secret = secret.into();
        if secret.len() >= 4 && !self.secrets.contains(&secret) {
            self.secrets.push(secret);
            // Longest first, so a secret that contains another is masked whole.
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        out
    }

    /// Redacts every string inside a serialisable value.
    pub fn redact_value<T>(&self, value: &T) -> T
    where
        T: Serialize + serde::de::DeserializeOwned + Clone,
    {
        if self.secrets.is_empty() {
            return value.clone();
        }
        let mut json = serde_json::to_value(value).expect("model types serialise");
        self.redact_json(&mut json);
        serde_json::from_value(json).expect("redaction keeps the shape")
    }

    fn redact_json(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = self.redact(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| self.redact_json(x)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|x| self.redact_json(x)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod redactor_tests {
    use super::*;

    #[test]
    fn masks_longest_secret_first() {
        let mut r = Redactor::new();
        r.add("abcd");
        r.add("abcdefgh");
        assert_eq!(r.redact("x abcdefgh y abcd"), "x *** y ***");
        r.add("ab");
        assert_eq!(r.redact("ab"), "ab");
    }
}
