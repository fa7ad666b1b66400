//! `prod-smoke watch [APP] --every 5m --for 1h`: the seal, then the same
//! suite again and again, amending the seal only on a confirmed change.
//! The watch is `prod_smoke_watch::watch_release`'s and what a person sees
//! is `prod_smoke_console`'s; this file maps flags in and the verdict out.

use prod_smoke_console::{WatchConsole, summarise, watch_json};
use prod_smoke_watch::watch_release;

use crate::args::WatchArgs;
use crate::{exit, run_cmd};

pub async fn run(args: WatchArgs) -> u8 {
    let json = args.run.json;
    let request = run_cmd::request(args.run);
    let watched = match watch_release(request, args.watch, WatchConsole).await {
        Ok(watched) => watched,
        Err(e) => {
            eprintln!("prod-smoke: {e}");
            return exit::BAD_INPUT;
        }
    };
    summarise(&watched.report);
    if json {
        println!("{}", watch_json(&watched));
    }
    exit::of_watch(watched.report.verdict())
}
