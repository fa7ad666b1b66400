//! One browser per run: launched (and always reaped) or borrowed from a
//! remote pool through `--cdp-url` (and left running).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams, DisposeBrowserContextParams,
};
use chromiumoxide::error::CdpError;
use chromiumoxide::handler::HandlerConfig;
use chromiumoxide::handler::viewport::Viewport;
use chromiumoxide::{Browser, Page};
use futures::StreamExt;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use crate::errors::RunnerError;
use crate::guard::BrowserGuard;
use crate::process::ChromiumProcess;

/// Where the browser comes from.
#[derive(Debug, Clone)]
pub enum BrowserSource {
    /// Launch this Chromium binary with a fresh profile.
    Launch(std::path::PathBuf),
    /// Connect to an already-running browser (`ws://...` or `http://host:port`).
    Connect(String),
}

/// How long the DevTools handshake may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

pub struct BrowserSession {
    browser: Arc<Browser>,
    guard: BrowserGuard,
    handler: JoinHandle<()>,
    lost: Arc<AtomicBool>,
    lost_signal: tokio::sync::watch::Receiver<bool>,
    watchdog: JoinHandle<()>,
    process: Arc<Mutex<Option<ChromiumProcess>>>,
    /// Pages of finished scenarios being closed (see [`Self::close_page_later`]).
    closing: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

/// A page in its own browser context, so scenarios share no cookies or cache.
pub struct IsolatedPage {
    pub page: Page,
    context: Option<chromiumoxide::cdp::browser_protocol::browser::BrowserContextId>,
}

impl IsolatedPage {
    /// A tab a scenario's page opened. It shares the opener's context,
    /// which is disposed of with the opener, so closing it closes the tab only.
    pub(crate) fn opened_tab(page: Page) -> Self {
        IsolatedPage {
            page,
            context: None,
        }
    }

