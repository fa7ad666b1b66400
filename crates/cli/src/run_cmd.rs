//! The main job: resolve the app's URL, run the suite, write the evidence,
//! record the seal, and exit 0 (green), 1 (red), 2 (bad input) or 3
//! (inconclusive).

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::Utc;
use prod_smoke_config::{AppTarget, check_url, resolve};
use prod_smoke_input::{EXCERPT_CHARS, excerpt};
use prod_smoke_model::{Redactor, RunReport, Verdict, host_of, url_credentials};
use prod_smoke_runner::{EventSink, GuardPolicy, RunOptions, browser_source};
use prod_smoke_seal::{
    LedgerPlace, RollbackTarget, SealConfig, SealOverrides, block_with_proof, rollback_block,
};
use prod_smoke_spec::{Scenario, Suite};

use crate::args::{LedgerArgs, RunArgs, SealArgs};
use crate::heartbeat::Heartbeat;
use crate::{exit, progress};

pub async fn run(args: RunArgs) -> u8 {
    // A browser or canary URL's token or password is a secret like any
    // other: masked in every output, artifact, ledger row and sink payload,
    // and in the message that refuses bad input, before anything runs.
    let url_secrets: Vec<String> = [args.cdp_url.as_deref(), args.canary.as_deref()]
        .into_iter()
        .flatten()
        .flat_map(url_credentials)
        .collect();
    // The deadline counts from the start, config and browser start-up included.
    let deadline = Deadline {
        limit: args.deadline,
        at: tokio::time::Instant::now() + args.deadline,
    };
    let (target, scenarios, block_urls) = match prepare(&args) {
        Ok(p) => p,
        Err(message) => {
            let mut r = Redactor::new();
            args.seal
                .ledger
                .secrets
                .iter()
                .chain(&url_secrets)
                .cloned()
                .chain(args.url.as_deref().map(url_credentials).unwrap_or_default())
                .for_each(|s| r.add(s));
            eprintln!("prod-smoke: {}", r.redact(&message));
            return exit::BAD_INPUT;
        }
    };
    // Hashed now, so seal.intoto.json names the spec that ran.
    let spec_resource = crate::statement::spec_resource(args.spec.as_deref());
    let mut seal_cfg = run_seal_config(&args.seal, &target).map(|mut cfg| {
        url_secrets.iter().for_each(|s| cfg.redactor.add(s.clone()));
        cfg
    });
    let redactor = seal_cfg
        .as_ref()
        .map(|c| c.redactor.clone())
        .unwrap_or_else(|_| {
            let mut r = Redactor::new();
            args.seal
                .ledger
                .secrets
                .iter()
                .chain(&url_secrets)
                .for_each(|s| r.add(s.clone()));
            r
        });

    eprintln!(
        "→ prod-smoke {}: {} against {} (read-only)",
        target.app, args.grep, target.url
    );
    let artifacts = artifacts_dir(&args, &target.app).await;
    eprintln!("  artifacts: {}", artifacts.display());
    let heartbeat = Heartbeat::start(&artifacts, redactor.clone());
    heartbeat.line(&format!(
        "start: prod-smoke {} {} {} against {} (--trace {}, --deadline {})",
        env!("CARGO_PKG_VERSION"),
        target.app,
        args.grep,
        target.url,
        args.trace.as_str(),
        deadline.shown()
    ));

    let mut report = match browser_source(args.chromium.as_deref(), args.cdp_url.as_deref()) {
        Ok(browser) => {
            let mut opts = RunOptions::new(
                &target.app,
                &target.url,
                scenarios.clone(),
                browser,
                artifacts.clone(),
            );
            opts.tag = args.grep.clone();
            opts.workers = args.workers;
            opts.nav_timeout = Duration::from_secs(args.timeout.max(1));
            opts.pool_budget = Duration::from_secs(args.pool_budget.unwrap_or(args.timeout).max(1));
            opts.expect_timeout = Duration::from_secs(args.expect_timeout.max(1));
            opts.retries = args.retries;
            opts.retry_delay = Duration::from_secs(args.retry_delay);
            opts.guard =
                GuardPolicy::new(block_urls, args.allow_websockets, args.strict_page_errors);
            opts.trace = args.trace.into();
            opts.max_page_bytes = args.max_page_mb * 1024 * 1024;
            opts.redactor = redactor.clone();
            opts.storage_state = args.storage_state.clone().map(std::sync::Arc::new);
            run_interruptible(&opts, &redactor, &heartbeat, deadline).await
        }
        Err(e) => inconclusive(&target, &args.grep, &artifacts, &scenarios, e.to_string()),
    };
    // Off the hot path: compares the screenshots while the canary and the
    // rollback dry run do their network and git work.
    let since_last_green = crate::since_last_green::start(seal_cfg.as_ref().ok(), &report);
    let canary = crate::canary::canary_url(args.canary.as_deref());
    crate::canary::judge(
        &mut report,
        canary.as_deref(),
        Duration::from_secs(args.timeout.max(1)),
    )
    .await;
    heartbeat.line(&format!(
        "run finished: {} ({})",
        report.verdict.as_str(),
        report.scenario_counts().line()
    ));
    if report.verdict == Verdict::Red {
        // Before the reports are written, so all four places show it.
        let sha = crate::rollback_cmd::merge_sha(
            args.seal.sha.as_deref(),
            seal_cfg.as_ref().ok(),
            report.finished_at,
        )
        .await;
        heartbeat.line(&format!(
            "rollback sha: {} — {}",
            sha.sha.as_deref().unwrap_or("unknown"),
            sha.said
        ));
        // The seal's block (stderr, Discord) names the same sha.
        if let (Ok(cfg), Some(found)) = (seal_cfg.as_mut(), &sha.sha) {
            cfg.sha = Some(found.clone());
        }
        report.rollback =
            Some(crate::rollback_cmd::evidence(&target, args.repo.as_deref(), &sha).await);
    }
    since_last_green.finish(&mut report, &redactor).await;
    let report = redactor.redact_value(&report);

    let run_url = seal_cfg.as_ref().ok().and_then(|c| c.run_link.clone());
    let code = finish(&args, &target, &report, seal_cfg, &redactor, &heartbeat).await;
    heartbeat.line(&format!("end: {}, exit {code}", report.verdict.as_str()));
    heartbeat.finish().await;
    if let Some(dir) = &report.artifacts_dir {
        reseal_manifest(dir).await;
        // Last: its subject is the manifest as it now stays.
        crate::statement::write(dir, &report, spec_resource, run_url).await;
    }
    code
}

