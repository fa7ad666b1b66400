//! A loopback stand-in for the part of GitHub's REST API the `github` sink
//! uses: commit statuses (`POST /repos/{owner}/{repo}/statuses/{sha}`) and
//! deployment statuses (`POST /repos/{owner}/{repo}/deployments/{id}/statuses`).
//! It checks the bearer token the way GitHub does (401 with a JSON
//! `message` on a wrong one), keeps the latest commit status per context
//! like GitHub's combined status, records every request, and can be
//! scripted to fail or go down.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::TestkitError;
use crate::loopback::Loopback;

/// One request the stand-in saw, and what it answered.
#[derive(Debug, Clone)]
pub struct GitHubRequest {
    pub method: String,
    /// The path, e.g. `/repos/acme/shop/statuses/abc123`.
    pub path: String,
    /// `Authorization`, as sent.
    pub authorization: Option<String>,
    pub accept: Option<String>,
    pub api_version: Option<String>,
    pub user_agent: Option<String>,
    /// The exact body bytes.
    pub body: Vec<u8>,
    pub json: Option<Value>,
    pub status: u16,
}

impl GitHubRequest {
    pub fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

struct Inner {
    token: String,
    requests: Vec<GitHubRequest>,
    script: VecDeque<u16>,
    /// `(repo path, sha)` → context → latest status body.
    combined: BTreeMap<(String, String), BTreeMap<String, Value>>,
}

/// The GitHub API on 127.0.0.1, accepting one token.
pub struct MockGitHub {
    inner: Arc<Mutex<Inner>>,
    server: Loopback,
}

impl std::fmt::Debug for MockGitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockGitHub")
            .field("addr", &self.server.addr())
            .finish()
    }
}

impl MockGitHub {
    /// Starts the stand-in; only `Authorization: Bearer {token}` is let in.
    pub async fn start(token: &str) -> Result<Self, TestkitError> {
        let inner = Arc::new(Mutex::new(Inner {
            token: token.to_string(),
            requests: Vec::new(),
            script: VecDeque::new(),
            combined: BTreeMap::new(),
        }));
        let router = Router::new().fallback(handle).with_state(inner.clone());
        let server = Loopback::start(router).await?;
        Ok(MockGitHub { inner, server })
    }

    /// The value for `GITHUB_API_URL`. It has a path, as a GitHub
    /// Enterprise Server's `https://HOST/api/v3` does.
    pub fn api_url(&self) -> String {
        format!("http://{}/api/v3", self.server.addr())
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<GitHubRequest> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// Requests answered with a 2xx.
    pub fn accepted(&self) -> Vec<GitHubRequest> {
        self.requests()
            .into_iter()
            .filter(GitHubRequest::succeeded)
            .collect()
    }

    pub fn clear_requests(&self) {
        self.inner.lock().unwrap().requests.clear();
    }

    /// The latest accepted commit status of `context` on `sha` in
    /// `owner/repo`, as GitHub's combined status shows it.
    pub fn commit_status(&self, repo: &str, sha: &str, context: &str) -> Option<Value> {
        self.inner
            .lock()
            .unwrap()
            .combined
            .get(&(repo.to_string(), sha.to_string()))
            .and_then(|by_context| by_context.get(context).cloned())
    }

    /// Answers the next `times` requests with `status` (e.g. 502).
    pub fn fail_next(&self, times: usize, status: u16) {
        self.inner
            .lock()
            .unwrap()
            .script
            .extend(std::iter::repeat_n(status, times));
    }

    /// Stops listening: connections are refused until [`Self::come_back`].
    pub async fn go_down(&self) {
        self.server.go_down().await;
    }

    /// Listens again on the same port.
    pub async fn come_back(&self) -> Result<(), TestkitError> {
        self.server.come_back().await
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// `/api/v3/repos/{owner}/{repo}/statuses/{sha}` → `("owner/repo", sha)`.
fn commit_status_path(path: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["api", "v3", "repos", owner, repo, "statuses", sha] => {
            Some((format!("{owner}/{repo}"), sha.to_string()))
        }
        _ => None,
    }
}

fn deployment_status_path(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["api", "v3", "repos", _, _, "deployments", id, "statuses"]
            if id.parse::<u64>().is_ok()
    )
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut inner = inner.lock().unwrap();
    let path = uri.path().to_string();
    let authorization = header(&headers, "authorization");
    let json: Option<Value> = serde_json::from_slice(&body).ok();
    let authorized = authorization.as_deref() == Some(&format!("Bearer {}", inner.token));
    let response = if let Some(status) = inner.script.pop_front() {
        answer(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            json!({ "message": "Server Error (scripted)" }),
        )
    } else if !authorized {
        answer(
            StatusCode::UNAUTHORIZED,
            json!({ "message": "Bad credentials" }),
        )
    } else if method != Method::POST {
        answer(StatusCode::NOT_FOUND, json!({ "message": "Not Found" }))
    } else if let Some((repo, sha)) = commit_status_path(&path) {
        match json
            .as_ref()
            .and_then(|j| Some((j["state"].as_str()?, j["context"].as_str()?)))
        {
            Some((state, context))
                if ["success", "failure", "error", "pending"].contains(&state) =>
            {
                let stored = json.clone().unwrap_or_default();
                inner
                    .combined
                    .entry((repo, sha))
                    .or_default()
                    .insert(context.to_string(), stored.clone());
                answer(StatusCode::CREATED, stored)
            }
            _ => answer(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "message": "Validation Failed" }),
            ),
        }
    } else if deployment_status_path(&path) {
        answer(StatusCode::CREATED, json.clone().unwrap_or_default())
    } else {
        answer(StatusCode::NOT_FOUND, json!({ "message": "Not Found" }))
    };
    inner.requests.push(GitHubRequest {
        method: method.to_string(),
        path,
        authorization,
        accept: header(&headers, "accept"),
        api_version: header(&headers, "x-github-api-version"),
        user_agent: header(&headers, "user-agent"),
        body: body.to_vec(),
        json,
        status: response.status().as_u16(),
    });
    response
}
