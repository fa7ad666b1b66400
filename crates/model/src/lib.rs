//! The data a smoke run produces. Every other crate speaks these types: the
//! runner fills them in, reports render them, and the seal records them.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod atomic;
mod cause;
mod rollback;
pub mod text;
pub use cause::FailureCause;
pub use rollback::{
    DEFAULT_STRATEGY, FlyProof, HerokuProof, HerokuStatus, RevertProof, RevertStatus,
    RollbackEvidence,
};

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
    /// Errors the page showed because this request was refused (the failed
    /// load, a rejected `fetch`, a failed service-worker registration).
    /// They are the guard's doing, so `no_page_errors` does not count them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caused: Vec<PageError>,
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
    /// For a visit: how its screenshot compares with the same page's from
    /// the app's last green seal. Information only: it never changes the
    /// verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_last_green: Option<Box<SinceLastGreen>>,
}

/// A visit's screenshot against the same page's screenshot from the app's
/// last green seal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SinceLastGreen {
    /// The run that sealed green last, whose screenshot is the baseline.
    pub run_id: String,
    /// The share of pixels that differ, from 0.0 (none) to 1.0 (all).
    pub changed_ratio: f64,
    /// The baseline screenshot, relative to the artifacts folder, when the
    /// page changed and the report shows it side by side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<PathBuf>,
    /// The image that marks the changed pixels, relative to the artifacts
    /// folder, when the page changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<PathBuf>,
}

/// The evidence of why one scenario failed, beyond its screenshot. Paths
/// are relative to the artifacts folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioTrace {
    pub scenario: String,
    /// A HAR 1.2 file of the scenario's network traffic, with the requests
    /// the read-only guard blocked (status 0 and the reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub har: Option<PathBuf>,
    /// An MHTML snapshot of the page at the moment of failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mhtml: Option<PathBuf>,
    /// The console messages and page errors, one per line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub console: Option<PathBuf>,
}

fn one() -> u32 {
    1
}

impl CheckResult {
    /// A step of `scenario` that has not run (yet): skipped, with nothing
    /// seen. The runner fills it in as the step runs; a step that never
    /// gets to run stays like this.
    pub fn not_run(scenario: &str, name: String, attempts: u32) -> CheckResult {
        CheckResult {
            scenario: scenario.to_string(),
            name,
            status: CheckStatus::Skipped,
            duration_ms: 0,
            http_status: None,
            error: None,
            screenshot: None,
            blocked_requests: Vec::new(),
            page_errors: Vec::new(),
            attempts,
            since_last_green: None,
        }
    }
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
    /// The traces of the scenarios that failed (or of every scenario, under
    /// `--trace always`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traces: Vec<ScenarioTrace>,
}

/// True for a path that stays inside the folder it is relative to.
pub fn is_inside(path: &std::path::Path) -> bool {
    use std::path::Component;
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && path.components().next().is_some()
}

impl RunReport {
    /// A run that has not judged anything yet: no checks, and inconclusive
    /// until it does. Started and finished now.
    pub fn begin(
        run_id: &str,
        app: &str,
        url: &str,
        tag: &str,
        artifacts_dir: Option<PathBuf>,
    ) -> RunReport {
        let now = Utc::now();
        RunReport {
            run_id: run_id.to_string(),
            app: app.to_string(),
            url: url.to_string(),
            tag: tag.to_string(),
            started_at: now,
            finished_at: now,
            verdict: Verdict::Inconclusive,
            retried: false,
            retry_delay_secs: 0,
            checks: Vec::new(),
            environment_error: None,
            artifacts_dir,
            rollback: None,
            traces: Vec::new(),
        }
    }

    /// The run could not judge the site: `checks` is what it has (the
    /// checks that finished, and every other step marked not run), `why`
    /// says what broke. Inconclusive, finished now.
    pub fn cut_short(mut self, checks: Vec<CheckResult>, why: String) -> RunReport {
        self.checks = checks;
        self.environment_error = Some(why);
        self.verdict = Verdict::Inconclusive;
        self.finished_at = Utc::now();
        self
    }

    /// What the findings say, before anything outside the run is asked
    /// (the engine's canary may still turn red into inconclusive): a
    /// broken environment is inconclusive, a failed check red, else green.
    pub fn verdict_from_findings(&self) -> Verdict {
        if self.environment_error.is_some() {
            Verdict::Inconclusive
        } else if self.checks.iter().any(|c| c.status == CheckStatus::Failed) {
            Verdict::Red
        } else {
            Verdict::Green
        }
    }

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

    /// How many scenarios passed, failed or never ran, Playwright-style.
    pub fn scenario_counts(&self) -> ScenarioCounts {
        let mut names: Vec<&str> = Vec::new();
        for c in &self.checks {
            if !names.contains(&c.scenario.as_str()) {
                names.push(&c.scenario);
            }
        }
        let mut counts = ScenarioCounts::default();
        for name in names {
            let statuses: Vec<CheckStatus> = self
                .checks
                .iter()
                .filter(|c| c.scenario == name)
                .map(|c| c.status)
                .collect();
            if statuses.contains(&CheckStatus::Failed) {
                counts.failed += 1;
            } else if statuses.iter().all(|s| s.is_pass()) {
                counts.passed += 1;
                if statuses.contains(&CheckStatus::Flaky) {
                    counts.flaky += 1;
                }
            } else {
                // A step that never ran proves nothing: the scenario did not pass.
                counts.skipped += 1;
            }
        }
        counts
    }

    /// The first failed check, which the red summary names as its reason.
    pub fn first_failure(&self) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.status == CheckStatus::Failed)
    }
}

/// Scenario counts. A scenario passes only when every one of its steps
/// ran and passed; one that was cut short by prod-smoke's own failure (no
/// browser, an interrupt) is skipped, never passed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioCounts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Passed scenarios that needed a retry (also counted in `passed`).
    pub flaky: usize,
}

impl ScenarioCounts {
    /// `2 passed, 0 failed`, with `, 1 skipped` when a scenario did not run:
    /// the caller's counters read `N passed` and `N failed` either way.
    pub fn line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            line.push_str(&format!(", {} skipped", self.skipped));
        }
        line
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

    #[test]
    fn counts_a_cut_short_scenario_as_skipped_never_passed() {
        let check = |scenario: &str, status| CheckResult {
            status,
            ..CheckResult::not_run(scenario, "step".into(), 1)
        };
        let now = Utc::now();
        let report = RunReport {
            run_id: "r".into(),
            app: "a".into(),
            url: "http://x".into(),
            tag: "@t".into(),
            started_at: now,
            finished_at: now,
            verdict: Verdict::Inconclusive,
            retried: false,
            retry_delay_secs: 0,
            checks: vec![
                check("one", CheckStatus::Passed),
                check("one", CheckStatus::Skipped),
                check("two", CheckStatus::Passed),
                check("three", CheckStatus::Failed),
                check("four", CheckStatus::Flaky),
            ],
            environment_error: Some("no browser".into()),
            artifacts_dir: None,
            rollback: None,
            traces: Vec::new(),
        };
        let c = report.scenario_counts();
        assert_eq!((c.passed, c.failed, c.skipped, c.flaky), (2, 1, 1, 1));
        assert_eq!(c.line(), "2 passed, 1 failed, 1 skipped");
    }
}
