//! The `github` sink against a loopback stand-in for GitHub's REST API that
//! checks the bearer token and keeps the latest status per context, as
//! GitHub does. The stand-in is reached under `/api/v3`, the path a GitHub
//! Enterprise Server's `GITHUB_API_URL` has.

use prod_smoke_seal::{
    DeliveryState, GITHUB_DEPLOYMENT_STATUS_MARKER, GITHUB_STATUS_CONTEXT, Ledger, RetryPolicy,
    Sink, SinkOutcome, deliver_pending, format_history, history, seal_run,
};
use prod_smoke_testkit::MockGitHub;

use crate::support::*;

const TOKEN: &str = "ghs_Sup3rS3cretInstallationToken0123456789";
const REPO: &str = "acme/mcritchie-studio";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const RUN: &str = "https://github.example/acme/mcritchie-studio/actions/runs/77";

fn with_github(env: &mut Env, github: &MockGitHub) {
    env.set("GITHUB_TOKEN", TOKEN)
        .set("GITHUB_REPOSITORY", REPO)
        .set("GITHUB_API_URL", &github.api_url())
        .set("GITHUB_SERVER_URL", "https://github.example")
        .set("GITHUB_RUN_ID", "77");
    env.overrides.sha = Some(SHA.to_string());
}

async fn github_state(env: &Env, run_id: &str) -> (DeliveryState, u32, Option<String>) {
    let ledger = Ledger::open(&env.ledger_path(), &Default::default())
        .await
        .unwrap();
    let record = ledger
        .deliveries(run_id)
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.sink == Sink::GitHub)
        .expect("a github row");
    ledger.close().await;
    (record.state, record.attempts, record.last_error)
}

fn commit_path() -> String {
    format!("/api/v3/repos/{REPO}/statuses/{SHA}")
}

#[tokio::test]
async fn a_green_then_a_red_seal_set_success_then_failure_on_the_sha() {
    let github = MockGitHub::start(TOKEN).await.unwrap();
    let mut env = Env::new();
    with_github(&mut env, &github);

    let green = seal_run(&green(), &env.config()).await.unwrap();
    assert!(
        matches!(
            green.sink(Sink::GitHub),
            Some(SinkOutcome::Delivered { attempts: 1, .. })
        ),
        "{green}"
    );
    let status = github
        .commit_status(REPO, SHA, GITHUB_STATUS_CONTEXT)
        .expect("a status on the sha");
    assert_eq!(status["state"], "success");
    assert_eq!(status["context"], "prod-smoke/seal");
    assert_eq!(status["target_url"], RUN);
    assert_eq!(status["description"], green.summary.as_str());

    let requests = github.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, commit_path());
    assert_eq!(
        request.authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        request.accept.as_deref(),
        Some("application/vnd.github+json")
    );
    assert_eq!(request.api_version.as_deref(), Some("2022-11-28"));
    assert!(
        request
            .user_agent
            .as_deref()
            .unwrap()
            .starts_with("prod-smoke/")
    );

    // A re-run of the same sha replaces the seal: same context, new state.
    let mut report = red();
    report.checks[0].error = Some("x".repeat(400));
    let red = seal_run(&report, &env.config()).await.unwrap();
    assert!(
        matches!(red.sink(Sink::GitHub), Some(SinkOutcome::Delivered { .. })),
        "{red}"
    );
    let status = github
        .commit_status(REPO, SHA, GITHUB_STATUS_CONTEXT)
        .unwrap();
    assert_eq!(status["state"], "failure");
    let description = status["description"].as_str().unwrap();
    assert!(description.chars().count() <= 140, "{description}");
    assert!(description.starts_with("@qa-readonly"), "{description}");
    assert_eq!(github.accepted().len(), 2);
    assert_eq!(
        github_state(&env, &red.run_id).await.0,
        DeliveryState::Delivered
    );
}

#[tokio::test]
async fn an_inconclusive_run_is_an_error_status() {
    let github = MockGitHub::start(TOKEN).await.unwrap();
    let mut env = Env::new();
    with_github(&mut env, &github);
    let mut report = green();
    report.verdict = prod_smoke_model::Verdict::Inconclusive;
    report.environment_error = Some("Chromium did not start".to_string());
    seal_run(&report, &env.config()).await.unwrap();
    let status = github
        .commit_status(REPO, SHA, GITHUB_STATUS_CONTEXT)
        .unwrap();
    assert_eq!(status["state"], "error");
}

