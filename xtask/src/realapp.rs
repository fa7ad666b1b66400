//! `cargo xtask realapp`: prod-smoke on a real third-party app that writes
//! when a page opens. JupyterLab (pinned with every dependency in
//! `tools/realapp/requirements.lock`, installed from PyPI into
//! `target/realapp/venv`) serves a notebook on loopback only, with its own
//! request log at DEBUG level, which logs every request it answers. Opening
//! the notebook starts a kernel (`POST /api/sessions`), connects to it over
//! a WebSocket and saves its workspace.
//!
//! 1. The control: plain headless Chromium opens the notebook, and the
//!    server's log must show the writes and the WebSocket, or the zeros
//!    below would prove nothing.
//! 2. The real prod-smoke binary seals the same page with `no_page_errors`:
//!    it must be green, name what it refused, file the errors the refusals
//!    caused under them, and the server's log must show no write and no
//!    WebSocket.
//!
//! Too slow for CI's budget (the install alone takes minutes), so it is a
//! task of its own, named in the README.

use std::io::Read as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::Value;

const DIR: &str = "tools/realapp";
const VENV: &str = "target/realapp/venv";
const NOTEBOOK: &str = "smoke.ipynb";
/// The rendered markdown cell the spec waits for.
const MARKER: &str = "Smoke marker heading";

const SPEC: &str = r#"suite: realapp
scenarios:
  - name: the notebook opens clean
    tags: ["@qa-readonly"]
    steps:
      - visit: /lab/tree/smoke.ipynb
      - text: Smoke marker heading
        in: body
        timeout: 90s
      - no_page_errors: true
"#;

pub fn run(args: &[String]) -> Result<()> {
    let keep = args.iter().any(|a| a == "--keep");
    if let Some(other) = args.iter().find(|a| *a != "--keep") {
        bail!("realapp: unknown argument `{other}` (it takes only --keep)");
    }
    let chromium = crate::chromium::ensure()?;
    ensure_venv()?;
    crate::build_binaries(false)?;
    let tmp = std::env::temp_dir().join(format!("prod-smoke-realapp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let result = (|| {
        let control = {
            let lab = Lab::start(&tmp.join("control"))?;
            plain_chromium(&chromium, &lab.url(), &tmp.join("control"))?;
            lab.stop()?
        };
        let c = Traffic::of(&control);
        eprintln!(
            "realapp: plain Chromium: {} requests, {} writes, {} WebSockets",
            c.requests,
            c.writes.len(),
            c.websockets
        );
        ensure!(
            !c.writes.is_empty() && c.websockets > 0,
            "the control saw no write or no WebSocket, so it proves nothing; log: {}",
            tmp.join("control/server.log").display()
        );

        let dir = tmp.join("sealed");
        let lab = Lab::start(&dir)?;
        let started = Instant::now();
        let out = seal(&chromium, &lab.url(), &dir)?;
        let took = started.elapsed();
        let log = lab.stop()?;
        let t = Traffic::of(&log);
        eprintln!(
            "realapp: prod-smoke: exit {:?} in {:.1}s; {} requests reached the app, {} writes, {} WebSockets",
            out.status.code(),
            took.as_secs_f64(),
            t.requests,
            t.writes.len(),
            t.websockets
        );
        ensure!(t.requests > 0, "the app's log shows no request at all");
        ensure!(
            t.writes.is_empty() && t.websockets == 0,
            "writes reached the app: {:#?}, WebSockets: {}",
            t.writes,
            t.websockets
        );
        let results: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("artifacts/results.json")).context("results.json")?,
        )?;
        let blocked: Vec<&Value> = results["checks"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|c| c["blocked_requests"].as_array().into_iter().flatten())
            .collect();
        let caused = blocked
            .iter()
            .map(|b| b["caused"].as_array().map_or(0, Vec::len))
            .sum::<usize>();
        eprintln!(
            "realapp: {} requests refused, {} errors filed as caused by the guard",
            blocked.len(),
            caused
        );
        for b in &blocked {
            eprintln!(
                "  refused {} {} ({}), caused {}",
                b["method"].as_str().unwrap_or(""),
                b["url"].as_str().unwrap_or(""),
                b["channel"].as_str().unwrap_or(""),
                b["caused"].as_array().map_or(0, Vec::len)
            );
        }
        ensure!(
            out.status.code() == Some(0),
            "expected a green seal (exit 0), got {:?}; stderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        ensure!(!blocked.is_empty(), "prod-smoke named no refused request");
        ensure!(
            caused > 0,
            "no error was filed as caused by the guard, yet the app logs its failed save"
        );
        Ok(())
    })();
    if result.is_ok() && !keep {
        let _ = std::fs::remove_dir_all(&tmp);
    } else {
        eprintln!("kept {} (server logs, artifacts)", tmp.display());
    }
    result
}

/// The venv with the locked packages, made once.
fn ensure_venv() -> Result<()> {
    if Path::new(VENV).join("bin/jupyter-lab").is_file() {
        return Ok(());
    }
    crate::run_cmd(Command::new("python3").args(["-m", "venv", VENV])).context(
        "python3 with venv is needed; install it (e.g. `apt-get install -y python3 python3-venv`)",
    )?;
    crate::run_cmd(Command::new(Path::new(VENV).join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "-r",
        &format!("{DIR}/requirements.lock"),
    ]))
}

