//! Running an external tool with a time limit and captured output.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct Ran {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Runs `cmd` with no stdin (a tool that prompts fails instead of hanging)
/// and kills it after `limit`.
pub(crate) fn run(mut cmd: Command, limit: Duration) -> Result<Ran, String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    // Read both pipes while waiting, so a chatty tool never blocks on a full pipe.
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {}s", limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(e.to_string()),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default())
        .trim()
        .to_string();
    Ok(Ran {
        code: status.code(),
        stdout,
        stderr,
    })
}

/// `<cli> releases --app <app> --json`, read-only, as a JSON list: the
/// first of `binaries` found on `path` (else `$PATH`) is run under `limit`.
/// Errors name the CLI as `cli`, whichever binary ran.
pub(crate) fn releases_json(
    cli: &str,
    binaries: &[&str],
    app: &str,
    path: Option<&std::ffi::OsStr>,
    limit: Duration,
) -> Result<Vec<serde_json::Value>, String> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("/"));
    let found = binaries.iter().find_map(|name| match path {
        Some(p) => which::which_in(name, Some(p), &cwd).ok(),
        None => which::which(name).ok(),
    });
    let binary = found.ok_or_else(|| format!("the {cli} CLI is not on PATH"))?;
    let mut cmd = Command::new(&binary);
    cmd.args(["releases", "--app", app, "--json"]);
    if let Some(p) = path {
        cmd.env("PATH", p);
    }
    let ran = run(cmd, limit).map_err(|e| format!("{cli} releases: {e}"))?;
    if ran.code != Some(0) {
        let why = ran.stderr.lines().last().unwrap_or("no message");
        return Err(format!("`{cli} releases --app {app}` failed: {why}"));
    }
    serde_json::from_slice(&ran.stdout)
        .map_err(|e| format!("`{cli} releases --json` printed no release list: {e}"))
}