/// heartbeat.log keeps growing after the reports (and the manifest) are
/// written: the seal's deliveries and the end come later. So the manifest
/// is written again once the log has its last line; it then covers the
/// log as it stays. Only a manifest that was written the first time is
/// rewritten, so a folder where even the manifest did not fit gets none.
async fn reseal_manifest(dir: &Path) {
    if !tokio::fs::try_exists(dir.join(prod_smoke_report::MANIFEST_FILE))
        .await
        .unwrap_or(false)
    {
        return;
    }
    let dir = dir.to_path_buf();
    let written =
        tokio::task::spawn_blocking(move || prod_smoke_report::write_manifest(&dir)).await;
    if let Ok(Err(e)) = written {
        eprintln!(
            "prod-smoke: could not rewrite the manifest: {}",
            prod_smoke_seal::chain(&e)
        );
    }
}

/// Resolves everything that can be wrong with the input before anything runs.
fn prepare(args: &RunArgs) -> Result<(AppTarget, Vec<Scenario>, Vec<String>), String> {
    let suite = match &args.spec {
        Some(path) => Suite::load(path).map_err(|e| e.to_string())?,
        None => prod_smoke_spec::default_suite(),
    };
    let scenarios: Vec<Scenario> = suite.select(&args.grep).into_iter().cloned().collect();
    if scenarios.is_empty() {
        return Err(format!(
            "no scenario in {} matches --grep {:?}",
            suite.file,
            excerpt(&args.grep, EXCERPT_CHARS)
        ));
    }
    if let Some(bad) = args.block_url.iter().find(|p| p.trim().is_empty()) {
        return Err(format!(
            "--block-url {:?} is empty; give a URL pattern such as \"*/logout*\"",
            excerpt(bad, EXCERPT_CHARS)
        ));
    }
    let mut block_urls = suite.block_urls.clone();
    block_urls.extend(args.block_url.iter().cloned());
    let (dir, explicit) = match &args.config_dir {
        Some(d) => (d.clone(), true),
        None => (PathBuf::from("config"), false),
    };
    let mut target =
        resolve(&args.app, args.url.as_deref(), &dir, explicit).map_err(|e| e.to_string())?;
    target.url = check_url(&target.url, args.allow_http).map_err(|e| e.to_string())?;
    if let Some(repo) = args
        .repo
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        target.repo = Some(repo.to_string());
    }
    Ok((target, scenarios, block_urls))
}

