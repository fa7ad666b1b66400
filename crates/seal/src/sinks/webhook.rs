//! A generic signed webhook (`PROD_SMOKE_WEBHOOK_URL`,
//! `PROD_SMOKE_WEBHOOK_SECRET`): the seal as one JSON object, POSTed with
//! an HMAC-SHA256 signature of the exact body bytes and a delivery id, so a
//! receiver can tell the seal came from prod-smoke and drop a duplicate.
//! Slack, PagerDuty or an operator's own service can sit behind it without
//! new code in prod-smoke.
//!
//! Every retry and every `prod-smoke deliver` replay sends the same bytes
//! under the same delivery id: both are built only from what the ledger
//! recorded for the run and never changes afterwards (see [`body`]).


use hmac::{Hmac, Mac};
use prod_smoke_model::{CheckStatus, ScenarioCounts};
use prod_smoke_redact::Redactor;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::SealConfig;
use crate::errors::{DeliveryError, SealError};
use crate::ledger::RunRecord;
use crate::markdown_safe::escape_markdown;
use crate::retry::header_retry_after;
use crate::rollback::rollback_for;
use crate::settings::{EnvVar, Need, Secrecy, Settings};
use crate::sinks::adapter::{Attempt, Done, Initial, Job, SinkAdapter};

/// The webhook sink.
pub(crate) struct Webhook;

const URL: &str = "PROD_SMOKE_WEBHOOK_URL";
const SECRET: &str = "PROD_SMOKE_WEBHOOK_SECRET";
/// How errors name this sink.
const SERVICE: &str = "the webhook";
/// `sha256=<hex HMAC-SHA256 of the body, keyed with the secret>`.
const SIGNATURE_HEADER: &str = "X-Prod-Smoke-Signature-256";
/// The same for every retry and replay of one run's delivery.
const DELIVERY_HEADER: &str = "X-Prod-Smoke-Delivery";

/// The webhook's settings, trimmed.
pub(crate) struct WebhookConfig {
    /// `PROD_SMOKE_WEBHOOK_URL`; `None` switches the sink off.
    url: Option<String>,
    /// `PROD_SMOKE_WEBHOOK_SECRET`, the HMAC key; a seal is never sent
    /// without it.
    secret: Option<String>,
}

impl SinkAdapter for Webhook {
    const NAME: &'static str = "webhook";
    const HISTORY_COLUMN: Option<&'static str> = Some("WEBHOOK");
    const LABEL: &'static str = "Webhook";
    const HELP: &'static str = "PROD_SMOKE_WEBHOOK_URL and PROD_SMOKE_WEBHOOK_SECRET (signed JSON)";
    const ENV: &'static [EnvVar] = &[
        EnvVar {
            name: URL,
            need: Need::Required,
            secrecy: Secrecy::Url,
            help: "the signed webhook's endpoint",
        },
        EnvVar {
            name: SECRET,
            need: Need::Required,
            secrecy: Secrecy::Secret,
            help: "the webhook's HMAC-SHA256 key; without it the delivery waits pending",
        },
    ];

    type Config = WebhookConfig;

    fn config(settings: &Settings) -> WebhookConfig {
        WebhookConfig {
            url: settings.trimmed(URL).map(str::to_string),
            secret: settings.trimmed(SECRET).map(str::to_string),
        }
    }

    /// No URL, no row: the sink is off for the run. Inconclusive runs are
    /// sent too (with `"verdict": "inconclusive"`), as Discord gets them.
    fn initial(_run: &RunRecord, _cfg: &SealConfig, own: &WebhookConfig) -> Option<Initial> {
        own.url.as_ref()?;
        Some(Initial::pending(None))
    }

    /// A seal is never sent unsigned: without the secret it waits.
    fn not_configured(own: &WebhookConfig) -> Option<&'static str> {
        if own.url.is_none() {
            Some("PROD_SMOKE_WEBHOOK_URL is not set")
        } else if own.secret.is_none() {
            Some("PROD_SMOKE_WEBHOOK_SECRET is not set (a seal is never sent unsigned)")
        } else {
            None
        }
    }

    async fn deliver(job: &mut Job<'_>, own: &WebhookConfig) -> Result<Attempt, SealError> {
        let cfg = job.cfg;
        // `not_configured` has been asked before the claim; this only keeps
        // the sink from ever sending unsigned if that changes.
        let (Some(url), Some(secret)) = (own.url.as_deref(), own.secret.as_deref()) else {
            return Ok(Attempt {
                attempts: 0,
                result: Err(DeliveryError::BadSetting {
                    setting: SECRET,
                    problem: "is not set (a seal is never sent unsigned)",
                }),
            });
        };
        let url = match url::Url::parse(url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => {
                return Ok(Attempt {
                    attempts: 1,
                    result: Err(DeliveryError::BadSetting {
                        setting: URL,
                        problem: "is not an http(s) URL",
                    }),
                });
            }
        };
        let id = delivery_id(&job.run.report.run_id);
        let body = body(job.run, &id);
        let signature = format!("sha256={}", sign(secret, &body));
        let client = match crate::http::client(cfg.request_timeout) {
            Ok(client) => client,
            Err(e) => {
                return Ok(Attempt {
                    attempts: 1,
                    result: Err(crate::http::unreachable(SERVICE, &cfg.redactor, e)),
                });
            }
        };
        let host = url.host_str().unwrap_or_default().to_string();
        let sent = job
            .retry(|| post(&client, &url, &body, &id, &signature, &cfg.redactor))
            .await;
        Ok(Attempt::from_retry(sent, |status| {
            Done::Delivered(format!("delivery {id} accepted by {host} ({status})"))
        }))
    }
}

