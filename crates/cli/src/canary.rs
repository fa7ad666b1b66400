//! A runner without a network is not a red site. When nothing of the site
//! answered at all (every failure is DNS, connect, TLS or silence), one
//! request to a canary URL tells the two apart: a dead canary makes the
//! run inconclusive, a live one keeps it red and says so.

use std::time::Duration;

use prod_smoke_model::{CheckStatus, Redactor, RunReport, Verdict, url_credentials};

/// The canary to probe: `--canary` / `PROD_SMOKE_CANARY_URL`, else the
/// GitHub API in GitHub Actions (`$GITHUB_API_URL`), else none.
pub fn canary_url(flag: Option<&str>) -> Option<String> {
    let blank = |s: &String| !s.trim().is_empty();
    flag.map(str::to_string).filter(blank).or_else(|| {
        std::env::var_os("GITHUB_ACTIONS")?;
        std::env::var("GITHUB_API_URL").ok().filter(blank)
    })
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

/// Any HTTP answer, whatever its status, proves the runner has a network.
async fn probe(url: &str, timeout: Duration) -> Result<u16, String> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!(
            "prod-smoke/",
            env!("CARGO_PKG_VERSION"),
            " (canary)"
        ))
        .build()
        .map_err(|e| e.to_string())?;
    match client.get(url).send().await {
        Ok(r) => Ok(r.status().as_u16()),
        // The root cause (DNS, refused, TLS) is deep in the chain.
        Err(e) => Err(prod_smoke_seal::chain(&e)),
    }
}

/// Rewrites a red run whose site never answered, after asking the canary.
pub async fn judge(report: &mut RunReport, canary: Option<&str>, timeout: Duration) {
    if !site_never_answered(report) {
        return;
    }
    let host = report.host();
    let Some(canary) = canary else {
        eprintln!(
            "  canary: no canary was set, so a runner without a network looks like a dead site; \
             set --canary URL or PROD_SMOKE_CANARY_URL"
        );
        note_first_failure(
            report,
            "no canary was set to rule out the runner's network: ",
            "",
        );
        return;
    };
    // The canary's own token or password is never printed; the run's
    // redactor masks it in the report too.
    let mut redactor = Redactor::new();
    url_credentials(canary)
        .into_iter()
        .for_each(|s| redactor.add(s));
    let shown = redactor.redact(canary);
    match probe(canary, timeout).await {
        Ok(status) => {
            eprintln!("  canary: {shown} answered HTTP {status}; the runner has a network");
            note_first_failure(
                report,
                "the runner reaches the network but not the site: ",
                "",
            );
        }
        Err(why) => {
            let why = redactor.redact(&why);
            eprintln!("  canary: {shown} did not answer either: {why}");
            report.verdict = Verdict::Inconclusive;
            report.environment_error = Some(format!(
                "the runner could not reach the network: nothing of {host} answered, \
                 and neither did the canary {shown} ({why})"
            ));
        }
    }
}

fn note_first_failure(report: &mut RunReport, prefix: &str, suffix: &str) {
    if let Some(c) = report
        .checks
        .iter_mut()
        .find(|c| c.status == CheckStatus::Failed)
    {
        let error = c
            .error
            .take()
            .unwrap_or_else(|| format!("`{}` failed", c.name));
        c.error = Some(format!("{prefix}{error}{suffix}"));
    }
}
