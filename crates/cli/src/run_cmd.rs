//! The seal run: flags to a [`SealRequest`], the engine's events to
//! `prod_smoke_console`'s renderer, the outcome to an exit code and, with
//! `--json`, the console's object on stdout.

use std::time::Duration;

use prod_smoke_console::{render_events, seal_json};
use prod_smoke_engine::{
    BrowserSettings, Engine, EngineEvents, RunSettings, SealRequest, SealSettings,
};

use crate::args::RunArgs;
use crate::exit;

pub async fn run(args: RunArgs) -> u8 {
    let json = args.json;
    let prepared = match Engine::prepare(request(args)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("prod-smoke: {e}");
            return exit::BAD_INPUT;
        }
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let printer = tokio::spawn(render_events(rx, prepared.redactor().clone()));
    let events = EngineEvents::new(tx);
    let outcome = prepared.seal(&events).await;
    drop(events);
    let _ = printer.await;
    if json {
        println!("{}", seal_json(&outcome));
    }
    exit::of(outcome.outcome)
}

pub(crate) fn request(a: RunArgs) -> SealRequest {
    SealRequest {
        app: a.app,
        url: a.url,
        config_dir: a.config_dir,
        allow_http: a.allow_http,
        spec: a.spec,
        grep: a.grep,
        block_urls: a.block_url,
        artifacts: a.artifacts,
        repo: a.repo,
        canary: a.canary,
        deadline: a.deadline,
        run: RunSettings {
            retries: a.retries,
            retry_delay: Duration::from_secs(a.retry_delay),
            timeout_secs: a.timeout,
            expect_timeout_secs: a.expect_timeout,
            workers: a.workers,
            trace: a.trace.into(),
            max_page_mb: a.max_page_mb,
            allow_websockets: a.allow_websockets,
            strict_page_errors: a.strict_page_errors,
            storage_state: a.storage_state.map(std::sync::Arc::new),
        },
        browser: BrowserSettings {
            chromium: a.chromium,
            cdp_url: a.cdp_url,
            pool_budget_secs: a.pool_budget,
        },
        seal: SealSettings {
            ledger: a.seal.ledger,
            delivery_attempts: a.seal.delivery.delivery_attempts,
            release: a.seal.release,
            sha: a.seal.sha,
            notes_message_id: a.seal.notes_message_id,
        },
        exit_code: exit::of,
    }
}
