//! Runs one scenario: its steps in order, stopping at the first failure the
//! way a Playwright test does. Each scenario gets its own browser context.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::page::StopLoadingParams;
use futures::future::{BoxFuture, Shared};
use prod_smoke_model::{CheckResult, CheckStatus};
use prod_smoke_spec::steps::{Action, Click};
use prod_smoke_spec::{Scenario, Step};

use crate::actions::{self, Acted, ActionContext};
use crate::browser::{BrowserSession, IsolatedPage};
use crate::events::{EventSink, RunEvent};
use crate::expect::{self, ExpectOutcome};
use crate::failure::Failure;
use crate::guard::MAX_DOCUMENT_BYTES;
use crate::http_check::CapturedResponse;
use crate::page_setup::PageSetup;
use crate::page_watch::PageWatch;
use crate::storage_state::AppSession;
use crate::trace::{self, HttpRecord, ScenarioTraceData, TraceMode};
use crate::{http_check, response_check, screenshot};

/// The browser, shared by every scenario and started once, in the
/// background, while plain-HTTP checks already run.
pub type SharedBrowser = Shared<BoxFuture<'static, Result<Arc<BrowserSession>, String>>>;

pub struct ScenarioContext<'a> {
    pub base_url: &'a str,
    pub http: &'a reqwest::Client,
    pub nav_timeout: Duration,
    pub expect_timeout: Duration,
    pub artifacts: &'a Path,
    pub browser: Option<&'a SharedBrowser>,
    pub events: &'a EventSink,
    pub scenario_index: usize,
    pub attempt: u32,
    pub trace: TraceMode,
    /// What one visit may download, all responses together (`--max-page-mb`).
    pub max_page_bytes: u64,
    /// The signed-in session every context starts with (`--storage-state`).
    pub signed_in: Option<Arc<AppSession>>,
}

pub struct ScenarioOutcome {
    pub checks: Vec<CheckResult>,
    /// Set when prod-smoke's own environment broke; the checks then say
    /// nothing about the site.
    pub environment_error: Option<String>,
    /// What was collected for the trace (in memory; written only if kept).
    pub(crate) trace: Option<ScenarioTraceData>,
}

impl ScenarioOutcome {
    pub fn passed(&self) -> bool {
        self.environment_error.is_none()
            && self.checks.iter().all(|c| c.status != CheckStatus::Failed)
    }
}

struct OpenPage {
    isolated: IsolatedPage,
    watch: PageWatch,
    session: Arc<BrowserSession>,
}