/// The API answers 502 and the run has no retry left: the status waits in
/// the ledger, and `deliver` (from a shell without `GITHUB_API_URL`, which
/// must not send it to github.com) posts it exactly once.
#[tokio::test]
async fn a_502_leaves_it_pending_and_deliver_sends_it_once() {
    let github = MockGitHub::start(TOKEN).await.unwrap();
    let mut env = Env::new();
    with_github(&mut env, &github);
    env.overrides.retry = Some(RetryPolicy::quick(1));
    github.fail_next(1, 502);
    let report = red();

    let outcome = seal_run(&report, &env.config()).await.unwrap();
    match outcome.sink(Sink::GitHub) {
        Some(SinkOutcome::Pending { attempts: 1, error }) => {
            assert!(error.contains("GitHub answered 502"), "{error}")
        }
        other => panic!("{other:?}\n{outcome}"),
    }
    assert_eq!(github.requests().len(), 1);
    assert_eq!(github.commit_status(REPO, SHA, GITHUB_STATUS_CONTEXT), None);
    assert_eq!(
        github_state(&env, &report.run_id).await.0,
        DeliveryState::Pending
    );

    let mut replay_env = Env {
        dir: env.dir,
        vars: Default::default(),
        overrides: env.overrides.clone(),
    };
    replay_env
        .set("HOME", "/nonexistent")
        .set("GITHUB_TOKEN", TOKEN);
    let replay = deliver_pending(&replay_env.config()).await.unwrap();
    assert_eq!(replay.delivered(), 1, "{replay}");
    let again = deliver_pending(&replay_env.config()).await.unwrap();
    assert!(again.deliveries.is_empty(), "{again}");

    assert_eq!(github.accepted().len(), 1, "delivered exactly once");
    assert_eq!(github.requests().len(), 2);
    assert_eq!(github.accepted()[0].path, commit_path());
    assert_eq!(
        github
            .commit_status(REPO, SHA, GITHUB_STATUS_CONTEXT)
            .unwrap()["state"],
        "failure"
    );
    assert_eq!(
        github_state(&replay_env, &report.run_id).await.0,
        DeliveryState::Delivered
    );
}

fn deployment_event(env: &mut Env, deployment_sha: &str) {
    let path = env.dir.path().join("event.json");
    let event = serde_json::json!({
        "action": "created",
        "deployment_status": {
            "state": "success",
            "environment_url": "https://mcritchie.studio",
            "description": "Deployed by the pipeline"
        },
        "deployment": {"id": 9001, "sha": deployment_sha, "environment": "production"}
    });
    std::fs::write(&path, event.to_string()).unwrap();
    env.set("GITHUB_EVENT_NAME", "deployment_status")
        .set("GITHUB_EVENT_PATH", path.to_str().unwrap());
}

