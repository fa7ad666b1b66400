//! `fixture-site --port 0 --fault page-500 [--tls]`: serves the fixture site
//! until it is killed, for poking at by hand or from another process.

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

    /// Serve HTTPS with a self-signed certificate.
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
