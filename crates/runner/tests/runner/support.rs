use std::time::Duration;

use prod_smoke_fixture_site::{Fault, FixtureOptions, FixtureSite};
use prod_smoke_model::{CheckStatus, RunReport};
use prod_smoke_runner::{EventSink, RunOptions, browser_source, run};

pub struct Run {
    pub report: RunReport,
    pub site: FixtureSite,
    pub artifacts: tempfile::TempDir,
}

pub async fn site(faults: &[Fault]) -> FixtureSite {
    FixtureSite::start(FixtureOptions {
        faults: faults.to_vec(),
        ..FixtureOptions::default()
    })
    .await
    .expect("fixture site starts")
}

pub fn options(site: &FixtureSite, artifacts: &std::path::Path) -> RunOptions {
    let mut opts = RunOptions::new(
        "mcritchie-studio",
        &site.base_url(),
        prod_smoke_spec::default_suite().scenarios,
        browser_source(None, None).expect("chromium is installed"),
        artifacts.to_path_buf(),
    );
    opts.retries = 0;
    opts.retry_delay = Duration::ZERO;
    opts.nav_timeout = Duration::from_secs(5);
    opts.expect_timeout = Duration::from_secs(2);
    opts
}

/// The scenarios of a spec written in a test; `file` names it in errors.
pub fn scenarios(file: &str, yaml: &str) -> Vec<prod_smoke_spec::Scenario> {
    prod_smoke_spec::Suite::parse(file, yaml)
        .expect("the spec parses")
        .scenarios
}

/// Runs a spec written in a test against the fixture site with `faults`.
pub async fn run_spec(file: &str, faults: &[Fault], yaml: &str) -> Run {
    let scenarios = scenarios(file, yaml);
    run_with(faults, |o| o.scenarios = scenarios).await
}

pub async fn run_with(faults: &[Fault], tweak: impl FnOnce(&mut RunOptions)) -> Run {
    let site = site(faults).await;
    let artifacts = tempfile::tempdir().expect("tempdir");
    let mut opts = options(&site, artifacts.path());
    tweak(&mut opts);
    let report = run(&opts, &EventSink::none()).await;
    Run {
        report,
        site,
        artifacts,
    }
}

impl Run {
    pub fn failed_names(&self) -> Vec<&str> {
        self.report
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Failed)
            .map(|c| c.name.as_str())
            .collect()
    }

    /// The error of the check `name` of `scenario`.
    pub fn error_of_in(&self, scenario: &str, name: &str) -> String {
        self.report
            .checks
            .iter()
            .find(|c| c.scenario == scenario && c.name == name)
            .and_then(|c| c.error.clone())
            .unwrap_or_default()
    }

    pub fn error_of(&self, name: &str) -> String {
        self.report
            .checks
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.error.clone())
            .unwrap_or_default()
    }
}

/// A site whose every page tries every write channel (see
/// `FixtureOptions::hostile`).
pub async fn hostile_site(faults: &[Fault]) -> FixtureSite {
    FixtureSite::start(FixtureOptions {
        hostile: true,
        faults: faults.to_vec(),
        ..FixtureOptions::default()
    })
    .await
    .expect("fixture site starts")
}

pub async fn run_against(site: FixtureSite, tweak: impl FnOnce(&mut RunOptions)) -> Run {
    let artifacts = tempfile::tempdir().expect("tempdir");
    let mut opts = options(&site, artifacts.path());
    tweak(&mut opts);
    let report = run(&opts, &EventSink::none()).await;
    Run {
        report,
        site,
        artifacts,
    }
}

/// The control of a guard test: plain headless Chromium, no prod-smoke,
/// loads `url` with the standard flags plus `extra`, lets its scripts run
/// for 5 s of virtual time and exits. What the server then logs is what
/// the page does when nothing guards it.
pub async fn visit_unguarded(url: &str, extra: &[String]) {
    let chromium = prod_smoke_runner::find_chromium(None).expect("chromium is installed");
    let profile = tempfile::tempdir().expect("tempdir");
    let status = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .args(extra)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .status();
    let status = tokio::time::timeout(Duration::from_secs(60), status)
        .await
        .expect("chromium finishes")
        .expect("chromium runs");
    assert!(status.success(), "{status}");
}