/// The seal's configuration: the environment, plus what the flags say.
/// `overrides` carries the command's own fields (release, sha, …).
pub fn seal_config(
    ledger: &LedgerArgs,
    delivery_attempts: u32,
    overrides: SealOverrides,
) -> Result<SealConfig, String> {
    SealConfig::from_env(SealOverrides {
        ledger: ledger.ledger.clone(),
        secrets: ledger.secrets.clone(),
        retry: Some(prod_smoke_seal::RetryPolicy {
            attempts: delivery_attempts,
            ..prod_smoke_seal::RetryPolicy::default()
        }),
        ..overrides
    })
    .map_err(|e| prod_smoke_seal::chain(&e))
}

/// The seal configuration of a run, for `target`.
fn run_seal_config(seal: &SealArgs, target: &AppTarget) -> Result<SealConfig, String> {
    seal_config(
        &seal.ledger,
        seal.delivery.delivery_attempts,
        SealOverrides {
            release_slug: seal.release.clone(),
            sha: seal.sha.clone(),
            production_app: target.production_app.clone(),
            repo: target.repo.clone(),
            notes_message_id: seal.notes_message_id.clone(),
            ..SealOverrides::default()
        },
    )
}

/// The artifacts folder: as given, else `./artifacts/<app>-<UTC time>`.
/// When it cannot be written, a temporary folder takes its place so the run
/// (and its verdict) still happens.
async fn artifacts_dir(args: &RunArgs, app: &str) -> PathBuf {
    let wanted = args.artifacts.clone().unwrap_or_else(|| {
        PathBuf::from("artifacts").join(format!("{app}-{}", Utc::now().format("%Y%m%dT%H%M%SZ")))
    });
    match writable(&wanted).await {
        Ok(()) => wanted,
        Err(e) => {
            let fallback =
                std::env::temp_dir().join(format!("prod-smoke-{app}-{}", uuid::Uuid::new_v4()));
            eprintln!(
                "prod-smoke: cannot write artifacts to {}: {e}; using {} instead",
                wanted.display(),
                fallback.display()
            );
            fallback
        }
    }
}

async fn writable(dir: &Path) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    let probe = dir.join(".prod-smoke-write-test");
    tokio::fs::write(&probe, b"").await?;
    tokio::fs::remove_file(probe).await
}

/// The run's overall time limit (`--deadline`).
#[derive(Debug, Clone, Copy)]
struct Deadline {
    limit: Duration,
    at: tokio::time::Instant,
}

impl Deadline {
    /// `10m`, `90s`, `1m30s`: as the flag is written.
    fn shown(&self) -> String {
        let secs = self.limit.as_secs();
        match (secs / 60, secs % 60) {
            (0, s) => format!("{s}s"),
            (m, 0) => format!("{m}m"),
            (m, s) => format!("{m}m{s}s"),
        }
    }
}

