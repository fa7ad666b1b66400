//! The watch of one release, over the engine: the one entry point a front
//! end calls ([`watch_release`]). It checks the input once, opens the
//! watch's folder (`artifacts/<app>-watch-<time>` unless `--artifacts`
//! names one), keeps one browser for every pass unless told otherwise,
//! listens for SIGINT/SIGTERM (signals.rs) and runs the loop ([`watch`])
//! over [`EnginePasses`]. What it has to say goes to a [`WatchOutput`].

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use prod_smoke_engine::{Engine, InputError, SealRequest};
use prod_smoke_runner::KeptBrowser;

use crate::engine_passes::EnginePasses;
use crate::log::WatchLog;
use crate::output::{WatchNote, WatchOutput};
use crate::policy::Policy;
use crate::run::{WatchReport, watch};
use crate::schedule::Schedule;
use crate::signals::Signals;

/// How a release is watched, beside the seal's own request: the watch's
/// own flags, which a front end flattens beside the seal's.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct WatchSettings {
    #[command(flatten)]
    pub schedule: Schedule,
    #[command(flatten)]
    pub policy: Policy,
    /// Launch a browser for each pass instead of keeping one for the whole
    /// watch (to measure the difference: `cargo xtask bench --watch`).
    #[arg(long, hide = true)]
    pub browser_per_pass: bool,
}

/// A watch that ran: which app, and how it went.
#[derive(Debug, Clone)]
pub struct WatchedRelease {
    pub app: String,
    pub url: String,
    pub report: WatchReport,
}

/// Watches the release `request` names. `Err` is bad input, found before
/// anything ran. `request.deadline` bounds each pass, not the watch:
/// every pass prepares again.
pub async fn watch_release<O: WatchOutput>(
    mut request: SealRequest,
    settings: WatchSettings,
    out: O,
) -> Result<WatchedRelease, InputError> {
    let out = Arc::new(out);
    let prepared = Engine::prepare(request.clone())?;
    let (app, url) = (prepared.target().app.clone(), prepared.target().url.clone());
    let redactor = prepared.redactor().clone();
    drop(prepared);
    let root = request
        .artifacts
        .take()
        .unwrap_or_else(|| default_root(&app));
    out.note(WatchNote::Began {
        app: &app,
        schedule: settings.schedule,
        policy: settings.policy,
        root: &root,
    });
    let browser = if settings.browser_per_pass {
        None
    } else {
        KeptBrowser::new(
            request.browser.chromium.clone(),
            request.browser.cdp_url.as_deref(),
        )
    };
    let signals = Signals::listen(out.clone());
    let mut passes = EnginePasses {
        request,
        log: WatchLog::new(root.clone()),
        browser,
        watch_id: None,
        redactor,
        cut: signals.cut.clone(),
        out,
    };
    let stop = Signals::stopped(signals.stop);
    let report = watch(settings.schedule, settings.policy, &root, &mut passes, stop).await;
    passes.close().await;
    Ok(WatchedRelease { app, url, report })
}

/// `artifacts/<app>-watch-<time>`: one folder per watch, in UTC so two
/// runners name the same moment alike.
fn default_root(app: &str) -> PathBuf {
    PathBuf::from("artifacts").join(format!(
        "{app}-watch-{}",
        Utc::now().format("%Y%m%dT%H%M%SZ")
    ))
}
