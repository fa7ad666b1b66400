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

/// The most of a body a `json` step reads: status endpoints are small, and
/// a runaway body must not fill the runner's memory.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What the request saw: a status, or a sentence saying why there was none.
pub struct HttpOutcome {
    /// The URL asked for (before any redirect).
    pub url: String,
    pub status: Option<u16>,
    pub error: Option<String>,
    /// The HTTP version the response was spoken in (`HTTP/1.1`, `HTTP/2.0`).
    pub http_version: Option<String>,
    /// The server's IP address, when the connection knew it.
    pub server_ip: Option<String>,
    /// The response, for the `header` and `json` steps after this one.
    pub response: Option<CapturedResponse>,
}

/// A plain-HTTP response as the steps after it read it.
pub struct CapturedResponse {
    /// `GET /up`, to name the response in a failure.
    pub request: String,
    /// Names in lower case, in the order received; a repeated header
    /// appears once per field.
    pub headers: Vec<(String, String)>,
    /// `None` when no step reads the body (and for HEAD); an error when
    /// it could not be read whole.
    pub body: Option<Result<Vec<u8>, String>>,
}

pub async fn run(
    client: &reqwest::Client,
    base_url: &str,
    check: &HttpCheck,
    default_timeout: Duration,
    read_body: bool,
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
            let http_version = Some(format!("{:?}", resp.version()));
            let server_ip = resp.remote_addr().map(|a| a.ip().to_string());
            let error = (status != check.status).then(|| {
                format!(
                    "{} {} returned {status}, expected {}",
                    check.method.as_str(),
                    check.path,
                    check.status
                )
            });
            let headers = resp
                .headers()
                .iter()
                .map(|(k, v)| {
                    let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                    (k.as_str().to_string(), value)
                })
                .collect();
            let body = match (read_body && error.is_none(), check.method) {
                (true, HttpMethod::Get) => Some(read_capped(resp, timeout).await),
                _ => None,
            };
            HttpOutcome {
                url,
                status: Some(status),
                error,
                http_version,
                server_ip,
                response: Some(CapturedResponse {
                    request: format!("{} {}", check.method.as_str(), check.path),
                    headers,
                    body,
                }),
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
            http_version: None,
            server_ip: None,
            response: None,
        },
    }
}

/// The body, up to [`MAX_BODY_BYTES`]; the request's timeout covers it.
async fn read_capped(mut resp: reqwest::Response, timeout: Duration) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > MAX_BODY_BYTES => {
                return Err(format!(
                    "the body is over {} MiB",
                    MAX_BODY_BYTES / (1024 * 1024)
                ));
            }
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => return Ok(body),
            Err(e) => return Err(describe_transport_error(&e, timeout)),
        }
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
