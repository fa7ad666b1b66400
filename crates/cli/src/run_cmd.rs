//! The seal run: flags to a [`SealRequest`], the engine's events to
//! `prod_smoke_console`'s renderer, the outcome to an exit code and, with
//! `--json`, the console's object on stdout.

use prod_smoke_console::{render_events, seal_json};
use prod_smoke_engine::{Engine, EngineEvents, SealRequest};

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

/// The engine's request, with the CLI's exit codes for heartbeat.log.
pub(crate) fn request(args: RunArgs) -> SealRequest {
    SealRequest {
        exit_code: exit::of,
        ..args.request
    }
}