pub async fn run(scenario: &Scenario, ctx: &ScenarioContext<'_>) -> ScenarioOutcome {
    ctx.events.emit(RunEvent::ScenarioStarted {
        name: scenario.name.clone(),
        attempt: ctx.attempt,
    });
    let started = Instant::now();
    let mut checks = Vec::with_capacity(scenario.steps.len());
    // Opening the page (context, target, guard) overlaps the plain-HTTP
    // steps that usually come first, and the browser's own start-up.
    let pending = match (scenario.needs_browser(), ctx.browser) {
        (true, Some(shared)) => Some(PendingPage(tokio::spawn(open_page(
            shared.clone(),
            ctx.trace.collects(),
            PageSetup::new(scenario, ctx.signed_in.clone()),
        )))),
        _ => None,
    };
    let mut environment_error = None;
    let mut stopped = false;
    let mut state = StepState {
        page: None,
        left_behind: Vec::new(),
        pending,
        last_response: None,
        trace: ctx.trace.collects().then(ScenarioTraceData::default),
    };

    for (i, step) in scenario.steps.iter().enumerate() {
        let mut check = CheckResult::not_run(&scenario.name, step.describe(), ctx.attempt);
        if stopped {
            checks.push(check);
            continue;
        }
        let t0 = Instant::now();
        let result = run_step(scenario, i, ctx, &mut state, &mut check).await;
        check.duration_ms = t0.elapsed().as_millis() as u64;
        match result {
            StepResult::Passed => check.status = CheckStatus::Passed,
            StepResult::Failed(why) => {
                // The page as it was when the step failed, before anything
                // else can change it.
                if let (Some(t), Some(open)) = (&mut state.trace, &state.page) {
                    t.mhtml = Some(trace::snapshot(&open.isolated.page).await);
                }
                check.status = CheckStatus::Failed;
                check.error = Some(why.sentence(&check.name, check.duration_ms));
                stopped = true;
            }
            StepResult::Broken(why) => {
                check.error = Some(format!("prod-smoke could not run `{}`: {why}", check.name));
                environment_error = Some(why);
                stopped = true;
            }
        }
        ctx.events.emit(RunEvent::CheckFinished {
            check: check.clone(),
        });
        checks.push(check);
    }

    let StepState {
        mut page,
        mut pending,
        mut trace,
        left_behind,
        ..
    } = state;
    if page.is_none()
        && let Some(p) = pending.take()
    {
        // Stopped before the first visit: close what was opened for it.
        page = p.wait().await.ok();
    }
    if let Some(open) = page {
        // A WebSocket that opened past the guard: nothing this scenario saw
        // can be trusted as read-only, so the run is inconclusive.
        if let Some((visit, what)) = open.watch.breaches().into_iter().next() {
            let why = format!("the read-only guard was bypassed: {what}");
            if let Some(check) = checks.get_mut(visit) {
                check.status = CheckStatus::Skipped;
                check.error = Some(format!(
                    "prod-smoke could not run `{}` read-only: {why}",
                    check.name
                ));
            }
            environment_error = Some(why);
        }
        for (i, check) in checks.iter_mut().enumerate() {
            if opens_document(&scenario.steps[i]) {
                for watch in left_behind.iter().map(|p| &p.watch).chain([&open.watch]) {
                    let (blocked, errors) = watch.records_for(i);
                    check.blocked_requests.extend(blocked);
                    check.page_errors.extend(errors);
                }
            }
        }
        for earlier in left_behind {
            drop(earlier.watch);
            earlier.session.close_page_later(earlier.isolated);
        }
        if let Some(t) = &mut trace {
            if t.mhtml.is_none() && ctx.trace == TraceMode::Always {
                t.mhtml = Some(trace::snapshot(&open.isolated.page).await);
            }
            (t.page, t.blocked) = open.watch.take_trace();
        }
        drop(open.watch);
        open.session.close_page_later(open.isolated);
    }
    let outcome = ScenarioOutcome {
        checks,
        environment_error,
        trace,
    };
    ctx.events.emit(RunEvent::ScenarioFinished {
        name: scenario.name.clone(),
        attempt: ctx.attempt,
        passed: outcome.passed(),
        duration: started.elapsed(),
    });
    outcome
}

enum StepResult {
    Passed,
    Failed(Failure),
    Broken(String),
}

impl StepResult {
    /// A failure of a step that does not poll.
    fn failed(message: String) -> Self {
        StepResult::Failed(Failure::once(message))
    }
}

/// `s<scenario>-a<attempt>-<step>-<kind>`: no spec text goes into a file
/// name, so a masked secret can never make a recorded path point nowhere.
fn shot_name(ctx: &ScenarioContext<'_>, step: usize, kind: &str) -> String {
    format!(
        "s{}-a{}-{:02}-{kind}",
        ctx.scenario_index + 1,
        ctx.attempt,
        step + 1
    )
}

/// What a scenario carries from one step to the next.
struct StepState {
    /// The scenario's page, once a visit opened it: the page the steps read.
    page: Option<OpenPage>,
    /// Pages the steps no longer read, since a click opened a tab; closed
    /// with the scenario.
    left_behind: Vec<OpenPage>,
    /// The page being opened in the background, until the first visit.
    pending: Option<PendingPage>,
    /// What `header` and `json` steps read: the last `get` or `head`.
    last_response: Option<CapturedResponse>,
    /// The raw material of the scenario's trace, when traces are collected.
    trace: Option<ScenarioTraceData>,
}