/// A JupyterLab server on a free loopback port, with its own config, data
/// and runtime folders, and its log in `dir/server.log`.
struct Lab {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Lab {
    fn start(dir: &Path) -> Result<Lab> {
        let root = dir.join("root");
        std::fs::create_dir_all(&root)?;
        std::fs::write(root.join(NOTEBOOK), notebook())?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = std::fs::File::create(dir.join("server.log"))?;
        let home = dir.join("home");
        let child = Command::new(Path::new(VENV).join("bin/jupyter-lab"))
            .args([
                "--no-browser",
                "--ip=127.0.0.1",
                &format!("--port={port}"),
                "--port-retries=0",
                // CI and this workplace run as root; jupyter-server refuses
                // root without it.
                "--allow-root",
                "--IdentityProvider.token=",
                "--ServerApp.password=",
                "--ServerApp.log_level=DEBUG",
                "--LabApp.news_url=",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ])
            .arg(format!("--ServerApp.root_dir={}", root.display()))
            .env("HOME", &home)
            .env("JUPYTER_CONFIG_DIR", home.join("config"))
            .env("JUPYTER_RUNTIME_DIR", home.join("runtime"))
            .env("JUPYTERLAB_SETTINGS_DIR", home.join("settings"))
            .env("JUPYTERLAB_WORKSPACES_DIR", home.join("workspaces"))
            .env("IPYTHONDIR", home.join("ipython"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("start jupyter-lab")?;
        let mut lab = Lab {
            child,
            port,
            dir: dir.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = lab.child.try_wait()? {
                bail!(
                    "JupyterLab exited ({status}); see {}",
                    dir.join("server.log").display()
                );
            }
            ensure!(
                Instant::now() < deadline,
                "JupyterLab did not listen within 120 s; see {}",
                dir.join("server.log").display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(lab)
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stops the server (SIGTERM, then its log is complete) and returns
    /// its log.
    fn stop(mut self) -> Result<String> {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.child.try_wait()?.is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut log = String::new();
        std::fs::File::open(self.dir.join("server.log"))?.read_to_string(&mut log)?;
        Ok(log)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A notebook with one rendered markdown cell and one code cell.
fn notebook() -> String {
    serde_json::json!({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": [format!("# {MARKER}")]},
            {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
             "source": ["print('prod-smoke realapp')"]}
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5
    })
    .to_string()
}

/// What the app's own log says reached it.
struct Traffic {
    requests: usize,
    writes: Vec<String>,
    websockets: usize,
}

impl Traffic {
    /// jupyter_server logs each request it answers as
    /// `[D … log:NN] 201 POST /api/sessions (…) 12.3ms`.
    fn of(log: &str) -> Traffic {
        let mut t = Traffic {
            requests: 0,
            writes: Vec::new(),
            websockets: 0,
        };
        for line in log.lines() {
            let Some((method, path)) = request_of(line) else {
                continue;
            };
            t.requests += 1;
            if !matches!(method, "GET" | "HEAD" | "OPTIONS") {
                t.writes.push(format!("{method} {path}"));
            }
            if path.contains("/channels") || line.contains(" 101 GET ") {
                t.websockets += 1;
            }
        }
        t
    }
}

/// `(method, path)` of a request line of jupyter_server's log.
fn request_of(line: &str) -> Option<(&str, &str)> {
    let mut words = line.split_whitespace().skip_while(|w| !w.ends_with(']'));
    words.next()?;
    let status = words.next()?;
    if status.len() != 3 || !status.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let method = words.next()?;
    if !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some((method, words.next()?))
}

/// Plain headless Chromium on the notebook for a while, no prod-smoke.
fn plain_chromium(chromium: &Path, url: &str, dir: &Path) -> Result<()> {
    let profile = dir.join("profile");
    std::fs::create_dir_all(&profile)?;
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("{url}/lab/tree/{NOTEBOOK}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Long enough for the app to load, start its kernel and save.
    std::thread::sleep(Duration::from_secs(40));
    let _ = child.kill();
    let _ = child.wait();
    Ok(())
}

/// The real prod-smoke binary on the notebook, kept off every real sink.
fn seal(chromium: &Path, url: &str, dir: &Path) -> Result<std::process::Output> {
    let spec = dir.join("realapp.yaml");
    std::fs::write(&spec, SPEC)?;
    let mut cmd = Command::new("target/debug/prod-smoke");
    cmd.args(["jupyterlab", "--url", url, "--json", "--retries", "0"])
        .arg("--chromium")
        .arg(chromium)
        .arg("--spec")
        .arg(&spec)
        .args(["--timeout", "90"])
        .arg("--ledger")
        .arg(dir.join("ledger.sqlite3"))
        .arg("--artifacts")
        .arg(dir.join("artifacts"))
        .stdin(Stdio::null());
    crate::sinks::keep_off_real_sinks(&mut cmd);
    cmd.env_remove("PROD_SMOKE_CDP_URL");
    let out = cmd.output()?;
    std::fs::write(dir.join("stderr.txt"), &out.stderr)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{Traffic, request_of};

    #[test]
    fn reads_jupyter_server_request_lines() {
        let log = "\
[D 2026-12-06 21:40:01.123 ServerApp] 200 GET /lab/tree/smoke.ipynb (@127.0.0.1) 12.30ms
[I 2026-12-06 21:40:02.456 ServerApp] 201 POST /api/sessions (@127.0.0.1) 120.00ms
[D 2026-12-06 21:40:02.900 ServerApp] 101 GET /api/kernels/abc/channels?session_id=x (@127.0.0.1) 3.00ms
[I 2026-12-06 21:40:03.000 ServerApp] Kernel started: abc
";
        assert_eq!(
            request_of(log.lines().next().unwrap()),
            Some(("GET", "/lab/tree/smoke.ipynb"))
        );
        let t = Traffic::of(log);
        assert_eq!(t.requests, 3);
        assert_eq!(t.writes, vec!["POST /api/sessions".to_string()]);
        assert_eq!(t.websockets, 1);
    }
}
