//! The seal on GitHub itself: a commit status on the released sha, and a
//! deployment status when the run was started by a deployment.
//!
//! The sink is on when `GITHUB_TOKEN`, `GITHUB_REPOSITORY` and a release
//! sha are known: `--sha`, else the deployment's sha from the
//! `deployment_status` event at `$GITHUB_EVENT_PATH`. It then
//! `POST`s `{GITHUB_API_URL}/repos/{owner}/{repo}/statuses/{sha}` with the
//! state (`success`, `failure`, `error` for inconclusive), the context
//! [`CONTEXT`], the seal's summary as the description (at most 140
//! characters) and the run as `target_url`. GitHub keeps the latest status
//! per context, so a re-run replaces the seal on the sha instead of adding
//! a second one. `GITHUB_API_URL` (set by runners on GitHub Enterprise
//! Server) replaces `https://api.github.com`.
//!
//! When the event named a deployment, the deployment gets a status too
//! (`success`, `failure` or `error`, with `log_url` and `environment_url`).
//! Its description starts with [`DEPLOYMENT_STATUS_MARKER`]: a `success`
//! posted here is itself a `deployment_status` event, and the post-ship
//! workflow's `if` skips any status carrying the marker (beside GitHub's own
//! rule that events made with the workflow's `GITHUB_TOKEN` start no
//! workflow), so a seal cannot start another seal.
//!
//! Where to post (API, repository, sha, deployment) is decided when the run
//! is recorded and kept in the ledger row's target, so `prod-smoke deliver`
//! days later posts to the same place from any shell that has a token. The
//! commit status goes first: when it is accepted and the deployment status
//! is not, a replay posts the commit status again, which only replaces it
//! with the same state (same context), and the deployment status once.


use prod_smoke_model::Verdict;
use prod_smoke_redact::Redactor;
use serde::{Deserialize, Serialize};

use crate::config::SealConfig;
use crate::errors::{DeliveryError, SealError};
use crate::ledger::RunRecord;
use crate::retry::header_retry_after;
use crate::settings::{EnvVar, Need, Secrecy, Settings};
use crate::sinks::adapter::{Attempt, Done, Initial, Job, SinkAdapter};

/// The GitHub sink.
pub(crate) struct GitHub;

const TOKEN: &str = "GITHUB_TOKEN";
const REPOSITORY: &str = "GITHUB_REPOSITORY";
const API_URL: &str = "GITHUB_API_URL";
const EVENT_NAME: &str = "GITHUB_EVENT_NAME";
const EVENT_PATH: &str = "GITHUB_EVENT_PATH";
/// github.com's API; `GITHUB_API_URL` replaces it.
const DEFAULT_API_URL: &str = "https://api.github.com";
/// How errors name this sink.
const SERVICE: &str = "GitHub";
/// The commit status context: one seal per sha, replaced by a re-run.
pub const CONTEXT: &str = "prod-smoke/seal";
/// How a deployment status posted by prod-smoke begins; the post-ship
/// workflow skips a `deployment_status` event whose description has it.
pub const DEPLOYMENT_STATUS_MARKER: &str = "prod-smoke seal:";
/// GitHub refuses a longer status description.
const DESCRIPTION_CHARS: usize = 140;

/// The GitHub sink's settings, trimmed.
pub(crate) struct GitHubConfig {
    /// `GITHUB_TOKEN`; `None` switches the sink off.
    token: Option<String>,
    /// `GITHUB_REPOSITORY`, `owner/name`.
    repository: Option<String>,
    /// `GITHUB_API_URL`, else [`DEFAULT_API_URL`], without a trailing `/`.
    api_url: String,
    /// `GITHUB_EVENT_NAME` and `GITHUB_EVENT_PATH`: the event that started
    /// the run, read for a deployment.
    event_name: Option<String>,
    event_path: Option<String>,
}

