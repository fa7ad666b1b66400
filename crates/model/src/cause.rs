//! What the page said while a scenario failed: its console errors,
//! uncaught exceptions, failed subresources and the requests the read-only
//! guard blocked. The runner files them under the visit that opened the
//! page (a check that usually passed); a failure's cause is gathered from
//! every check of the failed scenario, so it can be shown where the failure
//! is: report.html's "What failed", results.json's failed check, the
//! webhook and Discord.

use serde::{Deserialize, Serialize};

use crate::{BlockedRequest, CheckResult, CheckStatus, PageError, PageErrorKind, RunReport};

/// The evidence of one failed check's scenario, grouped by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureCause {
    pub console_errors: Vec<PageError>,
    /// Uncaught exceptions.
    pub page_errors: Vec<PageError>,
    /// Subresources that failed to load.
    pub failed_requests: Vec<PageError>,
    pub blocked_requests: Vec<BlockedRequest>,
}

/// One short line says at most this many characters of a message.
const SHORT_MESSAGE: usize = 160;

impl FailureCause {
    pub fn is_empty(&self) -> bool {
        self.console_errors.is_empty()
            && self.page_errors.is_empty()
            && self.failed_requests.is_empty()
            && self.blocked_requests.is_empty()
    }

    pub fn len(&self) -> usize {
        self.console_errors.len()
            + self.page_errors.len()
            + self.failed_requests.len()
            + self.blocked_requests.len()
    }

    /// Up to `max` one-line items (`console error: …`, `page error: …`,
    /// `failed request: …`, `blocked by the guard: POST …`), the errors
    /// first, and `… and N more` when some were left out. Plain text:
    /// escape it for whatever renders it.
    pub fn short_lines(&self, max: usize) -> Vec<String> {
        let mut all: Vec<String> = Vec::new();
        let said = |kind: &str, e: &PageError| format!("{kind}: {}", short(&e.message));
        all.extend(self.page_errors.iter().map(|e| said("page error", e)));
        all.extend(self.console_errors.iter().map(|e| said("console error", e)));
        all.extend(
            self.failed_requests
                .iter()
                .map(|e| said("failed request", e)),
        );
        all.extend(self.blocked_requests.iter().map(|b| {
            format!(
                "blocked by the read-only guard: {} {}",
                b.method,
                short(&b.url)
            )
        }));
        let more = all.len().saturating_sub(max);
        all.truncate(max);
        if more > 0 {
            all.push(format!("… and {more} more (see the artifacts)"));
        }
        all
    }
}

/// One line, at most [`SHORT_MESSAGE`] characters.
fn short(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= SHORT_MESSAGE {
        return line;
    }
    let mut cut: String = line.chars().take(SHORT_MESSAGE - 1).collect();
    cut.push('…');
    cut
}

impl RunReport {
    /// The cause of `failed`: what the page said in its scenario, from
    /// every check of that scenario (each item once). Empty for a check
    /// that did not fail.
    pub fn cause_of(&self, failed: &CheckResult) -> FailureCause {
        let mut cause = FailureCause::default();
        if failed.status != CheckStatus::Failed {
            return cause;
        }
        for check in self.checks.iter().filter(|c| c.scenario == failed.scenario) {
            for e in &check.page_errors {
                let list = if e.kind == PageErrorKind::Console {
                    &mut cause.console_errors
                } else if e.kind == PageErrorKind::FailedRequest {
                    &mut cause.failed_requests
                } else {
                    &mut cause.page_errors
                };
                if !list.contains(e) {
                    list.push(e.clone());
                }
            }
            for b in &check.blocked_requests {
                if !cause.blocked_requests.contains(b) {
                    cause.blocked_requests.push(b.clone());
                }
            }
        }
        cause
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::Verdict;

    fn error(kind: PageErrorKind, message: &str) -> PageError {
        PageError {
            kind,
            message: message.into(),
            page: "https://a.example/".into(),
        }
    }

    fn check(scenario: &str, status: CheckStatus, errors: Vec<PageError>) -> CheckResult {
        let mut c = CheckResult::not_run(scenario, format!("{scenario} step"), 1);
        c.status = status;
        c.page_errors = errors;
        c
    }

    #[test]
    fn a_failure_gathers_its_scenario_only_and_each_item_once() {
        let console = error(PageErrorKind::Console, "widget failed");
        let report = RunReport {
            run_id: "r".into(),
            app: "a".into(),
            url: "https://a.example".into(),
            tag: "@t".into(),
            started_at: Utc::now(),
            finished_at: Utc::now(),
            verdict: Verdict::Red,
            retried: false,
            retry_delay_secs: 0,
            checks: vec![
                check("one", CheckStatus::Passed, vec![console.clone()]),
                check(
                    "one",
                    CheckStatus::Failed,
                    vec![
                        console.clone(),
                        error(PageErrorKind::FailedRequest, "GET /app.js 404"),
                    ],
                ),
                check(
                    "two",
                    CheckStatus::Passed,
                    vec![error(PageErrorKind::Exception, "elsewhere")],
                ),
            ],
            environment_error: None,
            artifacts_dir: None,
            rollback: None,
            traces: Vec::new(),
        };
        let cause = report.cause_of(&report.checks[1]);
        assert_eq!(cause.console_errors, vec![console]);
        assert_eq!(cause.failed_requests.len(), 1);
        assert!(cause.page_errors.is_empty(), "another scenario's error");
        assert_eq!(
            cause.short_lines(1),
            [
                "console error: widget failed",
                "… and 1 more (see the artifacts)"
            ]
        );
        assert!(
            report.cause_of(&report.checks[0]).is_empty(),
            "a pass has no cause"
        );
    }

    #[test]
    fn a_long_message_is_cut_to_one_short_line() {
        let cause = FailureCause {
            page_errors: vec![error(PageErrorKind::Exception, &"x\n".repeat(200))],
            ..FailureCause::default()
        };
        let line = &cause.short_lines(5)[0];
        assert!(line.starts_with("page error: x x x"));
        assert!(line.ends_with('…') && !line.contains('\n'));
        assert_eq!(line.chars().count(), "page error: ".len() + SHORT_MESSAGE);
    }
}