/// Started by a `deployment_status` event and given no `--sha`: the
/// deployment's sha gets the commit status, and the deployment a status
/// whose description carries the marker the post-ship workflow's `if`
/// skips (the workflow side is checked in the CLI's action tests).
#[tokio::test]
async fn a_deployment_gets_a_status_that_cannot_start_another_seal() {
    let github = MockGitHub::start(TOKEN).await.unwrap();
    let mut env = Env::new();
    with_github(&mut env, &github);
    env.overrides.sha = None;
    deployment_event(&mut env, SHA);

    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    match outcome.sink(Sink::GitHub) {
        Some(SinkOutcome::Delivered {
            detail,
            attempts: 2,
        }) => {
            assert!(
                detail.contains("deployment 9001 status success"),
                "{detail}"
            )
        }
        other => panic!("{other:?}\n{outcome}"),
    }
    let accepted = github.accepted();
    assert_eq!(accepted.len(), 2);
    assert_eq!(accepted[0].path, commit_path());
    assert_eq!(
        accepted[1].path,
        format!("/api/v3/repos/{REPO}/deployments/9001/statuses")
    );
    let body = accepted[1].json.as_ref().unwrap();
    assert_eq!(body["state"], "success");
    assert_eq!(body["log_url"], RUN);
    assert_eq!(body["environment_url"], "https://mcritchie.studio");
    let description = body["description"].as_str().unwrap();
    assert!(
        description.starts_with(GITHUB_DEPLOYMENT_STATUS_MARKER),
        "{description}"
    );
    assert!(description.chars().count() <= 140);

    // Red: the deployment is marked failed.
    github.clear_requests();
    seal_run(&red(), &env.config()).await.unwrap();
    let states: Vec<String> = github
        .accepted()
        .iter()
        .map(|r| {
            r.json.as_ref().unwrap()["state"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(states, ["failure", "failure"]);
}

#[tokio::test]
async fn without_a_token_a_repository_or_a_sha_the_sink_is_off() {
    let github = MockGitHub::start(TOKEN).await.unwrap();
    for unset in ["GITHUB_TOKEN", "GITHUB_REPOSITORY", "sha"] {
        let mut env = Env::new();
        with_github(&mut env, &github);
        if unset == "sha" {
            env.overrides.sha = None;
        } else {
            env.vars.remove(unset);
        }
        let outcome = seal_run(&green(), &env.config()).await.unwrap();
        assert_eq!(outcome.sink(Sink::GitHub), None, "{unset}: {outcome}");
    }
    // A sha that is no sha never reaches the request path.
    let mut env = Env::new();
    with_github(&mut env, &github);
    env.overrides.sha = Some("../../../orgs/acme".to_string());
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::GitHub),
            Some(SinkOutcome::Skipped { .. })
        ),
        "{outcome}"
    );
    assert!(github.requests().is_empty());
}

#[tokio::test]
async fn a_wrong_token_is_refused_and_stays_pending() {
    let github = MockGitHub::start("another-token").await.unwrap();
    let mut env = Env::new();
    with_github(&mut env, &github);
    let outcome = seal_run(&green(), &env.config()).await.unwrap();
    match outcome.sink(Sink::GitHub) {
        // A 401 is not retried now: a replay with the right token sends it.
        Some(SinkOutcome::Pending { attempts: 1, error }) => {
            assert!(error.contains("Bad credentials"), "{error}")
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_token_is_in_no_output_request_body_history_or_ledger() {
    let github = MockGitHub::start(TOKEN).await.unwrap();
    let mut env = Env::new();
    with_github(&mut env, &github);
    deployment_event(&mut env, SHA);
    let cfg = env.config();

    // The token found its way into page text.
    let mut report = red();
    report.checks[0].error = Some(format!("title was {TOKEN}"));
    let outcome = seal_run(&report, &cfg).await.unwrap();
    assert!(
        matches!(
            outcome.sink(Sink::GitHub),
            Some(SinkOutcome::Delivered { .. })
        ),
        "{outcome}"
    );
    let mut seen = vec![
        ("outcome", outcome.to_string()),
        ("outcome debug", format!("{outcome:?}")),
        ("config debug", format!("{cfg:?}")),
    ];
    github.go_down().await;
    let failed = seal_run(&red(), &cfg).await.unwrap();
    assert!(failed.has_pending(), "{failed}");
    seen.push(("failed outcome", failed.to_string()));
    let replay = deliver_pending(&cfg).await.unwrap();
    seen.push(("replay", replay.to_string()));
    seen.push(("replay debug", format!("{replay:?}")));
    github.come_back().await.unwrap();
    let entries = history(&cfg, None, 10).await.unwrap().entries;
    let table = format_history(&entries);
    assert!(table.lines().next().unwrap().contains("GITHUB"), "{table}");
    seen.push(("history", table));
    seen.push(("history debug", format!("{entries:?}")));
    for request in github.requests() {
        seen.push((
            "a request body",
            String::from_utf8_lossy(&request.body).into(),
        ));
    }
    for file in std::fs::read_dir(env.dir.path()).unwrap() {
        let path = file.unwrap().path();
        if path.to_string_lossy().contains("ledger") {
            let bytes = std::fs::read(&path).unwrap();
            seen.push(("a ledger file", String::from_utf8_lossy(&bytes).into()));
        }
    }
    for (what, text) in &seen {
        assert!(!text.contains(TOKEN), "{what} leaks the token:\n{text}");
    }
    assert!(
        github
            .requests()
            .iter()
            .all(|r| r.authorization.as_deref() == Some(&format!("Bearer {TOKEN}")))
    );
}
