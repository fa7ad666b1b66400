//! The seal on GitHub through the binary, against a loopback stand-in for
//! GitHub's API: a green then a red run set `success` then `failure` on the
//! release sha, every run leaves `seal.intoto.json` naming the final
//! manifest's digest, and the token is in no output, artifact, statement
//! or ledger byte.

use std::path::Path;
use std::process::Command;

use prod_smoke_testkit::MockGitHub;
use serde_json::Value;

use crate::seal::all_files;
use crate::support::{Smoke, site};

const TOKEN: &str = "ghs_CliInstallationT0kenNeverShown4242";
const REPO: &str = "acme/mcritchie-studio";
const SHA: &str = "89abcdef0123456789abcdef0123456789abcdef";

fn with_github(s: &mut Smoke, github: &MockGitHub) {
    s.env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_API_URL", &github.api_url())
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_RUN_ID", "31337");
    s.args(["--sha", SHA, "--delivery-attempts", "1"]);
}

fn sha256sum(dir: &Path, file: &str) -> String {
    let out = Command::new("sha256sum")
        .arg(file)
        .current_dir(dir)
        .output()
        .expect("sha256sum runs");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// The statement's envelope, and that it names the manifest as it stays:
/// `sha256sum -c` passes and the statement is not in the manifest.
fn statement(artifacts: &Path) -> Value {
    let text = std::fs::read_to_string(artifacts.join("seal.intoto.json"))
        .expect("every run writes seal.intoto.json");
    let statement: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(
        statement["predicateType"],
        "https://in-toto.io/attestation/test-result/v0.1"
    );
    let subject = &statement["subject"][0];
    assert_eq!(subject["name"], "sha256_manifest.txt");
    assert_eq!(
        subject["digest"]["sha256"],
        sha256sum(artifacts, "sha256_manifest.txt")
    );
    let check = Command::new("sha256sum")
        .args(["-c", "--strict", "--quiet", "sha256_manifest.txt"])
        .current_dir(artifacts)
        .status()
        .unwrap();
    assert!(check.success(), "the manifest matches the folder");
    prod_smoke_report::verify_manifest(artifacts).expect("nothing unlisted but the statement");
    let manifest = std::fs::read_to_string(artifacts.join("sha256_manifest.txt")).unwrap();
    assert!(manifest.contains("  heartbeat.log\n"), "{manifest}");
    assert!(!manifest.contains("seal.intoto.json"), "{manifest}");
    assert_eq!(
        statement["predicate"]["url"],
        "https://github.example/acme/mcritchie-studio/actions/runs/31337"
    );
    statement
}

fn names(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_green_then_a_red_run_set_the_commit_status_and_write_a_statement() {
    let github = MockGitHub::start(TOKEN).await.unwrap();

    // Green: the embedded suite.
    let healthy = site(&[]).await;
    let mut green = Smoke::against(&healthy.base_url());
    with_github(&mut green, &github);
    let run = green.run().await;
    assert_eq!(run.code, 0, "{run}");
    let status = github
        .commit_status(REPO, SHA, "prod-smoke/seal")
        .expect("the sha has a seal");
    assert_eq!(status["state"], "success");
    assert_eq!(
        status["target_url"],
        "https://github.example/acme/mcritchie-studio/actions/runs/31337"
    );
    let green_statement = statement(&green.artifacts());
    let predicate = &green_statement["predicate"];
    assert_eq!(predicate["result"], "PASSED");
    let passed = names(&predicate["passedTests"]);
    assert!(passed.len() >= 2, "{predicate}");
    assert!(
        passed.iter().any(|n| n == "GET /up returns 200"),
        "{predicate}"
    );
    assert!(names(&predicate["failedTests"]).is_empty());
    assert_eq!(
        predicate["configuration"][0]["name"],
        "specs/qa_readonly.yaml"
    );
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    assert_eq!(
        predicate["configuration"][0]["digest"]["sha256"],
        sha256sum(&workspace, "specs/qa_readonly.yaml"),
        "the embedded suite's bytes"
    );

    // Red: a spec whose failure message carries the token.
    let mut red = Smoke::against(&healthy.base_url());
    with_github(&mut red, &github);
    let spec = red.scratch.path().join("token.yaml");
    std::fs::write(
        &spec,
        format!(
            "scenarios:\n  - name: home\n    tags: ['@qa-readonly']\n    steps:\n      - visit: /\n      - text: {TOKEN}\n"
        ),
    )
    .unwrap();
    red.args(["--spec", spec.to_str().unwrap()]);
    let run = red.run().await;
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("github: delivered"), "{run}");
    let status = github.commit_status(REPO, SHA, "prod-smoke/seal").unwrap();
    assert_eq!(status["state"], "failure", "the re-run replaced the seal");
    let red_statement = statement(&red.artifacts());
    let predicate = &red_statement["predicate"];
    assert_eq!(predicate["result"], "FAILED");
    assert_eq!(names(&predicate["failedTests"]).len(), 1, "{predicate}");
    assert_eq!(
        predicate["configuration"][0]["digest"]["sha256"],
        sha256sum(red.scratch.path(), "token.yaml")
    );

    // The token: in no output, artifact, statement, request body or ledger.
    let mut seen = vec![
        ("stdout".to_string(), run.stdout.clone()),
        ("stderr".to_string(), run.stderr.clone()),
    ];
    let mut files = Vec::new();
    all_files(&red.artifacts(), &mut files);
    all_files(red.scratch.path(), &mut files);
    for file in files {
        let bytes = std::fs::read(&file).unwrap_or_default();
        seen.push((
            file.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    for request in github.requests() {
        seen.push((
            request.path.clone(),
            String::from_utf8_lossy(&request.body).into_owned(),
        ));
    }
    for (what, text) in &seen {
        if what.ends_with("token.yaml") {
            continue; // the spec itself, written by this test
        }
        assert!(!text.contains(TOKEN), "{what} leaks the token:\n{text}");
    }
}
