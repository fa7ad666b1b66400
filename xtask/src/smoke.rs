//! `cargo xtask smoke`: the main job, end to end.

use std::process::Command;

use anyhow::{Result, bail};

use crate::fixture::FixtureProcess;
use crate::flag_value;

pub fn run(args: &[String]) -> Result<()> {
    let chromium = crate::chromium::ensure()?;
    crate::build_binaries(false)?;
    let mut cmd = Command::new("target/debug/prod-smoke");
    cmd.arg("--chromium").arg(&chromium);
    if args.iter().any(|a| a == "--fixture") {
        let site = FixtureProcess::start("target/debug/fixture-site")?;
        eprintln!("fixture site: {}", site.url);
        cmd.args(["mcritchie-studio", "--url", &site.url]);
        let status = cmd.status()?;
        drop(site);
        return exit_like(status);
    }
    let Some(app) = flag_value(args, "--app") else {
        bail!("smoke needs --fixture or --app APP");
    };
    cmd.arg(app);
    if let Some(url) = flag_value(args, "--url") {
        cmd.args(["--url", url]);
    }
    exit_like(cmd.status()?)
}

/// Passes prod-smoke's exit code (0 green, 1 red, 2, 3) through.
fn exit_like(status: std::process::ExitStatus) -> Result<()> {
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => std::process::exit(code),
        None => bail!("prod-smoke was killed: {status}"),
    }
}