/// Runs the suite; SIGINT or SIGTERM cancels it, and so does the
/// `--deadline`: cancelling drops (and so reaps) the browser, and makes the
/// run inconclusive. The checks that finished before are kept, with their
/// screenshots; the rest are marked not run.
async fn run_interruptible(
    opts: &RunOptions,
    redactor: &Redactor,
    heartbeat: &Heartbeat,
    deadline: Deadline,
) -> RunReport {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let printer = tokio::spawn(progress::report(rx, redactor.clone()));
    let (beat_tx, beat_task) = heartbeat.events();
    // A third subscriber keeps the finished checks, for a run cut short.
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    let events = EventSink::new(tx).and(beat_tx).and(seen_tx);
    let started = Utc::now();
    let cut = tokio::select! {
        report = prod_smoke_runner::run(opts, &events) => Err(report),
        signal = interrupted() => {
            eprintln!("prod-smoke: interrupted by {signal}; the browser was closed");
            Ok(format!("interrupted by {signal}"))
        }
        _ = tokio::time::sleep_until(deadline.at) => {
            let why = format!(
                "the run passed its --deadline of {}; the browser was closed and the checks \
                 that finished are kept",
                deadline.shown()
            );
            eprintln!("prod-smoke: {why}");
            Ok(why)
        }
    };
    drop(events);
    let _ = printer.await;
    let _ = beat_task.await;
    let why = match cut {
        Err(report) => return report,
        Ok(why) => why,
    };
    let mut finished: Vec<prod_smoke_model::CheckResult> = Vec::new();
    while let Ok(event) = seen_rx.try_recv() {
        if let prod_smoke_runner::RunEvent::CheckFinished { check } = event {
            // A retried check's last attempt stands.
            finished.retain(|c| !(c.scenario == check.scenario && c.name == check.name));
            finished.push(check);
        }
    }
    let mut checks = finished.clone();
    checks.extend(
        prod_smoke_runner::unrun_checks(&opts.scenarios, &why)
            .into_iter()
            .filter(|u| {
                !finished
                    .iter()
                    .any(|c| c.scenario == u.scenario && c.name == u.name)
            }),
    );
    RunReport {
        run_id: opts.run_id.clone(),
        app: opts.app.clone(),
        url: opts.base_url.clone(),
        tag: opts.tag.clone(),
        started_at: started,
        finished_at: Utc::now(),
        verdict: Verdict::Inconclusive,
        retried: false,
        retry_delay_secs: opts.retry_delay.as_secs(),
        checks,
        environment_error: Some(why),
        artifacts_dir: Some(opts.artifacts_dir.clone()),
        rollback: None,
        traces: Vec::new(),
    }
}

async fn interrupted() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}

fn inconclusive(
    target: &AppTarget,
    tag: &str,
    artifacts: &Path,
    scenarios: &[Scenario],
    why: String,
) -> RunReport {
    let now = Utc::now();
    RunReport {
        run_id: uuid::Uuid::new_v4().to_string(),
        app: target.app.clone(),
        url: target.url.clone(),
        tag: tag.to_string(),
        started_at: now,
        finished_at: now,
        verdict: Verdict::Inconclusive,
        retried: false,
        retry_delay_secs: 0,
        checks: prod_smoke_runner::unrun_checks(scenarios, &why),
        environment_error: Some(why),
        artifacts_dir: Some(artifacts.to_path_buf()),
        rollback: None,
        traces: Vec::new(),
    }
}

/// What is left once the verdict is known, phase by phase: the evidence,
/// the summary lines, the seal, then the contract's last line (and JSON).
async fn finish(
    args: &RunArgs,
    target: &AppTarget,
    report: &RunReport,
    seal_cfg: Result<SealConfig, String>,
    redactor: &Redactor,
    heartbeat: &Heartbeat,
) -> u8 {
    write_evidence(report, redactor, heartbeat).await;
    print_summary(report, redactor);
    let sealed = record_seal(report, seal_cfg, redactor, heartbeat).await;
    if report.verdict == Verdict::Red {
        print_rollback(args, target, report, sealed.rollback);
    }
    print_verdict(args, target, report, sealed.durable);
    exit_code(report.verdict, sealed.durable)
}

/// The exit code: the verdict's, except that a green verdict recorded
/// nowhere durable is inconclusive. The hub's `bin/release` reads only the
/// code, so a seal that exists nowhere must not look like one.
fn exit_code(verdict: Verdict, durable: bool) -> u8 {
    match verdict {
        Verdict::Green if durable => exit::GREEN,
        Verdict::Green => exit::ENVIRONMENT,
        Verdict::Red => exit::RED,
        Verdict::Inconclusive => exit::ENVIRONMENT,
    }
}

