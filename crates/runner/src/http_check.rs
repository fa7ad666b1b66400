//! Plain-HTTP checks (Playwright's `request.get`): no browser, so they run
//! while Chromium is still starting.

use std::time::Duration;

use prod_smoke_spec::{HttpCheck, HttpMethod};

use crate::errors::RunnerError;

/// Same redirect budget as Playwright's API request context.
const MAX_REDIRECTS: usize = 20;

pub fn client(timeout: Duration) -> Result<reqwest::Client, RunnerError> {
    reqwest::Client::builder()
        .user_agent(concat!("prod-smoke/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .timeout(timeout)
        .build()
        .map_err(|e| RunnerError::HttpClient(e.to_string()))
}

/// What the request saw: a status, or a sentence saying why there was none.
pub struct HttpOutcome {
    /// The URL asked for (before any redirect).
    pub url: String,
    pub status: Option<u16>,
    pub error: Option<String>,
}

pub async fn run(
    client: &reqwest::Client,
    base_url: &str,
    check: &HttpCheck,
    default_timeout: Duration,
) -> HttpOutcome {
    let url = format!("{base_url}{}", check.path);
    let method = match check.method {
        HttpMethod::Get => reqwest::Method::GET,
        HttpMethod::Head => reqwest::Method::HEAD,
    };
    let timeout = check.timeout.unwrap_or(default_timeout);
    match client.request(method, &url).timeout(timeout).send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let error = (status != check.status).then(|| {
                format!(
                    "{} {} returned {status}, expected {}",
                    check.method.as_str(),
                    check.path,
                    check.status
                )
            });
            HttpOutcome {
                url,
                status: Some(status),
                error,
            }
        }
        Err(e) => HttpOutcome {
            url,
            status: None,
            error: Some(format!(
                "{} {} failed: {}",
                check.method.as_str(),
                check.path,
                describe_transport_error(&e, timeout)
            )),
        },
    }
}

fn describe_transport_error(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no response within {}s", timeout.as_secs_f32());
    }
    if e.is_redirect() {
        return format!("more than {MAX_REDIRECTS} redirects (a redirect loop?)");
    }
    // The root cause says "connection reset" or "certificate"; reqwest's
    // top-level text only says "error sending request".
    let mut chain = vec![e.to_string()];
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        chain.push(s.to_string());
        src = s.source();
    }
    chain.dedup();
    chain.join(": ")
}
