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
mod progress;
mod readme;
mod sinks;
mod smoke;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

/// Every task: its name, its usage and what it does. The usage text, the
/// "did you mean" and the README's layout test all read this list.
pub const TASKS: &[(&str, &str, &str)] = &[
    (
        "smoke",
        "--fixture",
        "seal the bundled fixture site end to end (its own state, under target/fixture-demo)",
    ),
    (
        "smoke",
        "--app APP [--url U]",
        "seal APP's production URL (resolved from ./config)",
    ),
    (
        "test",
        "",
        "run every test (installs Chromium, finds or starts Postgres), then parity and pool",
    ),
    (
        "lint",
        "",
        "cargo fmt --check, clippy -D warnings, actionlint",
    ),
    (
        "dist",
        "[--profile P]",
        "release archive + .sha256 in target/dist (default: stripped release build)",
    ),
    (
        "bench",
        "[--pages N]",
        "prod-smoke vs Playwright on the fixture site (docs/benchmarks.md)",
    ),
    (
        "parity",
        "[--keep]",
        "same verdicts as Playwright on the edge-case pages (docs/spec.md)",
    ),
    (
        "pool",
        "[--keep]",
        "seals through a real browserless pool: full, wrong token, restarted",
    ),
];

fn usage() -> String {
    let mut s = String::from("usage: cargo xtask <task>\n\ntasks:\n");
    for (name, args, what) in TASKS {
        let call = format!("{name} {args}");
        s.push_str(&format!("  {call:<27}{what}\n"));
    }
    s
}

/// A mistake on the command line, found before anything is built: printed
/// with a hint, never with a backtrace, and exit 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// Fails with a [`Usage`] error.
#[macro_export]
macro_rules! usage_error {
    ($($arg:tt)*) => {
        return Err($crate::Usage(format!($($arg)*)).into())
    };
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast_ref::<Usage>() {
            Some(usage) => {
                eprintln!("xtask: {usage}\n(`cargo xtask help` lists the tasks)");
                ExitCode::from(2)
            }
            None => {
                // `{:?}`: the cause chain, and a backtrace only when asked for.
                eprintln!("xtask: {e:?}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::env::set_current_dir(workspace_root())?;
    let Some(task) = args.first() else {
        eprint!("{}", usage());
        usage_error!("no task given");
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
        "-h" | "--help" | "help" => {
            print!("{}", usage());
            Ok(())
        }
        other => {
            let names: Vec<&str> = TASKS.iter().map(|t| t.0).collect();
            match prod_smoke_suggest::did_you_mean(other, &names) {
                Some(near) => usage_error!("unknown task `{other}` (did you mean `{near}`?)"),
                None => {
                    eprint!("{}", usage());
                    usage_error!("unknown task `{other}`")
                }
            }
        }
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Builds the `prod-smoke` binary and the fixture site's, the pair every
/// task that seals the fixture site runs: `release` for the benchmark's
/// figures, the debug build (the one the tests use) otherwise.
pub fn build_binaries(release: bool) -> Result<()> {
    let mut build = std::process::Command::new(env!("CARGO"));
    build.arg("build");
    if release {
        build.arg("--release");
    }
    build.args(["-p", "prod-smoke-cli", "-p", "prod-smoke-fixture-site"]);
    progress::run(&mut build, "building prod-smoke and the fixture site")
}

/// Runs a command, echoing it and relaying its output with a sign of life
/// on every quiet stretch, and fails when it fails.
pub fn run_cmd(cmd: &mut std::process::Command) -> Result<()> {
    let what = format!("running {}", cmd.get_program().to_string_lossy());
    progress::run(cmd, &what)
}

/// Value of `--flag VALUE` in `args`.
pub fn flag_value<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}
