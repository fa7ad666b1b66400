//! A plain Chromium with its DevTools port open, as a browser pool or an
//! operator's own browser would run it: the flags every launch here needs
//! and nothing of prod-smoke's own tuning.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::TestkitError;

/// Starts Chromium on a fresh `profile` with `--remote-debugging-port=0`
/// and returns it with its browser WebSocket URL. Its stderr keeps being
/// drained, so it never blocks on a full pipe; it dies with the `Child`.
pub async fn launch_debuggable(profile: &std::path::Path) -> Result<(Child, String), TestkitError> {
    let binary = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("chromium");
    let mut child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| TestkitError::Spawn {
            command: binary.into(),
            source,
        })?;
    let mut lines = BufReader::new(child.stderr.take().expect("piped")).lines();
    let found = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(ws) = line.strip_prefix("DevTools listening on ") {
                return Some(ws.trim().to_string());
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    let Some(ws) = found else {
        let _ = child.start_kill();
        return Err(TestkitError::Command {
            command: binary.into(),
            status: "no DevTools URL".into(),
            output: "Chromium did not print `DevTools listening on` within 30s".into(),
        });
    };
    // Keep draining stderr so Chromium never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, ws))
}