async fn run_step(
    scenario: &Scenario,
    index: usize,
    ctx: &ScenarioContext<'_>,
    state: &mut StepState,
    check: &mut CheckResult,
) -> StepResult {
    let StepState {
        page,
        left_behind,
        pending,
        last_response,
        trace,
    } = state;
    match &scenario.steps[index] {
        Step::Http(h) => {
            let read_body = scenario.body_read_after(index);
            let (at, t0) = (chrono::Utc::now(), Instant::now());
            let out = http_check::run(ctx.http, ctx.base_url, h, ctx.nav_timeout, read_body).await;
            check.http_status = out.status;
            if let Some(t) = trace {
                // No browser sees a plain-HTTP step, so the trace notes it here.
                t.http.push(HttpRecord {
                    method: h.method.as_str().to_string(),
                    url: out.url.clone(),
                    at,
                    duration: t0.elapsed(),
                    status: out.status,
                    error: out.error.as_ref().map(ToString::to_string),
                    http_version: out.http_version.clone(),
                    server_ip: out.server_ip.clone(),
                });
            }
            *last_response = out.response;
            match out.error {
                None => StepResult::Passed,
                Some(e) => StepResult::failed(e),
            }
        }
        Step::Response(r) => match response_check::check(r, last_response.as_ref()) {
            Ok(()) => StepResult::Passed,
            Err(failure) => StepResult::Failed(failure),
        },
        Step::Visit(v) => {
            if page.is_none() {
                let opened = match (pending.take(), ctx.browser) {
                    (Some(p), _) => p.wait().await,
                    (None, Some(shared)) => {
                        let setup = PageSetup::new(scenario, ctx.signed_in.clone());
                        open_page(shared.clone(), ctx.trace.collects(), setup).await
                    }
                    (None, None) => Err("no browser was started for this run".into()),
                };
                match opened {
                    Ok(p) => *page = Some(p),
                    Err(e) => return StepResult::Broken(e),
                }
            }
            let open = page.as_ref().expect("page opened above");
            let result = tokio::select! {
                r = visit(open, ctx, v, index, check) => r,
                () = open.session.wait_lost() => StepResult::Broken("the browser went away mid-run".into()),
            };
            if let StepResult::Broken(_) = result {
                return result;
            }
            match screenshot::capture(
                &open.isolated.page,
                ctx.artifacts,
                &shot_name(ctx, index, "visit"),
            )
            .await
            {
                Ok(shot) => keep_shot(ctx, v.path.as_str(), shot, check),
                Err(e) => tracing::warn!("no screenshot of {}: {e}", v.path),
            }
            result
        }
        Step::Act(a) => {
            let setup = PageSetup::new(scenario, ctx.signed_in.clone());
            interact(a, index, ctx, &setup, page, left_behind, check).await
        }
        Step::Assert(a) => {
            let Some(open) = page.as_ref() else {
                return StepResult::Broken(
                    "no page is open (the spec checks before visiting)".into(),
                );
            };
            let outcome = tokio::select! {
                o = expect::check(&open.isolated.page, &open.watch, a, ctx.expect_timeout) => o,
                () = open.session.wait_lost() => ExpectOutcome::Broken("the browser went away mid-run".into()),
            };
            match outcome {
                ExpectOutcome::Passed => StepResult::Passed,
                ExpectOutcome::Failed(why) => {
                    failure_shot(open, ctx, index, check).await;
                    StepResult::Failed(why)
                }
                ExpectOutcome::Broken(why) => {
                    if open.session.is_lost().await {
                        StepResult::Broken(why)
                    } else {
                        failure_shot(open, ctx, index, check).await;
                        StepResult::failed(why)
                    }
                }
            }
        }
    }
}

/// Steps whose page records (refusals, page errors) are filed on their
/// check: a visit, and a click that opened a tab.
fn opens_document(step: &Step) -> bool {
    matches!(
        step,
        Step::Visit(_)
            | Step::Act(Action::Click(Click {
                opens_tab: true,
                ..
            }))
    )
}

/// An interaction (actions/): on the page, or on the tab a click opens,
/// which then becomes the page the later steps read.
async fn interact(
    action: &Action,
    index: usize,
    ctx: &ScenarioContext<'_>,
    setup: &PageSetup,
    page: &mut Option<OpenPage>,
    left_behind: &mut Vec<OpenPage>,
    check: &mut CheckResult,
) -> StepResult {
    let Some(open) = page.as_ref() else {
        return StepResult::Broken("no page is open (the spec acts before visiting)".into());
    };
    let cx = ActionContext {
        page: &open.isolated.page,
        watch: &open.watch,
        browser: open.session.guard().browser(),
        expect_timeout: ctx.expect_timeout,
        nav_timeout: ctx.nav_timeout,
    };
    let acted = tokio::select! {
        a = actions::act(&cx, action) => a,
        () = open.session.wait_lost() => Acted::Broken("the browser went away mid-run".into()),
    };
    let why = match acted {
        Acted::Done => return StepResult::Passed,
        Acted::OpenedTab(tab) => match follow_tab(open, tab, index, ctx, setup).await {
            Ok(opened) => {
                left_behind.extend(page.replace(opened));
                return StepResult::Passed;
            }
            Err(result) => result,
        },
        Acted::Failed(f) => StepResult::Failed(f),
        Acted::Broken(e) if open.session.is_lost().await => return StepResult::Broken(e),
        Acted::Broken(e) => StepResult::failed(e),
    };
    if let Some(open) = page.as_ref() {
        failure_shot(open, ctx, index, check).await;
    }
    why
}