/// The delivery id: a digest of the ledger row's key (run id and sink), so
/// every attempt at that row carries the same id and no other row shares it.
fn delivery_id(run_id: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"prod-smoke delivery\n")
        .chain_update(run_id.as_bytes())
        .chain_update(b"\n")
        .chain_update(Webhook::NAME.as_bytes())
        .finalize();
    hex::encode(&digest[..16])
}

/// The hex HMAC-SHA256 of `body` keyed with `secret`.
fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any size");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The JSON body, field order fixed by the struct.
#[derive(Serialize)]
struct Body<'a> {
    delivery_id: &'a str,
    run_id: &'a str,
    app: &'a str,
    url: &'a str,
    verdict: &'a str,
    /// Plain text, as `releases.smoke_seal.summary` has it.
    summary: &'a str,
    /// The line Discord and the release notes carry: page text escaped, so
    /// it can be posted into Markdown as it is.
    verdict_line: &'a str,
    checked_at: &'a str,
    /// The release given with `--release`, else null.
    release: Option<&'a str>,
    /// Checks (every step), as report.html counts them.
    passed: u32,
    failed: u32,
    flaky: u32,
    /// Scenarios, as stderr and `--json` count them (the contract's
    /// `N passed, N failed`).
    scenarios: ScenarioCounts,
    /// Both counts in one line, each named.
    counts: String,
    retried: bool,
    run_link: Option<&'a str>,
    /// The run's artifacts folder on the machine that ran it.
    artifacts: Option<String>,
    /// Where a person reaches the evidence: the CI run link when there is
    /// one (`GITHUB_SERVER_URL`/`GITHUB_REPOSITORY`/`GITHUB_RUN_ID`), else
    /// the artifacts folder.
    evidence: Option<String>,
    failed_checks: Vec<FailedCheck<'a>>,
    /// The rollback block on red, else null. Text to read, never to run.
    rollback: Option<String>,
    /// A pass of `prod-smoke watch`, else null: `record` is `seal` (the
    /// first pass) or `amend` (a confirmed change; `after_ship` says when).
    watch: Option<WatchBody<'a>>,
}

#[derive(Serialize)]
struct WatchBody<'a> {
    id: &'a str,
    pass: u32,
    record: &'a str,
    after_ship: Option<&'a str>,
}

