//! `fixture-site --port 0 --fault page-500 [--tls]`: serves the fixture site
//! until it is killed, for poking at by hand or from another process.
//! `--fault-at page-500@8s..17s` breaks it 8 s after start and heals it at
//! 17 s, for trying `prod-smoke watch` by hand.

use std::time::Duration;

use anyhow::Context as _;
use clap::Parser;
use prod_smoke_fixture_site::{Fault, FixtureOptions, FixtureSite};

/// Serves a loopback copy of the production app's public pages, with faults.
#[derive(Debug, Parser)]
#[command(name = "fixture-site", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// A fault to switch on; repeat it or separate names with commas.
    #[arg(long = "fault", value_name = "NAME", value_delimiter = ',')]
    faults: Vec<Fault>,

    /// A fault on a timer, counted from start: `NAME@START..END` (e.g.
    /// `page-500@8s..17s`), or `NAME@START..` to leave it on. Repeatable.
    #[arg(long = "fault-at", value_name = "NAME@START..END", value_parser = parse_fault_at)]
    fault_at: Vec<FaultAt>,

    /// Serve HTTPS with a self-signed certificate (HTTP/2 or HTTP/1.1, by ALPN).
    #[arg(long)]
    tls: bool,

    /// Do not send the POST beacon from pages.
    #[arg(long)]
    no_beacons: bool,

    /// Every page tries every write channel (fetch, XHR, beacon, form,
    /// WebSocket, iframes, workers, popup) on load.
    #[arg(long)]
    hostile: bool,

    /// Do not print each request to stderr.
    #[arg(long, short)]
    quiet: bool,

    /// List the faults and exit.
    #[arg(long)]
    list_faults: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.list_faults {
        for f in Fault::ALL {
            println!("{:<16} {}", f.as_str(), f.description());
        }
        return Ok(());
    }
    let site = FixtureSite::start(FixtureOptions {
        port: args.port,
        tls: args.tls,
        beacons: !args.no_beacons,
        hostile: args.hostile,
        faults: args.faults,
        echo_requests: !args.quiet,
        ..FixtureOptions::default()
    })
    .await
    .context("starting the fixture site")?;

    for at in &args.fault_at {
        site.schedule_fault(at.fault, at.on, at.off);
    }
    println!("listening on {}", site.base_url());
    let faults = site.faults();
    if !faults.is_empty() {
        let names: Vec<&str> = faults.iter().map(|f| f.as_str()).collect();
        eprintln!("faults: {}", names.join(", "));
    }

    wait_for_stop().await;
    site.shutdown().await;
    Ok(())
}

/// One `--fault-at`.
#[derive(Debug, Clone)]
struct FaultAt {
    fault: Fault,
    on: Duration,
    off: Option<Duration>,
}

fn parse_fault_at(text: &str) -> Result<FaultAt, String> {
    let bad = || format!("`{text}` is not NAME@START..END, e.g. page-500@8s..17s");
    let (name, window) = text.split_once('@').ok_or_else(bad)?;
    let (on, off) = window.split_once("..").ok_or_else(bad)?;
    let fault = name.parse::<Fault>().map_err(|e| e.to_string())?;
    let on = parse_offset(on).ok_or_else(bad)?;
    let off = match off.trim() {
        "" => None,
        off => Some(parse_offset(off).filter(|off| *off > on).ok_or_else(bad)?),
    };
    Ok(FaultAt { fault, on, off })
}

/// `500ms`, `8s`, `2m`, or plain seconds.
fn parse_offset(text: &str) -> Option<Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = number.parse().ok()?;
    Some(match unit {
        "ms" => Duration::from_millis(n),
        "" | "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.checked_mul(60)?),
        _ => return None,
    })
}

#[cfg(unix)]
async fn wait_for_stop() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_stop() {
    let _ = tokio::signal::ctrl_c().await;
}
