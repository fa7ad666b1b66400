//! A whole run: one browser, scenarios in parallel (each in its own
//! context), plain-HTTP checks while Chromium starts, and a retry of only
//! the failed scenarios after a boot-window wait.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::FutureExt;
use futures::stream::{self, StreamExt};
use prod_smoke_model::{CheckResult, CheckStatus, RunReport};
use prod_smoke_redact::Redactor;
use prod_smoke_spec::Scenario;

use crate::browser::{BrowserSession, BrowserSource};
use crate::events::{EventSink, RunEvent};
use crate::guard::GuardPolicy;
use crate::scenario::{self, ScenarioContext, ScenarioOutcome, SharedBrowser};
use crate::storage_state::{AppSession, StorageState};
use crate::trace::{self, TraceMode};

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub run_id: String,
    pub app: String,
    /// Base URL without a trailing slash.
    pub base_url: String,
    pub tag: String,
    pub scenarios: Vec<Scenario>,
    pub browser: BrowserSource,
    /// Scenarios run at once.
    pub workers: usize,
    pub nav_timeout: Duration,
    /// How long to keep trying a remote pool that answers busy.
    pub pool_budget: Duration,
    pub expect_timeout: Duration,
    /// Extra attempts for failed scenarios.
    pub retries: u32,
    pub retry_delay: Duration,
    pub artifacts_dir: PathBuf,
    /// What the read-only guard blocks beyond writes: `--block-url`
    /// patterns, and whether WebSockets may open.
    pub guard: GuardPolicy,
    /// Which scenarios leave a trace (`--trace`).
    pub trace: TraceMode,
    /// Masks secrets in the trace files, as in every other artifact.
    pub redactor: Redactor,
    /// What one visit may download, every response together; past it the
    /// visit is stopped and its check fails (scenario.rs).
    pub max_page_bytes: u64,
    /// A signed-in session (`--storage-state`), put into every scenario's
    /// context for the app's own host only (storage_state.rs).
    pub storage_state: Option<Arc<StorageState>>,
}

/// The default page cap: 32 MiB.
pub const DEFAULT_MAX_PAGE_BYTES: u64 = 32 * 1024 * 1024;

impl RunOptions {
    pub fn new(
        app: &str,
        base_url: &str,
        scenarios: Vec<Scenario>,
        browser: BrowserSource,
        artifacts_dir: PathBuf,
    ) -> Self {
        RunOptions {
            run_id: uuid::Uuid::new_v4().to_string(),
            app: app.to_string(),
            base_url: base_url.trim_end_matches('/').to_string(),
            tag: prod_smoke_spec::DEFAULT_TAG.to_string(),
            scenarios,
            browser,
            workers: 4,
            nav_timeout: Duration::from_secs(30),
            pool_budget: Duration::from_secs(30),
            expect_timeout: Duration::from_secs(5),
            retries: 1,
            retry_delay: Duration::from_secs(30),
            artifacts_dir,
            guard: GuardPolicy::default(),
            trace: TraceMode::default(),
            redactor: Redactor::new(),
            max_page_bytes: DEFAULT_MAX_PAGE_BYTES,
            storage_state: None,
        }
    }
}

/// Runs the suite and returns everything it found. Never fails: a broken
/// environment makes the report inconclusive instead.
pub async fn run(opts: &RunOptions, events: &EventSink) -> RunReport {
    let mut report = empty_report(opts);
    let http = match prepare(opts).await {
        Ok(http) => http,
        Err(why) => return report.cut_short(unrun_checks(&opts.scenarios, &why), why),
    };
    let needs_browser = opts.scenarios.iter().any(Scenario::needs_browser);
    let browser = needs_browser.then(|| start_browser(opts, events, false));
    let mut done = run_attempts(opts, &http, browser, events).await;
    report.retried = done.retried;
    if let Some(browser) = done.browser.take() {
        report.environment_error = close_browser(opts, browser, &done.outcomes).await;
    }
    record_outcomes(opts, done, &mut report).await;
    report.verdict = report.verdict_from_findings();
    report.finished_at = Utc::now();
    report
}

/// The report before anything ran: inconclusive, with no checks.
fn empty_report(opts: &RunOptions) -> RunReport {
    let mut report = RunReport::begin(
        &opts.run_id,
        &opts.app,
        &opts.base_url,
        &opts.tag,
        Some(opts.artifacts_dir.clone()),
    );
    report.retry_delay_secs = opts.retry_delay.as_secs();
    report
}

/// What every scenario needs before the first one starts: the screenshots
/// folder and the plain-HTTP client. `Err` says why nothing can run.
async fn prepare(opts: &RunOptions) -> Result<reqwest::Client, String> {
    if let Err(e) = tokio::fs::create_dir_all(opts.artifacts_dir.join("screenshots")).await {
        return Err(format!(
            "cannot create the artifacts folder {}: {e}",
            opts.artifacts_dir.display()
        ));
    }
    crate::http_check::client(opts.nav_timeout).map_err(|e| e.to_string())
}

