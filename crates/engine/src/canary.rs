//! A runner without a network is not a red site. When nothing of the site
//! answered at all (every failure is DNS, connect, TLS or silence), one
//! request to a canary URL tells the two apart. What the answer means for
//! the verdict is decided in verdict.rs.

use std::time::Duration;

use prod_smoke_redact::{Redactor, url_credentials};

use crate::events::CanaryAnswer;

/// The canary to probe: `--canary` / `PROD_SMOKE_CANARY_URL`, else the
/// GitHub API in GitHub Actions (`$GITHUB_API_URL`), else none.
pub fn canary_url(flag: Option<&str>) -> Option<String> {
    let blank = |s: &String| !s.trim().is_empty();
    flag.map(str::to_string).filter(blank).or_else(|| {
        std::env::var_os("GITHUB_ACTIONS")?;
        std::env::var("GITHUB_API_URL").ok().filter(blank)
    })
}

/// Asks the canary. Its own token or password is never shown: the
/// answer names it masked.
pub async fn ask(canary: Option<&str>, timeout: Duration) -> CanaryAnswer {
    let Some(canary) = canary else {
        return CanaryAnswer::Unset;
    };
    let mut redactor = Redactor::new();
    url_credentials(canary)
        .into_iter()
        .for_each(|s| redactor.add(s));
    let shown = redactor.redact(canary);
    match probe(canary, timeout).await {
        Ok(status) => CanaryAnswer::Answered { shown, status },
        Err(why) => CanaryAnswer::Silent {
            shown,
            why: redactor.redact(&why),
        },
    }
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
