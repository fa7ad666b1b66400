//! The seal's words: the summary, the verdict line and `checked_at`, to the
//! character as the hub app and the release notes expect them.

use chrono::{DateTime, Utc};
use prod_smoke_model::{CheckResult, RunReport, Verdict};
use serde::{Deserialize, Serialize};

/// The start of a green seal line in the release notes.
pub const GREEN_SEAL_PREFIX: &str = "🟢 Production smoke seal:";
/// The start of a red seal line in the release notes.
pub const RED_SEAL_PREFIX: &str = "🔴 Production smoke seal:";

/// The tag the summary names when the report carries none.
const DEFAULT_TAG: &str = "@qa-readonly";

/// Longest short reason, in characters, before it is cut with "…".
pub const MAX_REASON_CHARS: usize = 120;

/// `releases.smoke_seal`: exactly these three keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmokeSeal {
    /// `green` or `red`.
    pub status: String,
    pub summary: String,
    /// UTC ISO-8601 without fractional seconds, e.g. `2026-06-26T21:28:45Z`.
    pub checked_at: String,
}

impl SmokeSeal {
    /// The seal for a report. `None` for an inconclusive run: prod-smoke
    /// itself broke, so the site was not judged and the release stays
    /// unsealed (the app would show anything else as a verdict).
    pub fn for_report(report: &RunReport) -> Option<Self> {
        let status = match report.verdict {
            Verdict::Green => "green",
            Verdict::Red => "red",
            Verdict::Inconclusive => return None,
        };
        Some(SmokeSeal {
            status: status.to_string(),
            summary: summary(report),
            checked_at: checked_at(report),
        })
    }
}

/// `checked_at` of a report: when the run finished.
pub fn checked_at(report: &RunReport) -> String {
    format_checked_at(report.finished_at)
}

/// `2026-06-26T21:28:45Z`: UTC, whole seconds.
pub fn format_checked_at(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The summary the app shows and the verdict line carries:
/// - green: `@qa-readonly green vs <host>`
/// - red: `@qa-readonly FAILED vs <host> — <short reason>`
/// - inconclusive: `@qa-readonly inconclusive vs <host> — <why>` (never
///   written to the app, see [`SmokeSeal::for_report`])
///
/// A retried run adds ` (retried once after <N>s boot-window wait)` after the host.
pub fn summary(report: &RunReport) -> String {
    summary_with(report, |reason| reason.to_string())
}

/// [`summary`] for a Markdown message (Discord, the release notes): the
/// page-derived reason is escaped so it renders as plain text.
pub fn summary_markdown(report: &RunReport) -> String {
    summary_with(report, crate::markdown_safe::escape_markdown)
}

fn summary_with(report: &RunReport, reason_text: impl Fn(&str) -> String) -> String {
    let tag = tag(report);
    let host = report.host();
    let retried = if report.retried {
        format!(
            " (retried once after {}s boot-window wait)",
            report.retry_delay_secs
        )
    } else {
        String::new()
    };
    match report.verdict {
        Verdict::Green => format!("{tag} green vs {host}{retried}"),
        Verdict::Red => {
            let reason = report
                .first_failure()
                .map(short_reason)
                .unwrap_or_else(|| "the suite failed".to_string());
            format!("{tag} FAILED vs {host}{retried} — {}", reason_text(&reason))
        }
        Verdict::Inconclusive => {
            let why = report
                .environment_error
                .as_deref()
                .map(one_line)
                .filter(|w| !w.is_empty())
                .unwrap_or_else(|| "prod-smoke could not run the suite".to_string());
            format!(
                "{tag} inconclusive vs {host}{retried} — {}",
                reason_text(&cut(&why))
            )
        }
    }
}

/// The verdict line for Discord and the release notes:
/// `🟢 Production smoke seal: passed — <summary>` or
/// `🔴 Production smoke seal: FAILED — <summary>`; an empty summary drops
/// ` — <summary>`. An inconclusive run gets
/// `⚪ Production smoke check inconclusive — <summary>`, which is
/// deliberately not a seal line, so it never replaces one in the notes.
pub fn verdict_line(verdict: Verdict, summary: &str) -> String {
    let head = match verdict {
        Verdict::Green => format!("{GREEN_SEAL_PREFIX} passed"),
        Verdict::Red => format!("{RED_SEAL_PREFIX} FAILED"),
        Verdict::Inconclusive => "⚪ Production smoke check inconclusive".to_string(),
    };
    if summary.is_empty() {
        head
    } else {
        format!("{head} — {summary}")
    }
}

/// The red summary's reason: the failed check's own sentence (e.g.
/// `GET /up returned 503, expected 200`), else its name; one line, at most
/// [`MAX_REASON_CHARS`] characters.
pub fn short_reason(check: &CheckResult) -> String {
    let text = check
        .error
        .as_deref()
        .map(one_line)
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| format!("{} failed", one_line(&check.name)));
    cut(&text)
}