/// A browser started in the background, and how to cancel its start.
type StartedBrowser = (SharedBrowser, tokio::task::AbortHandle);

/// Where the attempts left each scenario.
struct Attempts {
    /// Each scenario's last outcome; `None` when it never ran.
    outcomes: Vec<Option<ScenarioOutcome>>,
    /// The attempt each last outcome came from.
    attempts: Vec<u32>,
    retried: bool,
    /// The browser of the last attempt, still to be closed.
    browser: Option<StartedBrowser>,
}

/// Runs every scenario, then (after the boot-window wait) the failed ones
/// again, up to `--retries` more times; a browser lost mid-batch is
/// replaced before its scenarios run again.
async fn run_attempts(
    opts: &RunOptions,
    http: &reqwest::Client,
    browser: Option<StartedBrowser>,
    events: &EventSink,
) -> Attempts {
    let count = opts.scenarios.len();
    let mut done = Attempts {
        outcomes: (0..count).map(|_| None).collect(),
        attempts: vec![0; count],
        retried: false,
        browser,
    };
    let signed_in = signed_in(opts, events);
    let mut to_run: Vec<usize> = (0..count).collect();
    let mut reconnect = false;
    for attempt in 1..=opts.retries + 1 {
        if attempt > 1 {
            done.retried = true;
            events.emit(RunEvent::RetryScheduled {
                scenarios: to_run
                    .iter()
                    .map(|&i| opts.scenarios[i].name.clone())
                    .collect(),
                delay: opts.retry_delay,
            });
            tokio::time::sleep(opts.retry_delay).await;
            if reconnect {
                // After the wait, so a restarting pool has had the boot
                // window to come back; the connection gets its own budget.
                done.browser = Some(start_browser(opts, events, true));
            }
        }
        let shared = done.browser.as_ref().map(|(shared, _)| shared);
        let results = run_batch(opts, &to_run, attempt, http, shared, &signed_in, events).await;
        let any_failed = results.iter().any(|(_, o)| !o.passed());
        // A browser lost mid-batch (a pool restart, a crash) is an
        // environment failure that a new browser can fix: its scenarios
        // are retried like failed ones. Any other broken environment ends
        // the run. On the last attempt the check after the loop decides.
        let lost = match done.browser.as_ref() {
            Some((shared, _)) if any_failed && attempt <= opts.retries => {
                went_away(shared, true).await
            }
            _ => false,
        };
        let failed = done.file(results, attempt, lost);
        let env_broken = done
            .outcomes
            .iter()
            .flatten()
            .any(|o| o.environment_error.is_some());
        if failed.is_empty() || (env_broken && !lost) || attempt > opts.retries {
            break;
        }
        if lost && let Some((old, _)) = done.browser.take() {
            if let Some(Ok(session)) = old.peek() {
                session.close().await;
            }
            reconnect = true;
        }
        to_run = failed;
    }
    done
}

impl Attempts {
    /// Files one batch's outcomes under `attempt`, and returns the
    /// scenarios to run again: the failed ones, and with a `lost` browser
    /// also those whose environment broke.
    fn file(
        &mut self,
        results: Vec<(usize, ScenarioOutcome)>,
        attempt: u32,
        lost: bool,
    ) -> Vec<usize> {
        let mut failed = Vec::new();
        for (i, outcome) in results {
            self.attempts[i] = attempt;
            let env_broken = outcome.environment_error.is_some();
            if !outcome.passed() && (lost || !env_broken) {
                failed.push(i);
            }
            self.outcomes[i] = Some(outcome);
        }
        failed
    }
}

/// Closes the run's browser, or cancels a launch nobody waited for (every
/// page scenario stopped early; its process is reaped on drop). Says why
/// the run is inconclusive when the browser went away in the last attempt.
async fn close_browser(
    opts: &RunOptions,
    (shared, launch_task): StartedBrowser,
    outcomes: &[Option<ScenarioOutcome>],
) -> Option<String> {
    if shared.peek().is_none() {
        launch_task.abort();
    }
    let any_failed = outcomes.iter().flatten().any(|o| !o.passed());
    let lost = went_away(&shared, any_failed)
        .await
        .then(|| lost_browser(&opts.browser, opts.retries));
    if let Ok(session) = shared.await {
        session.close().await;
    }
    lost
}

/// Puts each scenario's last outcome into the report: its checks (with
/// their attempts, flaky when they passed only on a retry), its trace when
/// `--trace` keeps it, and the first broken environment.
async fn record_outcomes(opts: &RunOptions, done: Attempts, report: &mut RunReport) {
    let Attempts {
        outcomes, attempts, ..
    } = done;
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let Some(mut outcome) = outcome else {
            report.checks.extend(unrun_checks(
                std::slice::from_ref(&opts.scenarios[i]),
                "the run stopped before this scenario started",
            ));
            continue;
        };
        let passed = outcome.passed();
        if let Some(data) = outcome.trace.take()
            && opts.trace.keeps(passed)
        {
            report.traces.push(
                trace::write(
                    &opts.artifacts_dir,
                    &opts.scenarios[i].name,
                    i,
                    attempts[i],
                    &data,
                    &opts.redactor,
                )
                .await,
            );
        }
        let flaky = attempts[i] > 1 && passed;
        for c in &mut outcome.checks {
            c.attempts = attempts[i];
            if flaky && c.status == CheckStatus::Passed {
                c.status = CheckStatus::Flaky;
            }
        }
        if report.environment_error.is_none() {
            report.environment_error = outcome.environment_error;
        }
        report.checks.extend(outcome.checks);
    }
}

