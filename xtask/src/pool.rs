//! `cargo xtask pool`: prod-smoke through a real browser pool. Starts
//! browserless 2 (pinned in `tools/browserless`, run on the system
//! Chromium; no browser is downloaded) with one slot and no queue, and
//! seals the fixture site through it with the real prod-smoke binary:
//!
//! - four seals at once through the one slot all go green within the budget;
//! - a wrong token is exit 3, and the token is in no output at all;
//! - a pool that stays full is inconclusive, and the unrun scenario is
//!   never counted as passed;
//! - a pool restarted in the middle of a scenario: the scenario is run
//!   again on a new connection when a retry is left, and the run is
//!   inconclusive (never red) when none is.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use prod_smoke_testkit::MockDiscord;
use serde_json::Value;

use crate::fixture::FixtureProcess;

const DIR: &str = "tools/browserless";
const TOKEN: &str = "pool-Tok3n-xtask-0123456789";
const APP: &str = "mcritchie-studio";
/// The page scenario of the default suite: the one that needs the browser.
const PAGE_SCENARIO: &str = "public routes and the task board respond";

pub fn run(args: &[String]) -> Result<()> {
    let keep = args.iter().any(|a| a == "--keep");
    if let Some(other) = args.iter().find(|a| *a != "--keep") {
        crate::usage_error!("pool: unknown argument `{other}` (it takes only --keep)");
    }
    let chromium = crate::chromium::ensure()?;
    if !crate::parity::npm_present() {
        bail!(
            "npm is not installed, and browserless (the pool) needs Node.js. Install it \
             (e.g. `apt-get install -y nodejs npm`), then run this again."
        );
    }
    ensure_browserless()?;
    crate::build_binaries(false)?;
    let tmp = std::env::temp_dir().join(format!("prod-smoke-pool-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let result = (|| {
        let _watch = crate::progress::Watch::start("sealing through the browser pool");
        let mut pool = Browserless::start(&chromium, &tmp)?;
        let site = FixtureProcess::start("target/debug/fixture-site")?;
        eprintln!("pool: browserless on port {}, site {}", pool.port, site.url);
        saturated(&pool, &site.url, &tmp)?;
        wrong_token(&pool, &site.url, &tmp)?;
        stays_full(&pool, &site.url, &tmp)?;
        let slow = FixtureProcess::start_with_faults("target/debug/fixture-site", "slow")?;
        restarted(&mut pool, &slow.url, &tmp, 1)?;
        restarted(&mut pool, &slow.url, &tmp, 0)?;
        Ok(())
    })();
    if result.is_ok() && !keep {
        let _ = std::fs::remove_dir_all(&tmp);
    } else {
        eprintln!("kept {} (runs, browserless.log)", tmp.display());
    }
    result
}

/// `npm ci` in tools/browserless, with every browser download switched off.
fn ensure_browserless() -> Result<()> {
    if !Path::new(DIR)
        .join("node_modules/@browserless.io/browserless")
        .is_dir()
    {
        // `--loglevel=error` silences four `npm warn EBADENGINE` blocks:
        // browserless declares Node >= 24, and runs fine on Debian's Node 20
        // for what the pool test asks of it.
        crate::progress::run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(DIR)
                .env("PUPPETEER_SKIP_DOWNLOAD", "1")
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
            "installing browserless into tools/browserless (npm ci)",
        )?;
    }
    Ok(())
}

/// A browserless process (`tools/browserless/start.mjs`), stopped on drop.
struct Browserless {
    child: Option<Child>,
    port: u16,
    chromium: PathBuf,
    tmp: PathBuf,
    log: PathBuf,
}