impl SinkAdapter for GitHub {
    const NAME: &'static str = "github";
    const HISTORY_COLUMN: Option<&'static str> = Some("GITHUB");
    const LABEL: &'static str = "GitHub";
    const HELP: &'static str = "GITHUB_TOKEN, GITHUB_REPOSITORY and --sha (or the deployment in
GITHUB_EVENT_PATH when GITHUB_EVENT_NAME is deployment_status):
a commit status; GITHUB_API_URL for GitHub Enterprise Server";
    const ENV: &'static [EnvVar] = &[
        EnvVar {
            name: TOKEN,
            need: Need::Required,
            secrecy: Secrecy::Secret,
            help: "with GITHUB_REPOSITORY and a sha: the commit (and deployment) status",
        },
        EnvVar {
            name: REPOSITORY,
            need: Need::Required,
            secrecy: Secrecy::Plain,
            help: "owner/name of the repository the sha is in",
        },
        // An API origin, not a credential: shown as it is in errors.
        EnvVar {
            name: API_URL,
            need: Need::Optional,
            secrecy: Secrecy::Plain,
            help: "GitHub's API, default https://api.github.com (GitHub Enterprise Server)",
        },
        EnvVar {
            name: EVENT_NAME,
            need: Need::Optional,
            secrecy: Secrecy::Plain,
            help: "on deployment_status, the deployment is read from GITHUB_EVENT_PATH",
        },
        EnvVar {
            name: EVENT_PATH,
            need: Need::Optional,
            secrecy: Secrecy::Plain,
            help: "the event that started the run: the deployment's id, sha and URL",
        },
    ];

    type Config = GitHubConfig;

    fn config(settings: &Settings) -> GitHubConfig {
        let get = |name| settings.trimmed(name).map(str::to_string);
        GitHubConfig {
            token: get(TOKEN),
            repository: get(REPOSITORY),
            api_url: settings
                .trimmed(API_URL)
                .unwrap_or(DEFAULT_API_URL)
                .trim_end_matches('/')
                .to_string(),
            event_name: get(EVENT_NAME),
            event_path: get(EVENT_PATH),
        }
    }

    /// Off (no row) unless a token, a repository and a sha are known. A sha
    /// that is not hex is skipped with the reason: it would not name a
    /// commit, and must not reach the request path.
    fn initial(run: &RunRecord, _cfg: &SealConfig, own: &GitHubConfig) -> Option<Initial> {
        own.token.as_ref()?;
        let repository = own.repository.as_deref()?;
        let deployment = deployment_event(own);
        let sha = run
            .sha
            .clone()
            .or_else(|| deployment.as_ref().and_then(|d| d.sha.clone()))?;
        if !is_sha(&sha) || !is_repository(repository) {
            return Some(Initial::skipped(
                "GITHUB_REPOSITORY or the sha is not in GitHub's form (owner/name, hex sha)",
                None,
            ));
        }
        let target = Target {
            api_url: own.api_url.clone(),
            repository: repository.to_string(),
            sha,
            deployment_id: deployment.as_ref().map(|d| d.id),
            environment_url: deployment
                .and_then(|d| d.environment_url)
                .or_else(|| Some(run.report.url.clone())),
        };
        Some(Initial::pending(Some(
            serde_json::to_string(&target).expect("the target serialises"),
        )))
    }

    fn not_configured(own: &GitHubConfig) -> Option<&'static str> {
        own.token.is_none().then_some("GITHUB_TOKEN is not set")
    }

    async fn deliver(job: &mut Job<'_>, own: &GitHubConfig) -> Result<Attempt, SealError> {
        let cfg = job.cfg;
        let Some(target) = job
            .target
            .and_then(|t| serde_json::from_str::<Target>(t).ok())
        else {
            return Ok(Attempt::skipped("no GitHub target was recorded for the run"));
        };
        let Some(token) = own.token.as_deref() else {
            return Ok(Attempt {
                attempts: 0,
                result: Err(DeliveryError::BadSetting {
                    setting: TOKEN,
                    problem: "is not set",
                }),
            });
        };
        let base = match url::Url::parse(&target.api_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => target.api_url.clone(),
            _ => {
                return Ok(Attempt {
                    attempts: 1,
                    result: Err(DeliveryError::BadSetting {
                        setting: API_URL,
                        problem: "is not an http(s) URL",
                    }),
                });
            }
        };
        let client = match crate::http::client(cfg.request_timeout) {
            Ok(client) => client,
            Err(e) => {
                return Ok(Attempt {
                    attempts: 1,
                    result: Err(crate::http::unreachable(SERVICE, &cfg.redactor, e)),
                });
            }
        };
        let verdict = job.run.report.verdict;
        let run_link = job.run.run_link.clone();
        let summary = job.run.summary.clone();
        let redactor = &cfg.redactor;

        let commit_url = format!(
            "{base}/repos/{}/statuses/{}",
            target.repository, target.sha
        );
        let commit_body = serde_json::to_vec(&CommitStatus {
            state: commit_state(verdict),
            target_url: run_link.as_deref(),
            description: description("", &summary),
            context: CONTEXT,
        })
        .expect("the status serialises");
        let (sent, mut attempts) = job
            .retry(|| post(&client, &commit_url, &commit_body, token, redactor))
            .await;
        if let Err(e) = sent {
            return Ok(Attempt {
                attempts,
                result: Err(e),
            });
        }
        let short = &target.sha[..target.sha.len().min(12)];
        let mut said = format!(
            "commit status {} on {short} ({CONTEXT})",
            commit_state(verdict)
        );

        if let Some(id) = target.deployment_id {
            let deployment_url = format!(
                "{base}/repos/{}/deployments/{id}/statuses",
                target.repository
            );
            let deployment_body = serde_json::to_vec(&DeploymentStatus {
                state: commit_state(verdict),
                log_url: run_link.as_deref(),
                environment_url: target.environment_url.as_deref(),
                description: description(DEPLOYMENT_STATUS_MARKER, &summary),
            })
            .expect("the status serialises");
            let (sent, more) = job
                .retry(|| post(&client, &deployment_url, &deployment_body, token, redactor))
                .await;
            attempts += more;
            if let Err(e) = sent {
                return Ok(Attempt {
                    attempts,
                    result: Err(e),
                });
            }
            said.push_str(&format!(", deployment {id} status {}", commit_state(verdict)));
        }
        Ok(Attempt {
            attempts,
            result: Ok(Done::Delivered(said)),
        })
    }
}

