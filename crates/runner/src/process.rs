//! The Chromium child process: started in its own process group with a
//! fresh profile, and reaped (with every helper process it spawned) on every
//! exit path, including panics and cancellation.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::errors::RunnerError;

/// Flags every launch uses. chromiumoxide is not used to launch, because its
/// `.arg()` doubles leading dashes and it shares one profile dir between runs.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-quic",
    "--disable-crash-reporter",
    "--disable-breakpad",
    "--hide-scrollbars",
    "--mute-audio",
    // Start-up and background work a smoke run never needs.
    "--no-startup-window",
    "--disable-field-trial-config",
    "--disable-default-apps",
    "--disable-component-extensions-with-background-pages",
    "--disable-client-side-phishing-detection",
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-hang-monitor",
    "--disable-ipc-flooding-protection",
    "--disable-popup-blocking",
    "--disable-prompt-on-repost",
    "--metrics-recording-only",
    "--password-store=basic",
    "--use-mock-keychain",
    "--no-service-autorun",
    "--disable-search-engine-choice-screen",
    // One list: Chromium keeps only the last `--disable-features` it is given.
    // The last five are where a multi-scenario run's CPU went
    // (docs/benchmarks.md, "Speed at scale"):
    // - WebUIOmniboxPopup, WebUIOmniboxAimPopup: every browser context opens
    //   a window, and every window loaded two WebUI omnibox popups
    //   (chrome://omnibox-popup.top-chrome) in renderers of their own, about
    //   0.4 s of CPU per scenario for a popup nobody can open headless;
    // - SpareRendererForSitePerProcess: a spare renderer kept warm for the
    //   next context, started and thrown away again and again;
    // - RenderDocument: a new document (and often a new renderer) for every
    //   navigation; Playwright turns it off too;
    // - BackForwardCache: keeps each page alive, frozen, after the next visit;
    //   a smoke run never goes back.
    "--disable-features=Translate,MediaRouter,DialMediaRouteProvider,OptimizationHints,\
     CertificateTransparencyComponentUpdater,LensOverlay,HttpsUpgrades,PaintHolding,\
     AcceptCHFrame,GlobalMediaControls,LocalNetworkAccessChecks,\
     WebUIOmniboxPopup,WebUIOmniboxAimPopup,SpareRendererForSitePerProcess,RenderDocument,\
     BackForwardCache",
    // What one renderer's JavaScript may hold: a page past it crashes its
    // tab (and its check fails) instead of growing without bound.
    "--js-flags=--max-old-space-size=1024",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
];

/// The profile's `Default/Preferences`: "preload pages" off
/// (`network_prediction_options: 2`), so speculation-rules prefetch and
/// prerender, and every other speculative load, never start. The read-only
/// guard gives preloaded documents its policy anyway (guard.rs); this is the
/// second lock on a browser prod-smoke launches. On Chromium 156 the
/// preference works where `--disable-features=Prerender2,...` did not.
const PREFERENCES: &str = r#"{"net":{"network_prediction_options":2}}"#;

fn write_preferences(profile: &Path) -> std::io::Result<()> {
    let dir = profile.join("Default");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("Preferences"), PREFERENCES)
}

/// How long Chromium may take to print its DevTools endpoint.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Finds the browser: an explicit path, else `chromium` / `chromium-browser`
/// / `google-chrome` on PATH, else `/usr/bin/chromium`.
pub fn find_chromium(explicit: Option<&Path>) -> Result<PathBuf, RunnerError> {
    if let Some(p) = explicit {
        return if p.is_file() {
            Ok(unwrap_launcher(p))
        } else {
            Err(RunnerError::ChromiumNotFound {
                looked_for: p.display().to_string(),
            })
        };
    }
    const NAMES: &[&str] = &["chromium", "chromium-browser", "google-chrome"];
    NAMES
        .iter()
        .find_map(|n| which::which(n).ok())
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file()))
        .map(|p| unwrap_launcher(&p))
        .ok_or_else(|| RunnerError::ChromiumNotFound {
            looked_for: format!("{} on PATH and /usr/bin/chromium", NAMES.join(", ")),
        })
}