/// What [`record_seal`] achieved.
struct Sealed {
    /// The rollback block the seal built, when it built one.
    rollback: Option<String>,
    /// The verdict reached a ledger file or a sink that took it.
    durable: bool,
}

/// The artifacts (reports, manifest) and GitHub Actions' outputs. The
/// files are written on a blocking thread, off the runtime's.
async fn write_evidence(report: &RunReport, redactor: &Redactor, heartbeat: &Heartbeat) {
    if let Some(dir) = &report.artifacts_dir {
        let (dir, owned) = (dir.clone(), report.clone());
        let written =
            tokio::task::spawn_blocking(move || prod_smoke_report::write_artifacts(&dir, &owned))
                .await
                .map_err(|e| e.to_string())
                // The whole chain: the path and the system's cause (ENOSPC).
                .and_then(|r| r.map_err(|e| prod_smoke_seal::chain(&e)));
        match written {
            Ok(paths) => {
                heartbeat.line(&format!(
                    "reports written: results.json, junit.xml, report.html, {} trace(s)",
                    report.traces.len()
                ));
                eprintln!("  report: {}", paths.report_html.display());
                let dir = report.artifacts_dir.as_deref().expect("checked above");
                for t in &report.traces {
                    for file in [&t.har, &t.mhtml, &t.console].into_iter().flatten() {
                        eprintln!("  trace: {} ({})", dir.join(file).display(), t.scenario);
                    }
                }
                for c in report.checks.iter().filter(|c| c.screenshot.is_some()) {
                    let shot = dir.join(c.screenshot.as_ref().expect("filtered"));
                    eprintln!("  screenshot: {} ({})", shot.display(), c.name);
                }
            }
            Err(e) => {
                let why = redactor.redact(&e);
                heartbeat.line(&format!("reports not written: {why}"));
                eprintln!("prod-smoke: could not write the reports: {why}");
            }
        }
    }
    write_ci_outputs(report).await;
}

/// Why a run was inconclusive, and the caller's `N passed, N failed` line.
fn print_summary(report: &RunReport, redactor: &Redactor) {
    if let Some(why) = &report.environment_error {
        eprintln!("prod-smoke: inconclusive — {}", redactor.redact(why));
    }
    let counts = report.scenario_counts();
    eprintln!("{}", counts.line());
    if counts.flaky > 0 {
        eprintln!("{} flaky", counts.flaky);
    }
}

/// Records the seal in the ledger (or a fallback) and delivers it to every
/// sink, and says whether the verdict reached a durable place.
async fn record_seal(
    report: &RunReport,
    seal_cfg: Result<SealConfig, String>,
    redactor: &Redactor,
    heartbeat: &Heartbeat,
) -> Sealed {
    let cfg = match seal_cfg {
        Ok(mut cfg) => {
            // Each delivery's attempts and outcome, stamped as they happen.
            let beat = heartbeat.beat();
            cfg.delivery_log = Some(std::sync::Arc::new(move |line: &str| beat.line(line)));
            cfg
        }
        Err(e) => {
            let why = redactor.redact(&e);
            heartbeat.line(&format!(
                "delivery: none, the seal is not configured — {why}"
            ));
            eprintln!(
                "prod-smoke: the seal is not configured: {why}; the verdict reached no durable \
                 place"
            );
            return Sealed {
                rollback: None,
                durable: false,
            };
        }
    };
    heartbeat.line("seal: recording the verdict and delivering it");
    match prod_smoke_seal::seal_run(report, &cfg).await {
        Ok(outcome) => {
            // The plain summary: the stored line escapes page text for
            // Markdown (Discord, the notes), which a terminal shows as
            // backslashes.
            eprintln!(
                "{}",
                prod_smoke_seal::verdict_line(outcome.verdict, &outcome.summary)
            );
            // heartbeat.log has each delivery already, stamped when it
            // happened (the seal's delivery log); a fallback also says why.
            match &outcome.place {
                LedgerPlace::Ledger => {
                    eprintln!(
                        "  seal: ledger {} (run {})",
                        outcome.ledger_path.display(),
                        outcome.run_id
                    );
                }
                LedgerPlace::Fallback { .. } | LedgerPlace::Memory { .. } => {
                    let said = redactor.redact(&outcome.where_recorded());
                    eprintln!("prod-smoke: {said}");
                    heartbeat.line(&format!("delivery ledger: {said}"));
                }
            }
            for s in &outcome.sinks {
                let said = redactor.redact(&s.outcome.to_string());
                eprintln!("  {}: {said}", s.sink);
            }
            // Only once the ledger knows this run as the last green one.
            if outcome.place == LedgerPlace::Ledger {
                crate::since_last_green::keep(&cfg, report).await;
            }
            Sealed {
                durable: outcome.is_durable(),
                rollback: outcome.rollback,
            }
        }
        Err(e) => {
            // Only a ledger failure after the run was recorded gets here:
            // the record exists, a delivery's state may not.
            let why = redactor.redact(&prod_smoke_seal::chain(&e));
            heartbeat.line(&format!("delivery ledger: failed after recording — {why}"));
            eprintln!("prod-smoke: the seal's deliveries could not be tracked: {why}");
            Sealed {
                rollback: None,
                durable: true,
            }
        }
    }
}