/// The tab a click opened, watched as every page is, once it has loaded.
/// It gets the scenario's `use:` settings and session as soon as it exists:
/// the viewport, device metrics, colour scheme, time zone and touch hold
/// for every later step, but the tab's first request may already have left
/// with the browser's own user agent and language (docs/spec.md, `opens`).
async fn follow_tab(
    opener: &OpenPage,
    tab: chromiumoxide::Page,
    index: usize,
    ctx: &ScenarioContext<'_>,
    setup: &PageSetup,
) -> Result<OpenPage, StepResult> {
    setup
        .apply(&tab)
        .await
        .map_err(|e| StepResult::Broken(format!("could not set up the new tab: {e}")))?;
    let session = opener.session.clone();
    let watch = PageWatch::attach(
        &tab,
        opener.isolated.context_id(),
        session.guard(),
        ctx.trace.collects(),
    )
    .await
    .map_err(|e| StepResult::Broken(e.to_string()))?;
    watch.begin_visit(index, "");
    let opened = OpenPage {
        isolated: IsolatedPage::opened_tab(tab),
        watch,
        session,
    };
    match actions::tab_loaded(&opened.isolated.page, ctx.nav_timeout).await {
        Ok(()) => Ok(opened),
        Err(f) => {
            opened.session.close_page_later(opened.isolated);
            Err(StepResult::Failed(f))
        }
    }
}

async fn failure_shot(
    open: &OpenPage,
    ctx: &ScenarioContext<'_>,
    index: usize,
    check: &mut CheckResult,
) {
    let name = shot_name(ctx, index, "failure");
    match screenshot::capture(&open.isolated.page, ctx.artifacts, &name).await {
        Ok(shot) => keep_shot(ctx, "the failure", shot, check),
        Err(e) => tracing::warn!("no failure screenshot: {e}"),
    }
}

/// Files the screenshot on the check, and says so when it was capped.
fn keep_shot(ctx: &ScenarioContext<'_>, of: &str, shot: screenshot::Shot, check: &mut CheckResult) {
    if let Some(note) = shot.capped {
        ctx.events.emit(RunEvent::Note {
            scenario: check.scenario.clone(),
            text: format!("screenshot of {of} capped: {note}"),
        });
    }
    check.screenshot = Some(shot.path);
}

/// A page being opened in the background; aborted if the scenario is
/// dropped (a cancelled run), so it never outlives the run.
struct PendingPage(tokio::task::JoinHandle<Result<OpenPage, String>>);

impl PendingPage {
    async fn wait(mut self) -> Result<OpenPage, String> {
        (&mut self.0)
            .await
            .unwrap_or_else(|e| Err(format!("opening the page failed: {e}")))
    }
}

