//! `cargo xtask <task>`: the project's automation, in Rust. Each task is a
//! module; this file parses flags, moves to the workspace root and
//! dispatches.

mod bench;
mod chromium;
mod dist;
mod fixture;
mod import_circles;
mod lint;
mod parity;
mod pool;
mod postgres;
mod progress;
mod readme;
mod realapp;
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
        "cargo fmt --check, clippy -D warnings, no import circles, actionlint",
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
    (
        "realapp",
        "[--keep]",
        "seals JupyterLab (from PyPI) on loopback: green, and its log shows no write, no WebSocket",
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
        "realapp" => realapp::run(rest),
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

/// What `cargo run` sets for the xtask process itself. A nested cargo must
/// not inherit them: build scripts that watch one (ring watches
/// `CARGO_MANIFEST_DIR`) would rerun, and everything above them (rustls,
/// sqlx, every prod-smoke crate) would be rebuilt, here and again at the
/// next `cargo build` from a shell: minutes each time on a 2-core box.
const RUN_ENV: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
];

/// `cargo`, the one that runs xtask, with none of xtask's own run
/// environment ([`RUN_ENV`], `CARGO_PKG_*`).
pub fn cargo() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if RUN_ENV.contains(&name.as_ref()) || name.starts_with("CARGO_PKG_") {
            cmd.env_remove(name.as_ref());
        }
    }
    cmd
}

/// Builds the `prod-smoke` binary and the fixture site's, the pair every
/// task that seals the fixture site runs: `release` for the benchmark's
/// figures, the debug build (the one the tests use) otherwise.
pub fn build_binaries(release: bool) -> Result<()> {
    let mut build = cargo();
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

#[cfg(test)]
mod tests {
    /// Under `cargo test`, as under `cargo run`, CARGO_MANIFEST_DIR is set;
    /// the nested cargo must not see it.
    #[test]
    fn nested_cargo_drops_the_run_environment() {
        assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
        let cmd = super::cargo();
        let removed: Vec<_> = cmd
            .get_envs()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert!(
            removed.iter().any(|k| k == "CARGO_MANIFEST_DIR"),
            "{removed:?}"
        );
        assert!(removed.iter().any(|k| k == "CARGO_PKG_NAME"), "{removed:?}");
        assert!(!removed.iter().any(|k| k == "CARGO_HOME"), "{removed:?}");
    }
}
