use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use prod_smoke_fixture_site::{Fault, FixtureOptions, FixtureSite};

pub const BIN: &str = env!("CARGO_BIN_EXE_prod-smoke");

/// Variables a developer's shell may carry that must not leak into a test
/// run, beside every variable the seal reads (`prod_smoke_seal::ENV_VARS`).
const SCRUBBED: &[&str] = &[
    "SEAL_RETRY_DELAY_SECONDS",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_ACTIONS",
    "PROD_SMOKE_CDP_URL",
    "PROD_SMOKE_CANARY_URL",
    "PROD_SMOKE_STORAGE_STATE",
];

/// One prod-smoke invocation in its own scratch folder. Chromium's profile
/// lands under the scratch `TMPDIR`, so leftover browsers can be found.
pub struct Smoke {
    pub scratch: tempfile::TempDir,
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

pub struct Finished {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Smoke {
    pub fn new() -> Smoke {
        let scratch = tempfile::tempdir().expect("scratch dir");
        std::fs::create_dir_all(scratch.path().join("tmp")).expect("tmp dir");
        Smoke {
            scratch,
            args: Vec::new(),
            envs: Vec::new(),
        }
    }

    /// A run of the default suite against `url`, fast-failing: no retry,
    /// short timeouts, and a private ledger and artifacts folder.
    pub fn against(url: &str) -> Smoke {
        let mut s = Smoke::new();
        s.seal_flags(url);
        s
    }

    /// `prod-smoke watch` of the default suite against `url`, with
    /// [`Smoke::against`]'s flags.
    pub fn watching(url: &str, every: &str, window: &str) -> Smoke {
        let mut s = Smoke::new();
        s.args(["watch", "--every", every, "--for", window]);
        s.seal_flags(url);
        s
    }

    fn seal_flags(&mut self, url: &str) {
        let s = self;
        let ledger = s.ledger();
        let artifacts = s.artifacts();
        s.args([
            "mcritchie-studio",
            "--url",
            url,
            "--json",
            "--retries",
            "0",
            "--timeout",
            "5",
            "--expect-timeout",
            "2",
        ]);
        s.arg("--ledger").arg(ledger.to_str().unwrap());
        s.arg("--artifacts").arg(artifacts.to_str().unwrap());
    }

    pub fn arg(&mut self, a: &str) -> &mut Self {
        self.args.push(a.to_string());
        self
    }

    pub fn args<const N: usize>(&mut self, a: [&str; N]) -> &mut Self {
        self.args.extend(a.iter().map(|s| s.to_string()));
        self
    }

    pub fn env(&mut self, k: &str, v: &str) -> &mut Self {
        self.envs.push((k.into(), v.into()));
        self
    }

    pub fn ledger(&self) -> PathBuf {
        self.scratch.path().join("ledger.sqlite3")
    }

    pub fn artifacts(&self) -> PathBuf {
        self.scratch.path().join("artifacts")
    }

    pub fn tmp(&self) -> PathBuf {
        self.scratch.path().join("tmp")
    }

    pub fn command(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(BIN);
        cmd.args(&self.args)
            .current_dir(self.scratch.path())
            .env("TMPDIR", self.tmp())
            .env("XDG_STATE_HOME", self.scratch.path().join("state"))
            .kill_on_drop(true);
        let seal_vars = prod_smoke_seal::ENV_VARS.iter().map(|var| var.name);
        for k in seal_vars.chain(SCRUBBED.iter().copied()) {
            cmd.env_remove(k);
        }
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        cmd
    }

    /// Starts prod-smoke in the background with its output captured, for
    /// tests that act on it while it runs.
    pub fn spawn(&self) -> tokio::process::Child {
        self.command()
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("prod-smoke starts")
    }

    pub async fn run(&self) -> Finished {
        let out: Output = tokio::time::timeout(Duration::from_secs(120), self.command().output())
            .await
            .expect("prod-smoke finishes within 2 minutes")
            .expect("prod-smoke starts");
        let f = Finished {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert_no_browser_left(&self.tmp());
        f
    }
}

impl Finished {
    pub fn json(&self) -> serde_json::Value {
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with('{'))
            .unwrap_or_else(|| {
                panic!(
                    "no JSON on stdout.\nstdout: {}\nstderr: {}",
                    self.stdout, self.stderr
                )
            });
        serde_json::from_str(line).expect("stdout JSON parses")
    }

    pub fn results(&self, artifacts: &Path) -> serde_json::Value {
        let text = std::fs::read_to_string(artifacts.join("results.json")).expect("results.json");
        serde_json::from_str(&text).expect("results.json parses")
    }

    /// Name of the one failed check in results.json.
    pub fn failed_checks(&self, artifacts: &Path) -> Vec<String> {
        self.results(artifacts)["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["status"] == "failed")
            .map(|c| c["name"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

impl std::fmt::Display for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub async fn site(faults: &[Fault]) -> FixtureSite {
    site_with(FixtureOptions {
        faults: faults.to_vec(),
        ..FixtureOptions::default()
    })
    .await
}

pub async fn site_with(options: FixtureOptions) -> FixtureSite {
    FixtureSite::start(options)
        .await
        .expect("fixture site starts")
}

/// PIDs of live (non-zombie) processes whose command line mentions `needle`.
pub fn processes_mentioning(needle: &Path) -> Vec<u32> {
    let needle = needle.to_string_lossy().into_owned();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let zombie = stat
            .rsplit(')')
            .next()
            .is_some_and(|s| s.trim_start().starts_with('Z'));
        if !zombie && String::from_utf8_lossy(&cmdline).contains(&needle) {
            found.push(pid);
        }
    }
    found
}

/// No Chromium process of this run is still alive.
pub fn assert_no_browser_left(tmp: &Path) {
    // Helpers may take a moment to notice their parent is gone.
    for _ in 0..40 {
        if processes_mentioning(tmp).is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "Chromium processes left behind: {:?}",
        processes_mentioning(tmp)
    );
}