impl Browserless {
    fn start(chromium: &Path, tmp: &Path) -> Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut pool = Browserless {
            child: None,
            port,
            chromium: chromium.to_path_buf(),
            tmp: tmp.to_path_buf(),
            log: tmp.join("browserless.log"),
        };
        pool.boot()?;
        Ok(pool)
    }

    /// Starts (or starts again) on the same port.
    fn boot(&mut self) -> Result<()> {
        let browsers = self.tmp.join("browsers");
        let data = self.tmp.join("data");
        std::fs::create_dir_all(&data)?;
        link_chromium(&browsers, &self.chromium)?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)?;
        let child = Command::new("node")
            .arg("start.mjs")
            .current_dir(DIR)
            .env("PLAYWRIGHT_BROWSERS_PATH", &browsers)
            .env("DATA_DIR", &data)
            .env("HOST", "127.0.0.1")
            .env("PORT", self.port.to_string())
            .env("TOKEN", TOKEN)
            .env("CONCURRENT", "1")
            .env("QUEUED", "0")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start node tools/browserless/start.mjs")?;
        self.child = Some(child);
        let t0 = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                bail!("browserless exited ({status}); see {}", self.log.display());
            }
            ensure!(
                t0.elapsed() < Duration::from_secs(90),
                "browserless did not listen within 90s; see {}",
                self.log.display()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(())
    }

    /// SIGTERM, as a pool host restarting it would; browserless closes its
    /// browsers and connections, then exits.
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(15) {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    }

    fn url(&self, token: &str) -> String {
        format!("ws://127.0.0.1:{}/chromium?token={token}", self.port)
    }

    /// How many connections browserless has turned away as full so far.
    fn refusals(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .matches("sending 429")
            .count()
    }

    /// How many browsers browserless has started so far.
    fn sessions(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .matches("Starting new ChromiumCDP instance")
            .count()
    }
}

impl Drop for Browserless {
    fn drop(&mut self) {
        self.stop();
    }
}

/// browserless launches the Chromium that Playwright would, from
/// `PLAYWRIGHT_BROWSERS_PATH`: a symlink in a folder of ours to the system
/// Chromium stands in for it. Nothing outside that folder is touched.
fn link_chromium(browsers: &Path, chromium: &Path) -> Result<()> {
    let out = Command::new("node")
        .args([
            "-e",
            "console.log(require('playwright-core').chromium.executablePath())",
        ])
        .current_dir(DIR)
        .env("PLAYWRIGHT_BROWSERS_PATH", browsers)
        .output()
        .context("cannot ask playwright-core where its Chromium lives")?;
    ensure!(
        out.status.success(),
        "playwright-core: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    ensure!(
        path.starts_with(browsers),
        "playwright-core put its Chromium at {}, outside {}",
        path.display(),
        browsers.display()
    );
    if path.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().expect("a file path"))?;
    std::os::unix::fs::symlink(chromium, &path)?;
    Ok(())
}

