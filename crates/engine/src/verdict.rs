//! The verdict, decided in one place. The runner reports what it found
//! (checks, an environment error); this module turns that, and when the
//! site never answered the canary's answer, into green, red or
//! inconclusive. Nothing after it changes the verdict. The findings' rule
//! is one function, `RunReport::verdict_from_findings`, which the runner
//! also applies so a report it returns on its own (parity, its tests)
//! reads the same.

use std::time::Duration;

use prod_smoke_model::{CheckStatus, RunReport, Verdict};

use crate::canary;
use crate::events::{CanaryAnswer, EngineEvent, EngineEvents};

/// Decides `report.verdict` and says so.
pub(crate) async fn decide(
    report: &mut RunReport,
    canary_flag: Option<&str>,
    timeout: Duration,
    events: &EngineEvents,
) {
    report.verdict = report.verdict_from_findings();
    if site_never_answered(report) {
        let url = canary::canary_url(canary_flag);
        let answer = canary::ask(url.as_deref(), timeout).await;
        apply_canary(report, &answer);
        events.emit(EngineEvent::CanaryJudged(answer));
    }
    events.emit(EngineEvent::VerdictDecided {
        verdict: report.verdict,
        counts: report.scenario_counts(),
    });
}

/// True when the run is red and no request of it got any HTTP response.
pub fn site_never_answered(report: &RunReport) -> bool {
    report.verdict == Verdict::Red
        && report.checks.iter().all(|c| c.http_status.is_none())
        && report
            .checks
            .iter()
            .any(|c| c.status == CheckStatus::Failed)
}

/// A silent canary makes the run inconclusive; otherwise it stays red and
/// its first failure says what the canary proved (or that none was set).
fn apply_canary(report: &mut RunReport, answer: &CanaryAnswer) {
    match answer {
        CanaryAnswer::Unset => note_first_failure(
            report,
            "no canary was set to rule out the runner's network: ",
        ),
        CanaryAnswer::Answered { .. } => {
            note_first_failure(report, "the runner reaches the network but not the site: ")
        }
        CanaryAnswer::Silent { shown, why } => {
            let host = report.host();
            report.verdict = Verdict::Inconclusive;
            report.environment_error = Some(format!(
                "the runner could not reach the network: nothing of {host} answered, \
                 and neither did the canary {shown} ({why})"
            ));
        }
    }
}

fn note_first_failure(report: &mut RunReport, prefix: &str) {
    if let Some(c) = report
        .checks
        .iter_mut()
        .find(|c| c.status == CheckStatus::Failed)
    {
        let error = c
            .error
            .take()
            .unwrap_or_else(|| format!("`{}` failed", c.name));
        c.error = Some(format!("{prefix}{error}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prod_smoke_model::CheckResult;

    fn report(checks: Vec<CheckResult>, environment_error: Option<&str>) -> RunReport {
        let mut r = RunReport::begin("run", "app", "https://app.example", "@t", None);
        r.checks = checks;
        r.environment_error = environment_error.map(str::to_string);
        r.verdict = r.verdict_from_findings();
        r
    }

    fn failed(name: &str, http_status: Option<u16>) -> CheckResult {
        CheckResult {
            status: CheckStatus::Failed,
            http_status,
            error: Some("refused".into()),
            ..CheckResult::not_run("s", name.to_string(), 0)
        }
    }

    #[test]
    fn findings_decide_green_red_and_inconclusive() {
        assert_eq!(report(vec![], None).verdict, Verdict::Green);
        assert_eq!(
            report(vec![failed("a", Some(500))], None).verdict,
            Verdict::Red
        );
        assert_eq!(
            report(vec![failed("a", None)], Some("no browser")).verdict,
            Verdict::Inconclusive
        );
    }

    #[test]
    fn a_silent_canary_makes_a_dead_site_inconclusive() {
        let mut r = report(vec![failed("a", None)], None);
        assert!(site_never_answered(&r));
        apply_canary(
            &mut r,
            &CanaryAnswer::Silent {
                shown: "https://canary.example".into(),
                why: "dns".into(),
            },
        );
        assert_eq!(r.verdict, Verdict::Inconclusive);
        assert!(
            r.environment_error
                .unwrap()
                .contains("canary https://canary.example (dns)")
        );
    }

    #[test]
    fn a_live_canary_keeps_it_red_and_says_so() {
        let mut r = report(vec![failed("a", None)], None);
        apply_canary(
            &mut r,
            &CanaryAnswer::Answered {
                shown: "https://canary.example".into(),
                status: 200,
            },
        );
        assert_eq!(r.verdict, Verdict::Red);
        assert_eq!(
            r.checks[0].error.as_deref(),
            Some("the runner reaches the network but not the site: refused")
        );
        // A site that answered at all never asks the canary.
        assert!(!site_never_answered(&report(
            vec![failed("a", Some(502))],
            None
        )));
    }
}