    /// The page's own browser context, as the browser names it.
    pub(crate) fn context_id(&self) -> Option<String> {
        self.context.as_ref().map(|c| c.as_ref().to_string())
    }
}

impl BrowserSession {
    /// `pool_budget` bounds the waits while a remote pool answers busy.
    /// `reconnect`: a browser of this run was lost, so a pool that refuses
    /// connections is waited for like a busy one (it is restarting).
    pub async fn start(
        source: &BrowserSource,
        request_timeout: Duration,
        pool_budget: Duration,
        reconnect: bool,
    ) -> Result<Self, RunnerError> {
        let config = HandlerConfig {
            // Certificate errors must fail the check, as they would for a user.
            ignore_https_errors: false,
            viewport: Some(Viewport {
                width: 1280,
                height: 720,
                ..Viewport::default()
            }),
            request_timeout,
            ..HandlerConfig::default()
        };
        let (process, (browser, mut handler)) = match source {
            BrowserSource::Launch(path) => {
                let p = ChromiumProcess::launch(path).await?;
                let endpoint = p.ws_url().to_string();
                let connect = Browser::connect_with_config(endpoint.clone(), config);
                let connected = tokio::time::timeout(CONNECT_TIMEOUT, connect)
                    .await
                    .map_err(|_| RunnerError::Connect {
                        endpoint: endpoint.clone(),
                        reason: format!("no answer within {}s", CONNECT_TIMEOUT.as_secs()),
                    })?
                    .map_err(|e| RunnerError::Connect {
                        endpoint: endpoint.clone(),
                        reason: e.to_string(),
                    })?;
                (Some(p), connected)
            }
            BrowserSource::Connect(url) => {
                let refused = if reconnect {
                    crate::pool::Refused::Restarting
                } else {
                    crate::pool::Refused::Fatal
                };
                let connected = crate::pool::connect(url, config, pool_budget, refused).await?;
                (None, connected)
            }
        };
        let lost = Arc::new(AtomicBool::new(false));
        let (lost_tx, lost_signal) = tokio::sync::watch::channel(false);
        let lost_tx = Arc::new(lost_tx);
        let mark_lost = {
            let (lost, lost_tx) = (lost.clone(), lost_tx.clone());
            move || {
                lost.store(true, Ordering::SeqCst);
                let _ = lost_tx.send(true);
            }
        };
        // The handler must be polled for the browser's whole life, or every
        // command stalls. A socket-level error means the browser is gone:
        // the handler may keep yielding errors rather than end.
        let on_handler_end = mark_lost.clone();
        let handler = tokio::spawn(async move {
            while let Some(event) = handler.next().await {
                match event {
                    Err(CdpError::Ws(e)) => {
                        tracing::debug!("browser connection lost: {e}");
                        break;
                    }
                    Err(e) => tracing::trace!("cdp handler: {e}"),
                    Ok(()) => {}
                }
            }
            on_handler_end();
        });
        let process = Arc::new(Mutex::new(process));
        let browser = Arc::new(browser);
        // On before any page exists, so nothing a page starts escapes it.
        let guard = match BrowserGuard::start(browser.clone()).await {
            Ok(g) => g,
            Err(e) => {
                handler.abort();
                if let Some(p) = process.lock().await.take() {
                    p.shutdown().await;
                }
                return Err(e);
            }
        };
        // A killed browser can leave its socket half-open; watch the
        // process itself as well.
        let watchdog = tokio::spawn({
            let process = process.clone();
            async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let exited = match process.lock().await.as_mut() {
                        Some(p) => p.has_exited(),
                        None => return,
                    };
                    if exited {
                        tracing::debug!("the browser process exited");
                        mark_lost();
                        return;
                    }
                }
            }
        });
        Ok(BrowserSession {
            browser,
            guard,
            handler,
            watchdog,
            lost,
            lost_signal,
            process,
            closing: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// The browser-wide read-only guard.
    pub fn guard(&self) -> &BrowserGuard {
        &self.guard
    }

    /// True when the connection to the browser dropped or the launched
    /// process died: every failure after that is prod-smoke's, not the site's.
    pub async fn is_lost(&self) -> bool {
        if self.lost.load(Ordering::SeqCst) {
            return true;
        }
        match self.process.lock().await.as_mut() {
            Some(p) => p.has_exited(),
            None => false,
        }
    }

    /// Resolves when the connection to the browser drops, so a step in
    /// flight fails at once instead of waiting out its timeout.
    pub async fn wait_lost(&self) {
        let mut rx = self.lost_signal.clone();
        let _ = rx.wait_for(|lost| *lost).await;
    }

    pub async fn new_isolated_page(&self) -> Result<IsolatedPage, RunnerError> {
        let cdp = |e: chromiumoxide::error::CdpError| RunnerError::Cdp(e.to_string());
        let context = self
            .browser
            .create_browser_context(CreateBrowserContextParams::default())
            .await
            .map_err(cdp)?;
        let params = CreateTargetParams::builder()
            .url("about:blank")
            .browser_context_id(context.clone())
            .build()
            .map_err(RunnerError::Cdp)?;
        let page = self.browser.new_page(params).await.map_err(cdp)?;
        Ok(IsolatedPage {
            page,
            context: Some(context),
        })
    }

    pub async fn close_page(&self, page: IsolatedPage) {
        if self.lost.load(Ordering::SeqCst) {
            return;
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), page.page.close()).await;
        if let Some(id) = page.context {
            let _ = tokio::time::timeout(
                Duration::from_secs(5),
                self.browser.execute(DisposeBrowserContextParams::new(id)),
            )
            .await;
        }
    }

    /// Closes a finished scenario's page and context without holding the
    /// scenario up: the last scenario's close (about 30 ms) was on the
    /// run's critical path, only for the browser to be killed right after.
    pub fn close_page_later(self: &Arc<Self>, page: IsolatedPage) {
        let session = self.clone();
        let task = tokio::spawn(async move { session.close_page(page).await });
        self.closing.lock().expect("closing pages").push(task);
    }

    /// Ends the session. A launched browser is closed and reaped, and pages
    /// still closing are dropped with it; a borrowed one is left running,
    /// after its pages and contexts are closed, so the pool keeps none.
    pub async fn close(&self) {
        self.watchdog.abort();
        let closing = std::mem::take(&mut *self.closing.lock().expect("closing pages"));
        let process = self.process.lock().await.take();
        if let Some(process) = process {
            closing.iter().for_each(JoinHandle::abort);
            process.shutdown().await;
        } else {
            for task in closing {
                let _ = task.await;
            }
        }
        self.handler.abort();
    }
}

impl Drop for BrowserSession {
    fn drop(&mut self) {
        // Cancelled runs never reach close(); ChromiumProcess's own Drop
        // kills and reaps the browser once the watchdog lets go of it.
        self.handler.abort();
        self.watchdog.abort();
    }
}

/// Resolves the binary for a launch, or passes the endpoint through.
pub fn browser_source(
    chromium: Option<&Path>,
    cdp_url: Option<&str>,
) -> Result<BrowserSource, RunnerError> {
    match cdp_url {
        Some(url) => Ok(BrowserSource::Connect(url.to_string())),
        None => crate::process::find_chromium(chromium).map(BrowserSource::Launch),
    }
}