/// One prod-smoke run in its own folder, kept off every real sink.
fn seal(dir: &Path, site: &str, extra: &[&str], envs: &[(&str, &str)]) -> Command {
    let _ = std::fs::create_dir_all(dir.join("tmp"));
    let mut cmd = Command::new("target/debug/prod-smoke");
    cmd.args([APP, "--url", site, "--json", "--retries", "0"])
        .arg("--ledger")
        .arg(dir.join("ledger.sqlite3"))
        .arg("--artifacts")
        .arg(dir.join("artifacts"))
        .args(extra)
        .env("TMPDIR", dir.join("tmp"))
        .stdin(Stdio::null());
    crate::sinks::keep_off_real_sinks(&mut cmd);
    for var in [
        "PROD_SMOKE_CDP_URL",
        "PROD_SMOKE_CANARY_URL",
        "GITHUB_API_URL",
        "SEAL_RETRY_DELAY_SECONDS",
        "DISCORD_OPERATOR_MENTION",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd
}

/// Runs and keeps stdout/stderr next to the run's other files.
fn finish(dir: &Path, out: Output) -> Result<Finished> {
    let f = Finished {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    std::fs::write(dir.join("stdout.txt"), &f.stdout)?;
    std::fs::write(dir.join("stderr.txt"), &f.stderr)?;
    Ok(f)
}

struct Finished {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Finished {
    fn has_line(&self, line: &str) -> bool {
        self.stderr.lines().any(|l| l.starts_with(line))
    }

    fn show(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Four seals at once through one slot and no queue: each waits its turn
/// within the budget, and all four are green.
fn saturated(pool: &Browserless, site: &str, tmp: &Path) -> Result<()> {
    let url = pool.url(TOKEN);
    let refused_before = pool.refusals();
    let t0 = Instant::now();
    let runs: Vec<Result<(Finished, Duration)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..=4)
            .map(|i| {
                let dir = tmp.join(format!("saturated-{i}"));
                let url = url.clone();
                scope.spawn(move || {
                    let out = seal(
                        &dir,
                        site,
                        &["--pool-budget", "120"],
                        &[("PROD_SMOKE_CDP_URL", &url)],
                    )
                    .output()?;
                    Ok((finish(&dir, out)?, t0.elapsed()))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a run thread"))
            .collect()
    });
    let mut times = Vec::new();
    for run in runs {
        let (f, took) = run?;
        ensure!(
            f.code == 0 && f.has_line("2 passed, 0 failed"),
            "a seal through the full pool was not green:\n{}",
            f.show()
        );
        times.push(took);
    }
    times.sort();
    let refused = pool.refusals() - refused_before;
    ensure!(refused > 0, "the pool was never full: no 429 in its log");
    println!(
        "ok saturated pool (CONCURRENT=1, QUEUED=0): 4/4 green seals, done at {} \
         (the pool answered 429 {refused} times; load average {})",
        times
            .iter()
            .map(|t| format!("{:.1}s", t.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", "),
        load_average()
    );
    Ok(())
}

/// A wrong token: exit 3, and the token in no output, no artifact, no
/// ledger byte and no Discord payload.
fn wrong_token(pool: &Browserless, site: &str, tmp: &Path) -> Result<()> {
    let wrong = "wrong-Tok3n-that-must-never-leak-42";
    let dir = tmp.join("wrong-token");
    let rt = tokio::runtime::Runtime::new()?;
    let discord = rt.block_on(MockDiscord::start())?;
    let summary = dir.join("step-summary.md");
    let summary = summary.to_string_lossy();
    let (webhook, api) = (discord.webhook_url(), discord.api_base());
    let out = seal(
        &dir,
        site,
        &["--cdp-url", &pool.url(wrong), "--delivery-attempts", "1"],
        &[
            ("DISCORD_RELEASE_NOTES_WEBHOOK_URL", &webhook),
            ("PROD_SMOKE_DISCORD_API_BASE", &api),
            ("GITHUB_STEP_SUMMARY", &summary),
            ("GITHUB_ACTIONS", "true"),
        ],
    )
    .output()?;
    let f = finish(&dir, out)?;
    ensure!(
        f.code == 3 && f.stderr.contains("HTTP 401") && f.stderr.contains("token=***"),
        "a wrong token should be exit 3 with the URL masked:\n{}",
        f.show()
    );
    ensure!(
        f.has_line("1 passed, 0 failed, 1 skipped"),
        "the scenario that never reached the browser must be skipped:\n{}",
        f.show()
    );
    let mut written = vec![
        ("stdout".to_string(), f.stdout.clone()),
        ("stderr".to_string(), f.stderr.clone()),
    ];
    for file in files_under(&dir) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        written.push((
            file.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    let payloads = discord.requests();
    for r in &payloads {
        written.push((
            format!("discord {} {}", r.method, r.path),
            format!("{} {}", r.raw_path, r.json.clone().unwrap_or(Value::Null)),
        ));
    }
    for needed in [
        "report.html",
        "junit.xml",
        "results.json",
        "ledger.sqlite3",
        "step-summary.md",
    ] {
        ensure!(
            written.iter().any(|(name, _)| name.ends_with(needed)),
            "the wrong-token run wrote no {needed}"
        );
    }
    ensure!(
        !payloads.is_empty(),
        "the wrong-token run posted nothing to the mock Discord"
    );
    for (name, text) in &written {
        ensure!(!text.contains(wrong), "{name} leaks the token:\n{text}");
    }
    println!(
        "ok wrong token: exit 3, the token in none of {} outputs (stdout, stderr, every \
         artifact, the ledger, {} Discord payloads)",
        written.len(),
        payloads.len()
    );
    Ok(())
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Holds the pool's one slot with a bare WebSocket, so the pool stays full.
fn hold_slot(pool: &Browserless) -> Result<TcpStream> {
    let mut socket = TcpStream::connect(("127.0.0.1", pool.port))?;
    write!(
        socket,
        "GET /chromium?token={TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        pool.port
    )?;
    socket.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut answer = [0u8; 12];
    socket.read_exact(&mut answer)?;
    ensure!(
        answer.starts_with(b"HTTP/1.1 101"),
        "the pool did not give the slot: {}",
        String::from_utf8_lossy(&answer)
    );
    Ok(socket)
}

/// The pool stays full past the budget: inconclusive, naming the pool, and
/// the page scenario (which never got a browser) is not counted as passed
/// anywhere.
fn stays_full(pool: &Browserless, site: &str, tmp: &Path) -> Result<()> {
    let dir = tmp.join("stays-full");
    let slot = hold_slot(pool)?;
    let out = seal(
        &dir,
        site,
        &["--pool-budget", "3"],
        &[("PROD_SMOKE_CDP_URL", &pool.url(TOKEN))],
    )
    .output();
    drop(slot);
    let f = finish(&dir, out?)?;
    ensure!(
        f.code == 3 && f.stderr.contains("the browser pool at ws://127.0.0.1:"),
        "a pool full past the budget should be inconclusive, naming the pool:\n{}",
        f.show()
    );
    ensure!(
        f.has_line("1 passed, 0 failed, 1 skipped"),
        "the unrun scenario must be skipped:\n{}",
        f.show()
    );
    let results: Value = serde_json::from_str(&std::fs::read_to_string(
        dir.join("artifacts/results.json"),
    )?)?;
    let passed_unrun: Vec<&str> = results["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| {
            c["scenario"] == PAGE_SCENARIO
                && !c["name"].as_str().unwrap_or_default().starts_with("GET ")
                && c["status"] != "skipped"
        })
        .filter_map(|c| c["name"].as_str())
        .collect();
    ensure!(
        passed_unrun.is_empty(),
        "browser checks that never ran are not skipped in results.json: {passed_unrun:?}"
    );
    let junit = std::fs::read_to_string(dir.join("artifacts/junit.xml"))?;
    ensure!(junit.contains("<skipped"), "junit.xml has no skipped case");
    println!(
        "ok pool full past --pool-budget 3: exit 3 naming the pool; 1 passed, 1 skipped, \
         and no browser check counted as passed"
    );
    Ok(())
}

/// browserless is restarted (SIGTERM, then started again) while the page
/// scenario is in the middle of a slow visit.
fn restarted(pool: &mut Browserless, slow_site: &str, tmp: &Path, retries: u32) -> Result<()> {
    let dir = tmp.join(format!("restarted-retries-{retries}"));
    let retries_arg = retries.to_string();
    let sessions = pool.sessions();
    let t0 = Instant::now();
    let child = seal(
        &dir,
        slow_site,
        &[
            "--retries",
            &retries_arg,
            "--retry-delay",
            "3",
            "--pool-budget",
            "60",
            "--timeout",
            "20",
        ],
        &[("PROD_SMOKE_CDP_URL", &pool.url(TOKEN))],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()?;
    while pool.sessions() == sessions {
        ensure!(
            t0.elapsed() < Duration::from_secs(60),
            "prod-smoke never reached the pool"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // Every response of the slow site takes 2.5s: four seconds in, the
    // scenario is between its first and last visit.
    std::thread::sleep(Duration::from_secs(4));
    pool.stop();
    pool.boot()?;
    let f = finish(&dir, child.wait_with_output()?)?;
    let took = t0.elapsed();
    if retries > 0 {
        ensure!(
            f.code == 0
                && f.stderr.contains("retrying 1 failed scenario")
                && f.has_line("2 passed, 0 failed"),
            "a scenario that lost its browser to a pool restart should be retried on a new \
             connection and go green:\n{}",
            f.show()
        );
        println!(
            "ok pool restarted mid-scenario, --retries 1: reconnected, the scenario ran again, \
             green in {:.1}s (load average {})",
            took.as_secs_f64(),
            load_average()
        );
    } else {
        ensure!(
            f.code == 3
                && !f.stderr.contains("🔴")
                && f.stderr.contains("dropped the connection mid-run")
                && f.has_line("1 passed, 0 failed, 1 skipped"),
            "a browser lost with no retry left should be inconclusive, naming the pool:\n{}",
            f.show()
        );
        println!("ok pool restarted mid-scenario, --retries 0: exit 3 naming the pool, 1 skipped");
    }
    Ok(())
}
