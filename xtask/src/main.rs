//! `cargo xtask <task>`: the project's automation, in Rust. Each task is a
//! module; this file parses flags, moves to the workspace root and
//! dispatches.

mod bench;
mod chromium;
mod dist;
mod fixture;
mod lint;
mod parity;
mod pool;
mod postgres;
mod realapp;
mod sinks;
mod smoke;
mod test;

use std::path::PathBuf;

use anyhow::{Result, bail};

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  smoke --fixture            seal the bundled fixture site end to end
  smoke --app APP [--url U]  seal APP's production URL (resolved from ./config)
  test                       run every test (installs Chromium, finds or starts Postgres), then parity and pool
  lint                       cargo fmt --check, clippy -D warnings, actionlint
  dist [--profile P]         release archive + .sha256 in target/dist (default: stripped release build)
  bench [--pages N]          prod-smoke vs Playwright on the fixture site (docs/benchmarks.md)
  parity [--keep]            same verdicts as Playwright on the edge-case pages (docs/spec.md)
  pool [--keep]              seals through a real browserless pool: full, wrong token, restarted
  realapp [--keep]           seals JupyterLab (from PyPI) on loopback: green, and its log shows no write, no WebSocket
";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::env::set_current_dir(workspace_root())?;
    let Some(task) = args.first() else {
        eprint!("{USAGE}");
        bail!("no task given");
    };
    let rest = &args[1..];
    match task.as_str() {
        "smoke" => smoke::run(rest),
        "test" => test::run(rest),
        "lint" => lint::run(rest),
        "bench" => bench::run(rest),
        "dist" => dist::run(rest),
        "parity" => parity::run(rest),
        "pool" => pool::run(rest),
        "realapp" => realapp::run(rest),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => {
            eprint!("{USAGE}");
            bail!("unknown task `{other}`")
        }
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Runs a command, echoing it, and fails when it fails.
/// Builds the `prod-smoke` binary and the fixture site's, the pair every
/// task that seals the fixture site runs: `release` for the benchmark's
/// figures, the debug build (the one the tests use) otherwise.
pub fn build_binaries(release: bool) -> Result<()> {
    let mut build = std::process::Command::new(env!("CARGO"));
    build.arg("build");
    if release {
        build.arg("--release");
    }
    build.args([
        "--quiet",
        "-p",
        "prod-smoke-cli",
        "-p",
        "prod-smoke-fixture-site",
    ]);
    run_cmd(&mut build)
}

pub fn run_cmd(cmd: &mut std::process::Command) -> Result<()> {
    eprintln!("$ {}", display(cmd));
    let status = cmd.status()?;
    if !status.success() {
        bail!("`{}` failed: {status}", display(cmd));
    }
    Ok(())
}

fn display(cmd: &std::process::Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Value of `--flag VALUE` in `args`.
pub fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}