/// Debian's `/usr/bin/chromium` is a shell script that greps /proc/cpuinfo,
/// sweeps old crash reports and adds desktop flags before it execs the real
/// binary; going straight to the binary saves ~50 ms a run and keeps the
/// flags ours alone. Any other path is used as given.
fn unwrap_launcher(path: &Path) -> PathBuf {
    const DEBIAN_BINARY: &str = "/usr/lib/chromium/chromium";
    let script = launcher_script(path).unwrap_or_default();
    let is_debian_launcher = script.windows(24).any(|w| w == b"LIBDIR=/usr/lib/$APPNAME");
    if is_debian_launcher && Path::new(DEBIAN_BINARY).is_file() {
        PathBuf::from(DEBIAN_BINARY)
    } else {
        path.to_path_buf()
    }
}

/// The text of a shell-script launcher (at most its first 64 KiB; the
/// launcher is a few KB), or `None` for anything that does not start with
/// `#!`. A `--chromium` naming the real binary (hundreds of MB) is read
/// for its first two bytes only.
fn launcher_script(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).ok()?;
    let mut shebang = [0u8; 2];
    file.read_exact(&mut shebang).ok()?;
    if &shebang != b"#!" {
        return None;
    }
    let mut script = shebang.to_vec();
    file.take(64 * 1024 - 2).read_to_end(&mut script).ok()?;
    Some(script)
}

/// A running Chromium that is killed and reaped when dropped.
pub struct ChromiumProcess {
    child: Child,
    pgid: Pid,
    ws_url: String,
    // Dropped after the process is dead, so Chromium never writes into a
    // deleted profile.
    _profile: tempfile::TempDir,
}

impl ChromiumProcess {
    pub async fn launch(path: &Path) -> Result<ChromiumProcess, RunnerError> {
        let launch_err = |reason: String| RunnerError::Launch {
            path: path.to_path_buf(),
            reason,
        };
        let profile = tempfile::Builder::new()
            .prefix("prod-smoke-profile-")
            .tempdir()
            .map_err(|e| launch_err(format!("cannot create a profile dir: {e}")))?;
        write_preferences(profile.path())
            .map_err(|e| launch_err(format!("cannot write the profile's preferences: {e}")))?;
        // Chromium's helpers (zygote, crashpad) outlive its main process;
        // as a subreaper prod-smoke inherits and reaps them instead of
        // leaving zombies with an init that does not reap.
        let _ = nix::sys::prctl::set_child_subreaper(true);
        // Chromium puts its own temporary files (with --disable-dev-shm-usage,
        // the `org.chromium.Chromium.*` shared-memory folder) under TMPDIR
        // and leaves the folder behind; inside the profile, they go with it.
        let tmp = profile.path().join("tmp");
        std::fs::create_dir_all(&tmp)
            .map_err(|e| launch_err(format!("cannot create {}: {e}", tmp.display())))?;
        let mut cmd = Command::new(path);
        cmd.args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .env("TMPDIR", &tmp)
            .arg("--window-size=1280,720")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        die_with_parent(&mut cmd);
        let mut child = cmd.spawn().map_err(|e| launch_err(e.to_string()))?;
        let pid = child
            .id()
            .ok_or_else(|| launch_err("exited at once".into()))?;
        let pgid = Pid::from_raw(pid as i32);
        let stderr = child.stderr.take().expect("stderr is piped");
        let mut proc = ChromiumProcess {
            child,
            pgid,
            ws_url: String::new(),
            _profile: profile,
        };

        let (tx, rx) = tokio::sync::oneshot::channel();
        // Keeps draining stderr after the endpoint is found, or Chromium
        // blocks on a full pipe.
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            let mut tx = Some(tx);
            let mut tail = Vec::new();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.split("DevTools listening on ").nth(1) {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(Ok(url.trim().to_string()));
                    }
                } else {
                    tracing::trace!(target: "chromium", "{line}");
                    if tx.is_some() && tail.len() < 20 {
                        tail.push(line);
                    }
                }
            }
            if let Some(tx) = tx.take() {
                let _ = tx.send(Err(tail.join("\n")));
            }
        });
        // Helpers that inherit stderr can keep the pipe open after the
        // main process dies, so watch the process itself too.
        let started = tokio::select! {
            r = tokio::time::timeout(STARTUP_TIMEOUT, rx) => r,
            status = proc.child.wait() => {
                let status = status.map_or_else(|e| e.to_string(), |s| s.to_string());
                return Err(launch_err(format!("it exited before opening DevTools ({status})")));
            }
        };
        match started {
            Ok(Ok(Ok(url))) => {
                proc.ws_url = url;
                Ok(proc)
            }
            Ok(Ok(Err(stderr_tail))) => {
                let status = proc.child.try_wait().ok().flatten();
                Err(launch_err(format!(
                    "it exited before opening DevTools ({}): {}",
                    status.map_or("still running".into(), |s| s.to_string()),
                    stderr_tail.trim()
                )))
            }
            _ => Err(launch_err(format!(
                "no DevTools endpoint within {}s",
                STARTUP_TIMEOUT.as_secs()
            ))),
        }
    }

    pub fn ws_url(&self) -> &str {
        &self.ws_url
    }

    /// True once the browser process has exited.
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills the whole process group at once (the profile is throwaway, so
    /// there is nothing to save); reaping the main process and its helpers
    /// finishes in the background. Waiting for the group to die takes 30–60 ms that nothing after it
    /// needs (the reports and the seal only need the run's results), so it
    /// overlaps them, and [`finish_reaping`] waits for it before prod-smoke
    /// exits. If the runtime is torn down first, dropping the task drops the
    /// process, whose `Drop` kills and reaps synchronously.
    pub async fn shutdown(mut self) {
        let _ = killpg(self.pgid, Signal::SIGKILL);
        let task = tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
            let pgid = self.pgid;
            let _ = tokio::task::spawn_blocking(move || reap_group(pgid)).await;
        });
        REAPING.lock().expect("reaping list").push(task);
    }
}