/// Where the seal goes, fixed when the run is recorded.
#[derive(Debug, Serialize, Deserialize)]
struct Target {
    api_url: String,
    repository: String,
    sha: String,
    deployment_id: Option<u64>,
    environment_url: Option<String>,
}

#[derive(Serialize)]
struct CommitStatus<'a> {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_url: Option<&'a str>,
    description: String,
    context: &'static str,
}

#[derive(Serialize)]
struct DeploymentStatus<'a> {
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment_url: Option<&'a str>,
    description: String,
}

/// The deployment a `deployment_status` event names.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DeploymentEvent {
    id: u64,
    sha: Option<String>,
    environment_url: Option<String>,
}

/// Reads `$GITHUB_EVENT_PATH` when `$GITHUB_EVENT_NAME` is
/// `deployment_status`; anything unreadable is no deployment.
fn deployment_event(own: &GitHubConfig) -> Option<DeploymentEvent> {
    if own.event_name.as_deref()? != "deployment_status" {
        return None;
    }
    let path = own.event_path.as_deref()?;
    // An event payload is small; a huge file is not one.
    let text = std::fs::read(path).ok().filter(|t| t.len() < 4 << 20)?;
    parse_deployment_event(&serde_json::from_slice(&text).ok()?)
}

fn parse_deployment_event(event: &serde_json::Value) -> Option<DeploymentEvent> {
    let deployment = event.get("deployment")?;
    let text = |v: &serde_json::Value| {
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Some(DeploymentEvent {
        id: deployment.get("id")?.as_u64()?,
        sha: deployment.get("sha").and_then(text),
        environment_url: event
            .get("deployment_status")
            .and_then(|s| s.get("environment_url"))
            .and_then(text),
    })
}

/// Green is `success`, red `failure`, inconclusive `error`: GitHub's word
/// for "the check itself broke".
fn commit_state(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Green => "success",
        Verdict::Red => "failure",
        Verdict::Inconclusive => "error",
    }
}

/// `prefix summary`, cut to GitHub's 140 characters with an ellipsis.
fn description(prefix: &str, summary: &str) -> String {
    let full = if prefix.is_empty() {
        summary.trim().to_string()
    } else {
        format!("{prefix} {}", summary.trim())
    };
    if full.chars().count() <= DESCRIPTION_CHARS {
        return full;
    }
    let mut cut: String = full.chars().take(DESCRIPTION_CHARS - 1).collect();
    cut.push('…');
    cut
}

fn is_sha(sha: &str) -> bool {
    (7..=64).contains(&sha.len()) && sha.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_repository(repository: &str) -> bool {
    let ok = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    matches!(repository.split_once('/'), Some((owner, name)) if ok(owner) && ok(name))
}

/// One POST with the token; `Ok` on a 2xx answer.
async fn post(
    client: &reqwest::Client,
    url: &str,
    body: &[u8],
    token: &str,
    redactor: &Redactor,
) -> Result<(), DeliveryError> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .header(reqwest::header::ACCEPT, "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_vec())
        .send()
        .await
        .map_err(|e| crate::http::unreachable(SERVICE, redactor, e))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = header_retry_after(response.headers());
    let body = response.bytes().await.unwrap_or_default();
    let message = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string));
    Err(DeliveryError::status(
        SERVICE,
        status,
        message,
        &body,
        retry_after,
        redactor,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_fit_githubs_limit() {
        let long = "x".repeat(300);
        let cut = description(DEPLOYMENT_STATUS_MARKER, &long);
        assert_eq!(cut.chars().count(), 140);
        assert!(cut.starts_with("prod-smoke seal: xxx") && cut.ends_with('…'));
        assert_eq!(description("", " green vs a "), "green vs a");
    }

    #[test]
    fn only_shas_and_repositories_reach_the_path() {
        assert!(is_sha("abc1234") && is_sha(&"a".repeat(40)));
        assert!(!is_sha("abc/../x") && !is_sha("main"));
        assert!(is_repository("acme/shop.web"));
        assert!(!is_repository("acme/../x") && !is_repository("acme") && !is_repository("../x"));
    }

    #[test]
    fn a_deployment_status_event_names_its_deployment() {
        let event = serde_json::json!({
            "deployment_status": {"state": "success", "environment_url": "https://shop.example"},
            "deployment": {"id": 42, "sha": "abc1234", "environment": "production"}
        });
        assert_eq!(
            parse_deployment_event(&event),
            Some(DeploymentEvent {
                id: 42,
                sha: Some("abc1234".into()),
                environment_url: Some("https://shop.example".into()),
            })
        );
        assert_eq!(
            parse_deployment_event(&serde_json::json!({"ref": "main"})),
            None
        );
    }
}
