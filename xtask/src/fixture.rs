//! The fixture site as a child process, shared by `smoke --fixture` and
//! `bench`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result};

/// A running `fixture-site` binary, killed and reaped on drop.
pub struct FixtureProcess {
    child: Child,
    pub url: String,
}

impl FixtureProcess {
    /// Starts `binary` (e.g. `target/debug/fixture-site`) on a free port
    /// and waits for its `listening on <url>` line.
    pub fn start(binary: &str) -> Result<Self> {
        Self::start_with_faults(binary, "")
    }

    /// The same, with `faults` (comma-separated `--fault` names) switched on.
    pub fn start_with_faults(binary: &str, faults: &str) -> Result<Self> {
        let mut cmd = Command::new(binary);
        cmd.args(["--port", "0", "--quiet"]);
        if !faults.is_empty() {
            cmd.args(["--fault", faults]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {binary}"))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .map(str::to_string)
            .with_context(|| format!("fixture-site said {line:?}"))?;
        Ok(FixtureProcess { child, url })
    }
}

impl Drop for FixtureProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