#[derive(Serialize)]
struct FailedCheck<'a> {
    scenario: &'a str,
    name: &'a str,
    /// Plain text from the page: escape it for whatever renders it.
    error: Option<&'a str>,
    http_status: Option<u16>,
    /// `✗ name — error` with page text escaped like `verdict_line`.
    line: String,
    /// What the page said in the failed scenario (console errors, page
    /// errors, failed subresources, blocked requests), a few short plain
    /// lines.
    cause: Vec<String>,
}

/// Items of a failure's cause in the body; the rest are counted.
const CAUSE_ITEMS: usize = 5;

/// The body for `run`. It reads only what the ledger recorded when the run
/// was first written: the release and `deployed_sha` that a Postgres
/// delivery learns later are left out, so the first attempt and a replay
/// days later send the same bytes (and the signature a receiver checked
/// once still names them).
fn body(run: &RunRecord, delivery_id: &str) -> Vec<u8> {
    let report = &run.report;
    let as_recorded = RunRecord {
        deployed_sha: None,
        release_slug: run.release_slug.clone().filter(|_| run.release_explicit),
        ..run.clone()
    };
    let failed_checks = report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
        .map(|c| FailedCheck {
            scenario: &c.scenario,
            name: &c.name,
            error: c.error.as_deref(),
            http_status: c.http_status,
            line: match &c.error {
                Some(error) => format!("✗ {} — {}", escape_markdown(&c.name), escape_markdown(error)),
                None => format!("✗ {}", escape_markdown(&c.name)),
            },
            cause: report.cause_of(c).short_lines(CAUSE_ITEMS),
        })
        .collect();
    let scenarios = report.scenario_counts();
    let counts = format!(
        "checks: {} passed · {} failed — scenarios: {}",
        report.passed_count(),
        report.failed_count(),
        scenarios.line()
    );
    let artifacts = report
        .artifacts_dir
        .as_ref()
        .map(|d| d.display().to_string());
    let body = Body {
        delivery_id,
        run_id: &report.run_id,
        app: &report.app,
        url: &report.url,
        verdict: report.verdict.as_str(),
        summary: &run.summary,
        verdict_line: &run.verdict_line,
        checked_at: &run.checked_at,
        release: as_recorded.release_slug.as_deref(),
        passed: report.passed_count() as u32,
        failed: report.failed_count() as u32,
        flaky: report.flaky_count() as u32,
        scenarios,
        counts,
        retried: report.retried,
        run_link: run.run_link.as_deref(),
        evidence: run.run_link.clone().or_else(|| artifacts.clone()),
        artifacts,
        failed_checks,
        rollback: rollback_for(&as_recorded),
        watch: run.watch.as_ref().map(|w| WatchBody {
            id: &w.watch_id,
            pass: w.pass,
            record: w.record.as_str(),
            after_ship: w.amends(),
        }),
    };
    serde_json::to_vec(&body).expect("the body serialises")
}

/// One POST; the status on a 2xx answer.
async fn post(
    client: &reqwest::Client,
    url: &url::Url,
    body: &[u8],
    id: &str,
    signature: &str,
    redactor: &Redactor,
) -> Result<u16, DeliveryError> {
    let response = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(DELIVERY_HEADER, id)
        .header(SIGNATURE_HEADER, signature)
        .body(body.to_vec())
        .send()
        .await
        .map_err(|e| crate::http::unreachable(SERVICE, redactor, e))?;
    let status = response.status();
    if status.is_success() {
        return Ok(status.as_u16());
    }
    let retry_after = header_retry_after(response.headers());
    let body = response.bytes().await.unwrap_or_default();
    Err(DeliveryError::status(
        SERVICE,
        status,
        None,
        &body,
        retry_after,
        redactor,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_the_hmac_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn delivery_ids_are_stable_and_per_run() {
        assert_eq!(delivery_id("run-1"), delivery_id("run-1"));
        assert_ne!(delivery_id("run-1"), delivery_id("run-2"));
        assert_eq!(delivery_id("run-1").len(), 32);
    }
}