/// Browsers killed by [`ChromiumProcess::shutdown`] and still being reaped.
static REAPING: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>> =
    std::sync::Mutex::new(Vec::new());

/// Waits until every browser this process killed is reaped, with its
/// helpers, so none is left behind as a zombie. Call before exiting.
pub async fn finish_reaping() {
    let tasks = std::mem::take(&mut *REAPING.lock().expect("reaping list"));
    for task in tasks {
        let _ = task.await;
    }
}

impl Drop for ChromiumProcess {
    fn drop(&mut self) {
        // Runs on panics and cancelled futures too: kill the group, then
        // reap the main process so it does not linger as a zombie.
        let _ = killpg(self.pgid, Signal::SIGKILL);
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                _ => break,
            }
        }
        reap_group(self.pgid);
    }
}

/// Has the kernel SIGKILL Chromium if prod-smoke itself dies without a
/// chance to clean up (SIGKILL, OOM): the one exit path no Drop or signal
/// handler sees. The death signal follows the spawning thread, which is a
/// runtime worker that lives until the runtime shuts down, after the
/// browser has been reaped.
#[allow(unsafe_code)]
fn die_with_parent(cmd: &mut Command) {
    // SAFETY: the closure runs in the child between fork and exec, where
    // only async-signal-safe calls are allowed; it makes a single prctl(2)
    // system call and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(std::io::Error::from)
        });
    }
}

/// Waits for every process left in Chromium's process group (after
/// SIGKILL) so none stays behind as a zombie. Bounded: gives up after 2 s.
fn reap_group(pgid: Pid) {
    let group = Pid::from_raw(-pgid.as_raw());
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match waitpid(group, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) => {
                if Instant::now() >= deadline {
                    return;
                }
                let _ = killpg(pgid, Signal::SIGKILL);
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(_) => {}
            Err(Errno::EINTR) => {}
            // ECHILD: nothing of the group is left to reap.
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_shebang_file_is_read_as_a_launcher() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("chromium");
        std::fs::write(
            &script,
            "#!/bin/sh\nLIBDIR=/usr/lib/$APPNAME\nexec \"$LIBDIR/$APPNAME\"\n",
        )
        .unwrap();
        let text = launcher_script(&script).expect("a script");
        assert!(text.starts_with(b"#!/bin/sh\nLIBDIR="));
        let binary = dir.path().join("binary");
        std::fs::write(&binary, b"\x7fELF\x02\x01\x01").unwrap();
        assert_eq!(launcher_script(&binary), None);
        assert_eq!(launcher_script(&dir.path().join("missing")), None);
        let one_byte = dir.path().join("one");
        std::fs::write(&one_byte, b"#").unwrap();
        assert_eq!(launcher_script(&one_byte), None);
    }
}
