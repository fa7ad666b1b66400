//! Every bad-input path exits 2 with a clear message, before anything runs.

use crate::support::{Smoke, site};

fn write_config(dir: &std::path::Path, repos: &str, envs: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("release_repos.yml"), repos).unwrap();
    std::fs::write(dir.join("qa_environments.yml"), envs).unwrap();
}

#[tokio::test]
async fn unknown_app_lists_the_known_ones() {
    let mut s = Smoke::new();
    let cfg = s.scratch.path().join("config");
    write_config(
        &cfg,
        "apps:\n  mcritchie-studio:\n    prod_deploy:\n      smoke_url: https://mcritchie.studio\n",
        "qa_environments:\n  turf-monster:\n    production_url: https://turf.example\n",
    );
    s.args(["mcritchie-studo", "--config-dir", cfg.to_str().unwrap()]);
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains("unknown app `mcritchie-studo`"), "{f}");
    assert!(
        f.stderr
            .contains("known apps: mcritchie-studio, turf-monster"),
        "{f}"
    );
    assert!(f.stderr.contains("did you mean `mcritchie-studio`?"), "{f}");
}

/// A misspelt command is not taken for an app: it gets a "did you mean"
/// (and the known apps, as an unknown app does), exit 2, before anything
/// runs.
#[tokio::test]
async fn misspelt_command_gets_did_you_mean() {
    let mut s = Smoke::new();
    s.args(["histroy"]);
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains("did you mean `history`?"), "{f}");
    assert!(f.stderr.contains("known apps: "), "{f}");
    assert!(!f.stderr.contains("→ prod-smoke"), "a run started: {f}");
}

/// Global flags go before a command as well as after it; a flag of the
/// seal run beside a command is refused rather than ignored.
#[tokio::test]
async fn global_flags_before_a_command() {
    let mut s = Smoke::new();
    let ledger = s.scratch.path().join("ledger.sqlite3");
    s.args([
        "--ledger",
        ledger.to_str().unwrap(),
        "--config-dir",
        "config",
        "history",
    ]);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    assert!(f.stdout.contains("No seals recorded yet."), "{f}");

    let mut s = Smoke::new();
    s.args(["--url", "https://mcritchie.studio", "history"]);
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains("--url is a flag of the seal run"), "{f}");
}

#[tokio::test]
async fn missing_config_dir_is_named() {
    let mut s = Smoke::new();
    s.args(["turf-monster", "--config-dir", "/nonexistent/config"]);
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains("missing config"), "{f}");
    assert!(f.stderr.contains("/nonexistent/config"), "{f}");
}

#[tokio::test]
async fn bad_urls_are_refused() {
    for (url, needle) in [
        ("not a url", "bad URL"),
        ("ftp://example.com", "not http or https"),
        ("http://mcritchie.studio", "--allow-http"),
        ("https://user:pw@mcritchie.studio", "credentials"),
    ] {
        let mut s = Smoke::new();
        s.args(["mcritchie-studio", "--url", url]);
        let f = s.run().await;
        assert_eq!(f.code, 2, "{url}: {f}");
        assert!(f.stderr.contains(needle), "{url}: {f}");
    }
}

#[tokio::test]
async fn malformed_spec_points_at_line_and_column() {
    let mut s = Smoke::new();
    let spec = s.scratch.path().join("bad.yaml");
    std::fs::write(
        &spec,
        "scenarios:\n  - name: a\n    steps:\n      - vist: /\n",
    )
    .unwrap();
    s.args([
        "mcritchie-studio",
        "--url",
        "http://127.0.0.1:9",
        "--spec",
        spec.to_str().unwrap(),
    ]);
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains("bad.yaml:4:9"), "{f}");
    assert!(f.stderr.contains("did you mean `visit`?"), "{f}");
}

#[tokio::test]
async fn grep_that_selects_nothing_is_bad_input() {
    let mut s = Smoke::new();
    s.args(["--url", "http://127.0.0.1:9", "--grep", "@nightly"]);
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains("no scenario"), "{f}");
}

#[tokio::test]
async fn check_validates_every_bad_spec_fixture() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/bad-specs");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    files.sort();
    for file in &files {
        let mut s = Smoke::new();
        s.args(["check", file]);
        let f = s.run().await;
        assert_eq!(f.code, 2, "{file}: {f}");
        assert!(f.stderr.contains(file.as_str()), "{file}: {f}");
        assert!(!f.stderr.contains("panicked"), "{file}: {f}");
    }
    let mut s = Smoke::new();
    s.args(["check"]);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    let good = concat!(env!("CARGO_MANIFEST_DIR"), "/../../specs/qa_readonly.yaml");
    let mut s = Smoke::new();
    s.args(["check", good]);
    assert_eq!(s.run().await.code, 0);
}

#[tokio::test]
async fn url_resolution_order_and_no_env_override() {
    let healthy = site(&[]).await;
    let mut s = Smoke::new();
    let cfg = s.scratch.path().join("config");
    // release_repos wins over qa_environments; a stray QA_BASE_URL wins over nothing.
    write_config(
        &cfg,
        &format!(
            "apps:\n  mcritchie-studio:\n    prod_deploy:\n      strategy: github_actions\n      smoke_url: {}\n",
            healthy.base_url()
        ),
        "qa_environments:\n  mcritchie-studio:\n    production_app: mcritchie-prod\n    production_url: http://127.0.0.1:9\n",
    );
    s.args([
        "mcritchie-studio",
        "--config-dir",
        cfg.to_str().unwrap(),
        "--json",
        "--retries",
        "0",
    ]);
    let ledger = s.ledger();
    s.arg("--ledger").arg(ledger.to_str().unwrap());
    s.env("QA_BASE_URL", "http://127.0.0.1:1");
    s.env("BASE_URL", "http://127.0.0.1:1");
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    assert_eq!(f.json()["url"], healthy.base_url());

    // With a blank smoke_url, qa_environments' production_url is next.
    let mut s = Smoke::new();
    let cfg = s.scratch.path().join("config");
    write_config(
        &cfg,
        "apps:\n  mcritchie-studio:\n    prod_deploy:\n      smoke_url: ''\n",
        &format!(
            "qa_environments:\n  mcritchie-studio:\n    production_url: {}\n",
            healthy.base_url()
        ),
    );
    s.args([
        "--config-dir",
        cfg.to_str().unwrap(),
        "--json",
        "--retries",
        "0",
    ]);
    let ledger = s.ledger();
    s.arg("--ledger").arg(ledger.to_str().unwrap());
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    assert_eq!(f.json()["url"], healthy.base_url());
    assert!(
        f.stderr
            .contains(&format!("against {}", healthy.base_url())),
        "{f}"
    );
}

#[tokio::test]
async fn run_only_flags_are_refused_by_ledger_commands() {
    for cmd in ["deliver", "history"] {
        let mut s = Smoke::new();
        s.args([cmd, "--release", "2026-11-23-rc1"]);
        let f = s.run().await;
        assert_eq!(f.code, 2, "{cmd}: {f}");
        assert!(
            f.stderr.contains("unexpected argument '--release'"),
            "{cmd}: {f}"
        );
    }
}