/// Every step of `scenarios` as a skipped check: what a report shows for
/// scenarios that never ran, so nothing unrun is ever counted as passed.
pub fn unrun_checks(scenarios: &[Scenario], why: &str) -> Vec<CheckResult> {
    scenarios
        .iter()
        .flat_map(|s| {
            s.steps.iter().map(|step| CheckResult {
                error: Some(format!("not run: {why}")),
                ..CheckResult::not_run(&s.name, step.describe(), 0)
            })
        })
        .collect()
}

async fn run_batch(
    opts: &RunOptions,
    indexes: &[usize],
    attempt: u32,
    http: &reqwest::Client,
    browser: Option<&SharedBrowser>,
    signed_in: &Option<Arc<AppSession>>,
    events: &EventSink,
) -> Vec<(usize, ScenarioOutcome)> {
    stream::iter(indexes.iter().copied())
        .map(|i| async move {
            let ctx = ScenarioContext {
                base_url: &opts.base_url,
                http,
                nav_timeout: opts.nav_timeout,
                expect_timeout: opts.expect_timeout,
                artifacts: &opts.artifacts_dir,
                browser,
                events,
                scenario_index: i,
                attempt,
                trace: opts.trace,
                max_page_bytes: opts.max_page_bytes,
                signed_in: signed_in.clone(),
            };
            (i, scenario::run(&opts.scenarios[i], &ctx).await)
        })
        .buffer_unordered(opts.workers.max(1))
        .collect()
        .await
}

/// The app's share of the storage state, and a note for each part of it
/// left out because it belongs to another host or origin.
fn signed_in(opts: &RunOptions, events: &EventSink) -> Option<Arc<AppSession>> {
    let state = opts.storage_state.as_ref()?;
    let (app, skipped) = state.for_app(&opts.base_url);
    for line in skipped {
        events.emit(RunEvent::Note {
            scenario: "storage state".into(),
            text: format!("left out {line}"),
        });
    }
    (!app.is_empty()).then(|| Arc::new(app))
}

/// Did the browser go away? A browser that died mid-run can first surface
/// as a page failure (a net error) before the connection drop is seen, so
/// after a failure the drop gets a moment to arrive: such a run is then
/// retried or inconclusive, never red.
async fn went_away(shared: &SharedBrowser, after_failure: bool) -> bool {
    let Some(Ok(session)) = shared.peek() else {
        return false;
    };
    let grace = if after_failure {
        Duration::from_millis(500)
    } else {
        Duration::ZERO
    };
    session.is_lost().await
        || tokio::time::timeout(grace, session.wait_lost())
            .await
            .is_ok()
}

/// Why a run whose browser went away in its last attempt is inconclusive,
/// naming the pool when the browser was borrowed.
fn lost_browser(source: &BrowserSource, retries: u32) -> String {
    let who = match source {
        BrowserSource::Connect(url) => format!(
            "the browser pool at {} dropped the connection mid-run (a pool restart?)",
            crate::pool::shown_url(url)
        ),
        BrowserSource::Launch(_) => "the browser went away mid-run".to_string(),
    };
    let next = if retries == 0 {
        "with --retries 1 or more, lost scenarios run again on a new connection"
    } else {
        "no retry was left"
    };
    format!("{who}; its results say nothing about the site ({next})")
}

/// Starts the browser in the background; scenarios await it only when they
/// reach their first page step. `reconnect`: the run already lost a
/// browser, so a pool that refuses connections is restarting, not absent.
fn start_browser(
    opts: &RunOptions,
    events: &EventSink,
    reconnect: bool,
) -> (SharedBrowser, tokio::task::AbortHandle) {
    let source = opts.browser.clone();
    let guard = opts.guard.clone();
    let request_timeout = opts.nav_timeout + Duration::from_secs(10);
    let pool_budget = opts.pool_budget;
    let events = events.clone();
    let task = tokio::spawn(async move {
        let t0 = Instant::now();
        let session =
            BrowserSession::start(&source, request_timeout, pool_budget, reconnect).await?;
        session.guard().configure(guard).await?;
        events.emit(RunEvent::BrowserReady {
            startup: t0.elapsed(),
        });
        Ok::<_, crate::errors::RunnerError>(Arc::new(session))
    });
    let abort = task.abort_handle();
    let shared = async move {
        match task.await {
            Ok(Ok(s)) => Ok(s),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(format!("browser start was cancelled: {e}")),
        }
    }
    .boxed()
    .shared();
    (shared, abort)
}