impl Drop for PendingPage {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn open_page(
    shared: SharedBrowser,
    trace: bool,
    setup: PageSetup,
) -> Result<OpenPage, String> {
    let session = shared.await?;
    let opened = async {
        let isolated = session
            .new_isolated_page()
            .await
            .map_err(|e| e.to_string())?;
        session
            .guard()
            .close_preload_doors(&isolated.page)
            .await
            .map_err(|e| e.to_string())?;
        setup.apply(&isolated.page).await?;
        let watch = PageWatch::attach(
            &isolated.page,
            isolated.context_id(),
            session.guard(),
            trace,
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok::<_, String>((isolated, watch))
    };
    let (isolated, watch) = tokio::select! {
        r = opened => r?,
        () = session.wait_lost() => return Err("the browser went away before the page opened".into()),
    };
    Ok(OpenPage {
        isolated,
        watch,
        session,
    })
}

/// How a navigation ended, before any status is looked at.
enum Navigated {
    /// A new document loaded.
    NewDocument,
    /// The URL only moved within the current document (a `#fragment`):
    /// Playwright's `goto` returns no response then, so nothing is `ok()`.
    SameDocument,
    /// Chrome aborted the main document's request: a 204 or 205, a
    /// download, a reset connection. Playwright's `goto` throws on it.
    Aborted(String),
    /// The visit downloaded more than the page cap (this many bytes) and
    /// was stopped.
    TooBig(u64),
}

/// `12.3 MiB`, `512 KiB`, `87 bytes`.
fn size(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MiB", b as f64 / MIB),
        b if b >= 1024 => format!("{:.0} KiB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

/// Resolves once the visit has downloaded more than it may: the page cap
/// for everything, [`MAX_DOCUMENT_BYTES`] for the document.
async fn over_cap(watch: &crate::page_watch::PageWatch, page_cap: u64) -> u64 {
    let document_cap = MAX_DOCUMENT_BYTES.min(page_cap);
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (page, document) = (watch.page_bytes(), watch.document_bytes());
        if page > page_cap || document > document_cap {
            return page;
        }
    }
}

/// Resolves with the error of the main frame's document request if it
/// fails. chromiumoxide's `goto` waits for a load that an aborted
/// navigation never reaches, so the abort must be watched for directly.
async fn document_aborted(
    page: &chromiumoxide::Page,
) -> Result<impl std::future::Future<Output = String> + use<>, String> {
    use chromiumoxide::cdp::browser_protocol::network::{
        EventLoadingFailed, EventRequestWillBeSent, ResourceType,
    };
    use futures::StreamExt;
    let main = page.mainframe().await.map_err(|e| e.to_string())?;
    let mut sent = page
        .event_listener::<EventRequestWillBeSent>()
        .await
        .map_err(|e| e.to_string())?;
    let mut failed = page
        .event_listener::<EventLoadingFailed>()
        .await
        .map_err(|e| e.to_string())?;
    Ok(async move {
        let mut documents = std::collections::HashSet::new();
        loop {
            tokio::select! {
                // A request is announced before it can fail; draining the
                // announcements first means no failure is missed.
                biased;
                Some(ev) = sent.next() => {
                    if ev.r#type == Some(ResourceType::Document)
                        && (main.is_none() || ev.frame_id == main)
                    {
                        documents.insert(ev.request_id.clone());
                    }
                }
                Some(ev) = failed.next() => {
                    if documents.contains(&ev.request_id) {
                        return ev.error_text.clone();
                    }
                }
                else => std::future::pending::<()>().await,
            }
        }
    })
}

/// `url` differs from the page's current URL only in its fragment.
fn same_document(current: Option<&str>, url: &str) -> bool {
    let Some((target, _)) = url.split_once('#') else {
        return false;
    };
    current.is_some_and(|c| c.split('#').next() == Some(target))
}

async fn visit(
    open: &OpenPage,
    ctx: &ScenarioContext<'_>,
    v: &prod_smoke_spec::Visit,
    index: usize,
    check: &mut CheckResult,
) -> StepResult {
    let path = v.path.as_str();
    let url = format!("{}{path}", ctx.base_url);
    let page = &open.isolated.page;
    let before = page.url().await.ok().flatten();
    let aborted = match document_aborted(page).await {
        Ok(f) => f,
        Err(e) => return StepResult::Broken(format!("cannot watch the navigation: {e}")),
    };
    open.watch.begin_visit(index, &url);
    let nav = tokio::time::timeout(ctx.nav_timeout, async {
        tokio::select! {
            r = page.goto(url.as_str()) => match r {
                Ok(_) if same_document(before.as_deref(), &url) => Ok(Navigated::SameDocument),
                Ok(_) => Ok(Navigated::NewDocument),
                Err(e) => Err(e.to_string()),
            },
            e = aborted => Ok(Navigated::Aborted(e)),
            n = over_cap(&open.watch, ctx.max_page_bytes) => Ok(Navigated::TooBig(n)),
        }
    })
    .await;
    // Chrome fails `goto` on an error status with an empty body, so the
    // status comes from Network.responseReceived; give a late event a moment.
    let mut status = open.watch.document_status();
    let deadline = Instant::now() + Duration::from_millis(500);
    while status.is_none() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(25)).await;
        status = open.watch.document_status();
    }
    check.http_status = status;
    if matches!(
        nav,
        Err(_) | Ok(Err(_)) | Ok(Ok(Navigated::Aborted(_) | Navigated::TooBig(_)))
    ) {
        // Nothing more of this navigation is wanted.
        let _ = page.execute(StopLoadingParams::default()).await;
    }
    // The guard fails a document over the cap while it arrives (guard.rs).
    let nav = match nav {
        Ok(Ok(Navigated::Aborted(_)))
            if open.watch.document_bytes() > MAX_DOCUMENT_BYTES.min(ctx.max_page_bytes) =>
        {
            Ok(Ok(Navigated::TooBig(
                open.watch.page_bytes().max(open.watch.document_bytes()),
            )))
        }
        other => other,
    };
    // Out of time with the response still coming in: say what did arrive,
    // not just "Request timed out".
    let timed_out = match &nav {
        Err(_) => true,
        Ok(Err(e)) => e.contains("timed out"),
        _ => false,
    };
    if timed_out && !open.session.is_lost().await {
        let within = ctx.nav_timeout.as_secs_f32();
        return StepResult::failed(match status {
            Some(s) => format!(
                "expected {path} to load within {within}s; its {s} response was still arriving: \
                 {} of its body came in {within}s (a trickling response)",
                size(open.watch.document_bytes())
            ),
            None => format!(
                "expected {path} to load within {within}s; no response arrived (not even its \
                 headers)"
            ),
        });
    }
    let nav = match nav {
        Err(_) => {
            if open.session.is_lost().await {
                return StepResult::Broken("the browser died during navigation".into());
            }
            return StepResult::failed(format!(
                "expected {path} to load within {}s, it did not finish",
                ctx.nav_timeout.as_secs_f32()
            ));
        }
        Ok(Err(e)) if open.session.is_lost().await => {
            return StepResult::Broken(format!("the browser died: {e}"));
        }
        Ok(Err(e)) => Navigated::Aborted(e),
        Ok(Ok(n)) => n,
    };
    // `status: N` asks for that status instead of a 2xx, so an error page
    // can be opened and its own title and text checked.
    let too_big = |n: u64| {
        StepResult::failed(format!(
            "expected {path} to stay under prod-smoke's cap of {} for a page and {} for its \
             document; it had downloaded {} (document {}) and was stopped",
            size(ctx.max_page_bytes),
            size(MAX_DOCUMENT_BYTES.min(ctx.max_page_bytes)),
            size(n),
            size(open.watch.document_bytes())
        ))
    };
    if let Some(want) = v.status {
        return match (nav, status) {
            // A stopped page is never the page that was asked for.
            (Navigated::TooBig(n), _) => too_big(n),
            (Navigated::SameDocument, _) => StepResult::failed(format!(
                "expected {path} to load a document, the browser only moved within the current page"
            )),
            (_, Some(s)) if s == want => StepResult::Passed,
            (_, Some(s)) => {
                StepResult::failed(format!("expected a {want} document for {path}, got {s}"))
            }
            (Navigated::Aborted(e), None) => StepResult::failed(format!(
                "expected a {want} document for {path}, the navigation failed: {}",
                net_error(&e)
            )),
            (Navigated::NewDocument, None) => StepResult::failed(format!(
                "expected a {want} document for {path}, no document response arrived"
            )),
        };
    }
    match (nav, status) {
        // A non-2xx status says more than the net error Chrome gives it.
        (Navigated::NewDocument | Navigated::Aborted(_), Some(s)) if !(200..300).contains(&s) => {
            StepResult::failed(format!("expected a 2xx document for {path}, got {s}"))
        }
        // Playwright's `goto` throws whenever Chrome aborts the navigation,
        // whatever the status: a 204 or 205 answers 2xx but commits no
        // page, and a download commits none either.
        (Navigated::Aborted(e), Some(s)) => StepResult::failed(format!(
            "expected {path} to open a page, the {s} response committed none ({})",
            net_error(&e)
        )),
        (Navigated::Aborted(e), None) => StepResult::failed(format!(
            "expected a 2xx document for {path}, the navigation failed: {}",
            net_error(&e)
        )),
        (Navigated::SameDocument, _) => StepResult::failed(format!(
            "expected {path} to load a document, the browser only moved within the current page"
        )),
        (Navigated::TooBig(n), _) => too_big(n),
        (Navigated::NewDocument, Some(_)) => StepResult::Passed,
        (Navigated::NewDocument, None) => StepResult::failed(format!(
            "expected a 2xx document for {path}, no document response arrived"
        )),
    }
}

/// Pulls `net::ERR_…` out of chromiumoxide's error text.
fn net_error(text: &str) -> String {
    text.split_whitespace()
        .find(|w| w.starts_with("net::ERR_"))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != ':')
                .to_string()
        })
        .unwrap_or_else(|| text.to_string())
}