fn tag(report: &RunReport) -> String {
    let tag = report.tag.trim();
    if tag.is_empty() {
        DEFAULT_TAG.to_string()
    } else if tag.starts_with('@') {
        tag.to_string()
    } else {
        format!("@{tag}")
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cut(text: &str) -> String {
    prod_smoke_model::text::truncate(text, MAX_REASON_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use prod_smoke_model::CheckStatus;

    fn check(name: &str, status: CheckStatus, error: Option<&str>) -> CheckResult {
        CheckResult {
            scenario: "public routes and the task board respond".into(),
            name: name.into(),
            status,
            duration_ms: 12,
            http_status: None,
            error: error.map(str::to_string),
            screenshot: None,
            blocked_requests: vec![],
            page_errors: vec![],
            attempts: 1,
            since_last_green: None,
        }
    }

    fn report(verdict: Verdict, checks: Vec<CheckResult>) -> RunReport {
        let at = Utc.with_ymd_and_hms(2026, 6, 26, 21, 28, 45).unwrap();
        RunReport {
            run_id: "r1".into(),
            app: "mcritchie-studio".into(),
            url: "https://mcritchie.studio".into(),
            tag: "@qa-readonly".into(),
            started_at: at,
            finished_at: at + chrono::Duration::milliseconds(1500),
            verdict,
            retried: false,
            retry_delay_secs: 30,
            checks,
            environment_error: None,
            artifacts_dir: None,
            rollback: None,
            traces: Vec::new(),
        }
    }

    #[test]
    fn green_summary_and_line() {
        let r = report(
            Verdict::Green,
            vec![check("GET /up returns 200", CheckStatus::Passed, None)],
        );
        assert_eq!(summary(&r), "@qa-readonly green vs mcritchie.studio");
        assert_eq!(
            verdict_line(Verdict::Green, &summary(&r)),
            "🟢 Production smoke seal: passed — @qa-readonly green vs mcritchie.studio"
        );
        assert_eq!(checked_at(&r), "2026-06-26T21:28:46Z");
    }

    #[test]
    fn red_summary_names_the_first_failure() {
        let mut r = report(
            Verdict::Red,
            vec![
                check(
                    "GET /up returns 200",
                    CheckStatus::Failed,
                    Some("GET /up returned 503, expected 200"),
                ),
                check(
                    "GET /devops returns 404",
                    CheckStatus::Failed,
                    Some("other"),
                ),
            ],
        );
        assert_eq!(
            summary(&r),
            "@qa-readonly FAILED vs mcritchie.studio — GET /up returned 503, expected 200"
        );
        r.retried = true;
        assert_eq!(
            verdict_line(Verdict::Red, &summary(&r)),
            "🔴 Production smoke seal: FAILED — @qa-readonly FAILED vs mcritchie.studio \
             (retried once after 30s boot-window wait) — GET /up returned 503, expected 200"
        );
    }

    #[test]
    fn empty_summary_drops_the_dash() {
        assert_eq!(
            verdict_line(Verdict::Red, ""),
            "🔴 Production smoke seal: FAILED"
        );
        assert_eq!(
            verdict_line(Verdict::Green, ""),
            "🟢 Production smoke seal: passed"
        );
    }

    #[test]
    fn reason_is_one_short_line() {
        let long = format!("title was\n{}", "x".repeat(300));
        let reason = short_reason(&check("n", CheckStatus::Failed, Some(&long)));
        assert!(!reason.contains('\n'));
        assert_eq!(reason.chars().count(), MAX_REASON_CHARS);
        assert!(reason.ends_with('…'));
        assert_eq!(
            short_reason(&check("GET /up", CheckStatus::Failed, None)),
            "GET /up failed"
        );
    }

    #[test]
    fn inconclusive_is_not_a_seal() {
        let mut r = report(Verdict::Inconclusive, vec![]);
        r.environment_error = Some("no Chromium found".into());
        assert!(SmokeSeal::for_report(&r).is_none());
        let line = verdict_line(r.verdict, &summary(&r));
        assert!(!line.starts_with(GREEN_SEAL_PREFIX) && !line.starts_with(RED_SEAL_PREFIX));
        assert!(
            line.ends_with("@qa-readonly inconclusive vs mcritchie.studio — no Chromium found")
        );
    }
}
