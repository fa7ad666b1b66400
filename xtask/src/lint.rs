//! `cargo xtask lint`: formatting, clippy and actionlint on the workflows.

use std::process::Command;

use anyhow::Result;

pub fn run(_args: &[String]) -> Result<()> {
    crate::run_cmd(Command::new(env!("CARGO")).args(["fmt", "--all", "--", "--check"]))?;
    crate::run_cmd(Command::new(env!("CARGO")).args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    Ok(())
}