/// The rollback block, with its proof, on red.
fn print_rollback(
    args: &RunArgs,
    target: &AppTarget,
    report: &RunReport,
    from_seal: Option<String>,
) {
    // The seal could not build it: the block the reports carry, which
    // names the same sha as the proof.
    let block = from_seal.unwrap_or_else(|| match &report.rollback {
        Some(r) => block_with_proof(&r.block, Some(r)),
        None => rollback_block(
            &host_of(&target.url),
            RollbackTarget {
                production_app: target.production_app.as_deref(),
                repo: target.repo.as_deref(),
                deployed_sha: args.seal.sha.as_deref(),
            },
        ),
    });
    eprintln!("{block}");
}

/// The contract's last stderr line, and with `--json` its one object on
/// stdout.
fn print_verdict(args: &RunArgs, target: &AppTarget, report: &RunReport, durable: bool) {
    let (mark, word) = match report.verdict {
        // The site passed, but the seal exists nowhere: exit 3.
        Verdict::Green if !durable => ("✗", "INCONCLUSIVE"),
        Verdict::Green => ("✓", "PASS"),
        Verdict::Red => ("✗", "FAIL"),
        Verdict::Inconclusive => ("✗", "INCONCLUSIVE"),
    };
    eprintln!("{mark} prod-smoke {}: {word} @ {}", target.app, target.url);
    if args.json {
        let counts = report.scenario_counts();
        let json = serde_json::json!({
            "app": target.app,
            "url": target.url,
            "passed": report.verdict == Verdict::Green,
            "verdict": report.verdict.as_str(),
            "sealed": durable,
            "run_id": report.run_id,
            "retried": report.retried,
            "scenarios": {
                "passed": counts.passed,
                "failed": counts.failed,
                "skipped": counts.skipped,
                "flaky": counts.flaky,
            },
            "artifacts": report.artifacts_dir,
        });
        println!("{json}");
    }
}

/// GitHub Actions: a step summary table and `::error` annotations.
async fn write_ci_outputs(report: &RunReport) {
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
        use tokio::io::AsyncWriteExt;
        let md = prod_smoke_report::step_summary_markdown(report);
        let appended = async {
            let mut file = tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .await?;
            file.write_all(md.as_bytes()).await?;
            file.flush().await
        };
        if let Err(e) = appended.await {
            eprintln!("prod-smoke: cannot append the step summary: {e}");
        }
    }
    // On stderr: the runner reads workflow commands there too, and stdout
    // stays one JSON object under --json.
    if std::env::var_os("GITHUB_ACTIONS").is_some() {
        for line in prod_smoke_report::github_annotations(report) {
            eprintln!("{line}");
        }
    }
}
