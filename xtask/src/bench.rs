//! `cargo xtask bench`: prod-smoke against the Playwright baseline in
//! `bench/`, on the loopback fixture site, in interleaved rounds (A, B, A,
//! B…) so machine noise lands on both alike. Reports medians of wall time,
//! CPU time and memory. `docs/benchmarks.md` explains the method and keeps
//! the figures.
//!
//! Each measured run goes through a copy of this binary acting as a small
//! wrapper (`bench --measure-into FILE -- PROGRAM ARGS…`): it becomes a
//! child subreaper, so every process of the tree (Chromium's helpers too)
//! is reaped by it and lands in its `RUSAGE_CHILDREN`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use nix::errno::Errno;
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;

use crate::fixture::FixtureProcess;
use crate::flag_value;

mod watch;

const USAGE: &str = "\
usage: cargo xtask bench [--rounds N] [--pages N[,N…] [--workers W[,W…]]]

  (default)        the @qa-readonly suite: prod-smoke vs `npx playwright test`
  --rounds N       measured rounds per tool and setting (default 5), after one warm-up
  --pages N        a generated suite of N page visits instead, run at each --workers
  --workers LIST   worker counts for --pages (default 1,2,4)
  --no-npx         start Playwright as bench/node_modules/.bin/playwright, not `npx playwright`
  --against PATH   race another prod-smoke binary (an older build, say) instead of
                   Playwright: the same runs, to see whether a change slowed prod-smoke
  --keep           keep the temporary folder (logs, artifacts, generated specs)
  --watch          one pass of `prod-smoke watch`: one browser kept vs one per pass
                   (`cargo xtask bench --watch --help`)
";

/// Grep tag of the generated `--pages` suites.
const PAGES_TAG: &str = "@bench-pages";
/// Scenarios a `--pages` suite is split into, so workers have work to share.
const PAGES_SCENARIOS: usize = 8;
/// A run taking longer than this is killed, and the bench fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(300);
/// How long descendants may outlive the measured process before being killed.
const LINGER: Duration = Duration::from_secs(10);
/// Interval of the process-tree memory sampler.
const SAMPLE_EVERY: Duration = Duration::from_millis(100);

pub fn run(args: &[String]) -> Result<()> {
    if args.first().map(String::as_str) == Some("--measure-into") {
        return wrapper::main(&args[1..]);
    }
    if args.iter().any(|a| a == "--watch") {
        return watch::run(args);
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return Ok(());
    }
    let opts = Options::parse(args)?;
    let chromium = crate::chromium::ensure()?;
    crate::build_binaries(true)?;
    if opts.against.is_none() {
        ensure_playwright()?;
    }

    let tmp = std::env::temp_dir().join(format!("prod-smoke-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let bench = Bench::new(&tmp, &chromium, opts.no_npx, opts.against.clone())?;
    let site = FixtureProcess::start("target/release/fixture-site")?;
    eprintln!(
        "fixture site: {}\n{}\n{}\nload average: {}",
        site.url,
        bench.versions.chromium,
        bench.versions.playwright,
        loadavg()
    );

    let result = match &opts.pages {
        None => bench.qa_readonly(&site.url, opts.rounds),
        Some(pages) => bench.pages(&site.url, opts.rounds, pages, &opts.workers),
    };
    drop(site);
    if result.is_ok() && !opts.keep {
        let _ = std::fs::remove_dir_all(&tmp);
    } else {
        eprintln!("kept {} (logs, artifacts, specs)", tmp.display());
    }
    result
}

#[derive(Debug)]
struct Options {
    rounds: usize,
    pages: Option<Vec<usize>>,
    workers: Vec<usize>,
    keep: bool,
    no_npx: bool,
    /// Another prod-smoke binary to race instead of Playwright.
    against: Option<PathBuf>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Self> {
        const WITH_VALUE: &[&str] = &["--rounds", "--pages", "--workers", "--against"];
        let mut i = 0;
        while i < args.len() {
            match args[i].as_str() {
                a if WITH_VALUE.contains(&a) => i += 2,
                "--keep" | "--no-npx" => i += 1,
                other => {
                    eprint!("{USAGE}");
                    bail!("bench: unknown argument `{other}`");
                }
            }
        }
        let rounds = match flag_value(args, "--rounds") {
            Some(n) => n.parse().context("--rounds takes a number")?,
            None => 5,
        };
        ensure!(rounds >= 1, "--rounds must be at least 1");
        let pages = flag_value(args, "--pages").map(list).transpose()?;
        let workers = flag_value(args, "--workers")
            .map(list)
            .transpose()?
            .unwrap_or_else(|| vec![1, 2, 4]);
        ensure!(
            pages.iter().flatten().chain(&workers).all(|&n| n >= 1),
            "--pages and --workers take numbers from 1 up"
        );
        Ok(Options {
            rounds,
            pages,
            workers,
            keep: args.iter().any(|a| a == "--keep"),
            against: flag_value(args, "--against").map(PathBuf::from),
            no_npx: args.iter().any(|a| a == "--no-npx"),
        })
    }
}

fn list(text: &str) -> Result<Vec<usize>> {
    text.split(',')
        .map(|n| {
            n.trim()
                .parse()
                .with_context(|| format!("`{n}` is not a number"))
        })
        .collect()
}

/// Installs the Playwright project's packages on first use. Never a browser.
pub fn ensure_playwright() -> Result<()> {
    if Command::new("npm")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
    {
        bail!(
            "npm is not installed, and the Playwright baseline needs it. Install Node.js \
             (e.g. `apt-get install -y nodejs npm`), then run this again."
        );
    }
    if !Path::new("bench/node_modules/@playwright/test").is_dir() {
        // `--loglevel=error`: npm's warnings (engine ranges, deprecations)
        // are about the packages, not this install, and read like failures.
        crate::progress::run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir("bench")
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
            "installing Playwright's packages into bench/ (npm ci)",
        )?;
    }
    Ok(())
}

struct Versions {
    chromium: String,
    playwright: String,
}

/// Everything a round needs: paths, versions and the wrapper binary.
struct Bench {
    tmp: PathBuf,
    chromium: PathBuf,
    prod_smoke: PathBuf,
    bench_dir: PathBuf,
    /// A private copy of this binary, so a concurrent rebuild of xtask
    /// cannot swap the wrapper out mid-bench.
    wrapper: PathBuf,
    versions: Versions,
    /// Start `node_modules/.bin/playwright` instead of `npx playwright`.
    no_npx: bool,
    /// The second contestant, when it is another prod-smoke and not Playwright.
    against: Option<PathBuf>,
    runs: std::cell::Cell<usize>,
}

impl Bench {
    fn new(tmp: &Path, chromium: &Path, no_npx: bool, against: Option<PathBuf>) -> Result<Self> {
        let root = std::env::current_dir()?;
        let wrapper = tmp.join("xtask-measure");
        std::fs::copy(std::env::current_exe()?, &wrapper)
            .context("cannot copy the xtask binary for the measuring wrapper")?;
        let bench_dir = root.join("bench");
        let versions = Versions {
            chromium: first_line(Command::new(chromium).arg("--version"))?,
            playwright: match &against {
                Some(other) => format!(
                    "against {} ({})",
                    other.display(),
                    first_line(Command::new(other).arg("--version"))?
                ),
                None => format!(
                    "Playwright {}",
                    first_line(
                        Command::new("npx")
                            .args(["playwright", "--version"])
                            .current_dir(&bench_dir)
                    )?
                    .trim_start_matches("Version ")
                ),
            },
        };
        Ok(Bench {
            tmp: tmp.to_path_buf(),
            chromium: chromium.to_path_buf(),
            prod_smoke: root.join("target/release/prod-smoke"),
            bench_dir,
            wrapper,
            versions,
            no_npx,
            against,
            runs: std::cell::Cell::new(0),
        })
    }

    /// The default mode: the @qa-readonly suite, as shipped.
    fn qa_readonly(&self, url: &str, rounds: usize) -> Result<()> {
        let a = Suite::QaReadonly;
        let samples = self.interleaved(url, &a, None, rounds)?;
        print!(
            "{}",
            qa_table(&self.versions, rounds, self.second().title(), &samples)
        );
        Ok(())
    }

    /// `--pages`: generated suites, at several worker counts.
    fn pages(&self, url: &str, rounds: usize, pages: &[usize], workers: &[usize]) -> Result<()> {
        let mut rows = Vec::new();
        for &n in pages {
            let suite = Suite::generate(&self.tmp, &self.bench_dir, n)?;
            crate::run_cmd(
                Command::new(&self.prod_smoke)
                    .arg("check")
                    .arg(suite.yaml().expect("generated")),
            )?;
            for &w in workers {
                let samples = self.interleaved(url, &suite, Some(w), rounds)?;
                rows.push((n, w, samples));
            }
        }
        print!(
            "{}",
            pages_table(&self.versions, rounds, self.second().title(), &rows)
        );
        Ok(())
    }

    /// One warm-up run of each tool, then `rounds` measured pairs, A, B, A, B…
    fn interleaved(
        &self,
        url: &str,
        suite: &Suite,
        workers: Option<usize>,
        rounds: usize,
    ) -> Result<[Vec<Sample>; 2]> {
        let label = match workers {
            Some(w) => format!("{} pages, {w} workers", suite.pages()),
            None => "@qa-readonly".to_string(),
        };
        let mut out = [Vec::new(), Vec::new()];
        for round in 0..=rounds {
            for (t, tool) in [Tool::ProdSmoke, self.second()].into_iter().enumerate() {
                let s = self.measure(tool, url, suite, workers)?;
                let what = if round == 0 {
                    "warm-up".to_string()
                } else {
                    format!("round {round}/{rounds}")
                };
                eprintln!(
                    "  {label}, {what}: {:<10} wall {:>6.2} s  cpu {:>6.2} s  maxrss {:>4} MiB  tree {:>4} MiB",
                    tool.name(),
                    s.wall.as_secs_f64(),
                    s.cpu().as_secs_f64(),
                    s.maxrss_kib / 1024,
                    s.tree_pss_kib / 1024,
                );
                if round > 0 {
                    out[t].push(s);
                }
            }
        }
        Ok(out)
    }

    /// What prod-smoke races: Playwright, or the `--against` binary.
    fn second(&self) -> Tool {
        if self.against.is_some() {
            Tool::Against
        } else {
            Tool::Playwright
        }
    }

    /// Runs one tool once under the wrapper; fails loudly unless it exits 0.
    fn measure(
        &self,
        tool: Tool,
        url: &str,
        suite: &Suite,
        workers: Option<usize>,
    ) -> Result<Sample> {
        let n = self.runs.get() + 1;
        self.runs.set(n);
        let dir = self.tmp.join(format!("run-{n:03}-{}", tool.name()));
        std::fs::create_dir_all(&dir)?;
        let (program, args, cwd, env) = match tool {
            Tool::ProdSmoke | Tool::Against => {
                let mut args: Vec<OsString> = vec![
                    "mcritchie-studio".into(),
                    "--url".into(),
                    url.into(),
                    "--retries".into(),
                    "0".into(),
                    "--artifacts".into(),
                    dir.join("artifacts").into(),
                    "--ledger".into(),
                    self.tmp.join("ledger.sqlite3").into(),
                    "--chromium".into(),
                    self.chromium.clone().into(),
                ];
                if let Some(yaml) = suite.yaml() {
                    args.extend([
                        "--spec".into(),
                        yaml.into(),
                        "--grep".into(),
                        PAGES_TAG.into(),
                    ]);
                }
                if let Some(w) = workers {
                    args.extend(["--workers".into(), w.to_string().into()]);
                }
                let cwd = std::env::current_dir()?;
                let program = match (tool, &self.against) {
                    (Tool::Against, Some(other)) => other.clone(),
                    _ => self.prod_smoke.clone(),
                };
                (program, args, cwd, Vec::new())
            }
            Tool::Playwright => {
                let grep = match suite {
                    Suite::QaReadonly => "@qa-readonly",
                    Suite::Pages { .. } => PAGES_TAG,
                };
                let mut args: Vec<OsString> = vec!["test".into()];
                args.extend([
                    "--grep".into(),
                    grep.into(),
                    "--output".into(),
                    dir.join("test-results").into(),
                ]);
                if let Some(w) = workers {
                    args.extend(["--workers".into(), w.to_string().into()]);
                }
                let mut env = vec![
                    ("QA_BASE_URL".to_string(), OsString::from(url)),
                    ("BENCH_CHROMIUM".to_string(), self.chromium.clone().into()),
                    ("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD".to_string(), "1".into()),
                ];
                if let Suite::Pages { pw_dir, .. } = suite {
                    env.push(("BENCH_TEST_DIR".to_string(), pw_dir.clone().into()));
                }
                let program = if self.no_npx {
                    self.bench_dir.join("node_modules/.bin/playwright")
                } else {
                    args.insert(0, "playwright".into());
                    PathBuf::from("npx")
                };
                (program, args, self.bench_dir.clone(), env)
            }
        };
        let figures = dir.join("measure.txt");
        let log = dir.join("output.log");
        let log_file = std::fs::File::create(&log)?;
        let mut cmd = Command::new(&self.wrapper);
        cmd.arg("bench")
            .arg("--measure-into")
            .arg(&figures)
            .arg("--cwd")
            .arg(&cwd)
            .arg("--")
            .arg(&program)
            .args(&args)
            .envs(env)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        crate::sinks::keep_off_real_sinks(&mut cmd);
        let status = cmd.status().context("cannot start the measuring wrapper")?;
        let sample = std::fs::read_to_string(&figures)
            .ok()
            .and_then(|t| Sample::parse(&t));
        match sample {
            Some(s) if status.success() && s.exit == 0 => Ok(s),
            _ => {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(30).collect();
                eprintln!("--- last lines of {} ---", log.display());
                for line in tail.iter().rev() {
                    eprintln!("{line}");
                }
                bail!(
                    "{} did not pass (wrapper {status}, run exit {}); the bench compares \
                     passing runs only. Log: {}",
                    tool.name(),
                    sample.map_or("unknown".to_string(), |s| s.exit.to_string()),
                    log.display()
                )
            }
        }
    }
}

fn first_line(cmd: &mut Command) -> Result<String> {
    let out = cmd.stderr(Stdio::null()).output()?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("unknown")
        .trim()
        .to_string())
}

#[derive(Debug, Clone, Copy)]
enum Tool {
    ProdSmoke,
    Playwright,
    /// The `--against` prod-smoke binary.
    Against,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::ProdSmoke => "prod-smoke",
            Tool::Playwright => "playwright",
            Tool::Against => "against",
        }
    }

    /// The tool's column heading in the tables.
    fn title(self) -> &'static str {
        match self {
            Tool::ProdSmoke => "prod-smoke",
            Tool::Playwright => "Playwright",
            Tool::Against => "--against",
        }
    }
}

/// What both tools run.
enum Suite {
    /// prod-smoke's embedded suite and `bench/tests/qa_readonly.spec.ts`.
    QaReadonly,
    /// A generated suite of `pages` visits, as a prod-smoke YAML file and a
    /// Playwright spec folder under `bench/` (so it resolves `@playwright/test`).
    Pages {
        pages: usize,
        yaml: PathBuf,
        pw_dir: PathBuf,
    },
}

/// The paths the generated suites cycle through, with a text each page shows.
const PAGES: &[(&str, &str)] = &[
    ("/", "McRitchie Studio"),
    ("/signin", "Sign in"),
    ("/tasks", "Tasks"),
];

impl Suite {
    fn yaml(&self) -> Option<&Path> {
        match self {
            Suite::QaReadonly => None,
            Suite::Pages { yaml, .. } => Some(yaml),
        }
    }

    fn pages(&self) -> usize {
        match self {
            Suite::QaReadonly => 3,
            Suite::Pages { pages, .. } => *pages,
        }
    }

    /// Writes N visits, split round-robin into up to eight scenarios; each
    /// visit takes a screenshot and checks the title and a text.
    fn generate(tmp: &Path, bench_dir: &Path, pages: usize) -> Result<Suite> {
        let scenarios = pages.min(PAGES_SCENARIOS);
        let mut yaml = String::from("# Generated by `cargo xtask bench --pages`.\n");
        let _ = writeln!(yaml, "suite: bench-pages-{pages}\nscenarios:");
        let mut ts = String::from(
            "// Generated by `cargo xtask bench --pages`.\nimport { test, expect } from '@playwright/test';\n",
        );
        for s in 0..scenarios {
            let _ = writeln!(
                yaml,
                "  - name: pages batch {}\n    tags: [\"{PAGES_TAG}\"]\n    steps:",
                s + 1
            );
            let _ = writeln!(
                ts,
                "\ntest('pages batch {}', {{ tag: '{PAGES_TAG}' }}, async ({{ page }}, testInfo) => {{",
                s + 1
            );
            for v in (s..pages).step_by(scenarios) {
                let (path, text) = PAGES[v % PAGES.len()];
                let _ = writeln!(
                    yaml,
                    "      - visit: {path}\n      - title: /McRitchie Studio/\n      - text: {text}\n        in: body"
                );
                let _ = writeln!(
                    ts,
                    "  expect((await page.goto('{path}'))?.ok()).toBeTruthy();\n  \
                     await page.screenshot({{ path: testInfo.outputPath('v{v:03}.png'), fullPage: true }});\n  \
                     await expect(page).toHaveTitle(/McRitchie Studio/);\n  \
                     await expect(page.locator('body')).toContainText('{text}');"
                );
            }
            ts.push_str("});\n");
        }
        std::fs::create_dir_all(tmp)?;
        let yaml_path = tmp.join(format!("pages-{pages}.yaml"));
        std::fs::write(&yaml_path, yaml)?;
        let pw_dir = bench_dir.join("generated").join(format!("pages-{pages}"));
        std::fs::create_dir_all(&pw_dir)?;
        std::fs::write(pw_dir.join("pages.spec.ts"), ts)?;
        Ok(Suite::Pages {
            pages,
            yaml: yaml_path,
            pw_dir,
        })
    }
}

/// One measured run.
#[derive(Debug, Clone)]
struct Sample {
    /// Start of the process to its exit (not its last descendant's).
    wall: Duration,
    /// User and system CPU of the whole process tree.
    user: Duration,
    sys: Duration,
    /// `ru_maxrss` of RUSAGE_CHILDREN: the peak RSS of the single largest
    /// process in the tree, not a sum.
    maxrss_kib: u64,
    /// Largest sampled sum of PSS over the live tree (every 100 ms).
    tree_pss_kib: u64,
    exit: i32,
    /// CPU by kind of process (see [`ProcessKind`]), read from
    /// `/proc/<pid>/stat` at every sample: the last 100 ms of a process's
    /// life are missed, so the parts add up to a little less than `user + sys`.
    cpu_by_kind: Vec<(ProcessKind, Duration)>,
}

impl Sample {
    fn cpu(&self) -> Duration {
        self.user + self.sys
    }

    fn to_text(&self) -> String {
        let mut text = format!(
            "wall_us={}\nuser_us={}\nsys_us={}\nmaxrss_kib={}\ntree_pss_kib={}\nexit={}\n",
            self.wall.as_micros(),
            self.user.as_micros(),
            self.sys.as_micros(),
            self.maxrss_kib,
            self.tree_pss_kib,
            self.exit
        );
        for (kind, cpu) in &self.cpu_by_kind {
            let _ = writeln!(text, "cpu.{}_us={}", kind.key(), cpu.as_micros());
        }
        text
    }

    /// CPU spent by processes of `kind`.
    fn cpu_of(&self, kind: ProcessKind) -> Duration {
        self.cpu_by_kind
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, d)| *d)
            .sum()
    }

    fn parse(text: &str) -> Option<Sample> {
        let map: HashMap<&str, i64> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .filter_map(|(k, v)| Some((k, v.trim().parse().ok()?)))
            .collect();
        let us = |k: &str| Some(Duration::from_micros(u64::try_from(*map.get(k)?).ok()?));
        Some(Sample {
            wall: us("wall_us")?,
            user: us("user_us")?,
            sys: us("sys_us")?,
            maxrss_kib: u64::try_from(*map.get("maxrss_kib")?).ok()?,
            tree_pss_kib: u64::try_from(*map.get("tree_pss_kib")?).ok()?,
            exit: i32::try_from(*map.get("exit")?).ok()?,
            cpu_by_kind: ProcessKind::ALL
                .iter()
                .filter_map(|&k| Some((k, us(&format!("cpu.{}_us", k.key()))?)))
                .collect(),
        })
    }
}

/// What a process in a measured tree does, from its command line. Chromium
/// names its helpers with `--type=`; the network service and the other
/// utilities share `--type=utility`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum ProcessKind {
    /// prod-smoke itself, or Playwright's Node processes (runner and workers).
    Tool,
    /// Chromium's browser process: CDP, navigation, screenshot encoding.
    Browser,
    /// Renderers: parsing, style, layout, paint, JavaScript.
    Renderer,
    /// The GPU process, which composites and rasterises in software here.
    Gpu,
    /// The network service.
    Network,
    /// Other utilities (storage, audio), the zygotes and crashpad.
    OtherHelper,
    /// Anything else (npx's shell, say).
    Other,
}

impl ProcessKind {
    const ALL: [ProcessKind; 7] = [
        ProcessKind::Tool,
        ProcessKind::Browser,
        ProcessKind::Renderer,
        ProcessKind::Gpu,
        ProcessKind::Network,
        ProcessKind::OtherHelper,
        ProcessKind::Other,
    ];

    fn key(self) -> &'static str {
        match self {
            ProcessKind::Tool => "tool",
            ProcessKind::Browser => "browser",
            ProcessKind::Renderer => "renderer",
            ProcessKind::Gpu => "gpu",
            ProcessKind::Network => "network",
            ProcessKind::OtherHelper => "helpers",
            ProcessKind::Other => "other",
        }
    }

    fn title(self) -> &'static str {
        match self {
            ProcessKind::Tool => "the tool itself (prod-smoke, or Node)",
            ProcessKind::Browser => "Chromium browser process",
            ProcessKind::Renderer => "Chromium renderers",
            ProcessKind::Gpu => "Chromium GPU process (software compositing)",
            ProcessKind::Network => "Chromium network service",
            ProcessKind::OtherHelper => "other Chromium helpers (zygotes, utilities)",
            ProcessKind::Other => "other processes",
        }
    }

    /// Classifies a process by its NUL-separated command line.
    fn of(cmdline: &[u8]) -> ProcessKind {
        let mut args: Vec<&str> = cmdline
            .split(|&b| b == 0)
            .filter_map(|a| std::str::from_utf8(a).ok())
            .filter(|a| !a.is_empty())
            .collect();
        // Chromium's helpers rewrite their title into one space-separated
        // string (setproctitle), so split that again.
        if let [one] = args[..] {
            args = one.split(' ').collect();
        }
        let exe = args.first().copied().unwrap_or("");
        let ty = args.iter().find_map(|a| a.strip_prefix("--type="));
        let name = exe.rsplit('/').next().unwrap_or(exe);
        match ty {
            Some("renderer") => ProcessKind::Renderer,
            Some("gpu-process") => ProcessKind::Gpu,
            Some("utility")
                if args
                    .iter()
                    .any(|a| a.contains("--utility-sub-type=network.")) =>
            {
                ProcessKind::Network
            }
            Some(_) => ProcessKind::OtherHelper,
            None if name.starts_with("chrom") || name == "headless_shell" => ProcessKind::Browser,
            None if name.starts_with("prod-smoke") || name == "node" => ProcessKind::Tool,
            None => ProcessKind::Other,
        }
    }
}

/// The table's header line: versions, cores and how busy the machine was.
fn machine(v: &Versions) -> String {
    format!(
        "{} · {} · {} cores · load average at the end {}",
        v.chromium,
        v.playwright,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        loadavg()
    )
}

/// The 1, 5 and 15 minute load averages.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn stat(samples: &[Sample], f: impl Fn(&Sample) -> f64) -> (f64, f64, f64) {
    let xs: Vec<f64> = samples.iter().map(f).collect();
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (median(xs), min, max)
}

/// One figure of a sample, for the tables.
type Measure = fn(&Sample) -> f64;

/// `median unit (min–max)`: seconds to two decimals, MiB to whole numbers.
fn median_range(samples: &[Sample], f: Measure, unit: &str) -> String {
    let (m, lo, hi) = stat(samples, f);
    let prec = if unit == "s" { 2 } else { 0 };
    format!("{m:.prec$} {unit} ({lo:.prec$}–{hi:.prec$})")
}

fn secs(s: &Sample) -> f64 {
    s.wall.as_secs_f64()
}
fn cpu_secs(s: &Sample) -> f64 {
    s.cpu().as_secs_f64()
}
fn maxrss_mib(s: &Sample) -> f64 {
    s.maxrss_kib as f64 / 1024.0
}
fn tree_mib(s: &Sample) -> f64 {
    s.tree_pss_kib as f64 / 1024.0
}

fn qa_table(v: &Versions, rounds: usize, other: &str, samples: &[Vec<Sample>; 2]) -> String {
    let [ps, pw] = samples;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n@qa-readonly suite: {rounds} interleaved rounds after a warm-up; median (min–max)\n{}\n",
        machine(v)
    );
    let _ = writeln!(
        out,
        "| measure | prod-smoke | {other} | prod-smoke / {other} |\n| --- | --- | --- | --- |"
    );
    let rows: [(&str, Measure, &str); 4] = [
        ("wall time", secs, "s"),
        ("CPU time (user+sys, whole tree)", cpu_secs, "s"),
        ("peak RSS, largest single process", maxrss_mib, "MiB"),
        ("peak PSS, whole tree (sampled)", tree_mib, "MiB"),
    ];
    for (name, f, unit) in rows {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {:.2}× |",
            median_range(ps, f, unit),
            median_range(pw, f, unit),
            stat(ps, f).0 / stat(pw, f).0
        );
    }
    out.push_str(&breakdown_table("@qa-readonly", other, samples));
    out
}

fn pages_table(
    v: &Versions,
    rounds: usize,
    other: &str,
    rows: &[(usize, usize, [Vec<Sample>; 2])],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n--pages: {rounds} interleaved rounds per row after a warm-up; median (min–max)\n{}\n",
        machine(v)
    );
    let _ = writeln!(
        out,
        "| pages | workers | prod-smoke wall (min–max) | {other} wall | wall ratio | prod-smoke CPU | {other} CPU | CPU ratio | prod-smoke tree PSS | {other} tree PSS |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for (pages, workers, [ps, pw]) in rows {
        let (aw, bw) = (stat(ps, secs).0, stat(pw, secs).0);
        let (ac, bc) = (stat(ps, cpu_secs).0, stat(pw, cpu_secs).0);
        let _ = writeln!(
            out,
            "| {pages} | {workers} | {} | {} | {:.2}× | {} | {} | {:.2}× | {} | {} |",
            median_range(ps, secs, "s"),
            median_range(pw, secs, "s"),
            aw / bw,
            median_range(ps, cpu_secs, "s"),
            median_range(pw, cpu_secs, "s"),
            ac / bc,
            median_range(ps, tree_mib, "MiB"),
            median_range(pw, tree_mib, "MiB"),
        );
    }
    for (pages, workers, samples) in rows {
        out.push_str(&breakdown_table(
            &format!("{pages} pages, {workers} workers"),
            other,
            samples,
        ));
    }
    out
}

/// Where each tool's CPU went, by kind of process: medians over the rounds.
fn breakdown_table(label: &str, other: &str, [ps, pw]: &[Vec<Sample>; 2]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nCPU by process, {label} (medians; sampled every 100 ms, so the parts miss each process's last moments)\n\n\
         | process | prod-smoke | {other} |\n| --- | ---: | ---: |"
    );
    for kind in ProcessKind::ALL {
        let a = median(ps.iter().map(|s| s.cpu_of(kind).as_secs_f64()).collect());
        let b = median(pw.iter().map(|s| s.cpu_of(kind).as_secs_f64()).collect());
        if a > 0.0 || b > 0.0 {
            let _ = writeln!(out, "| {} | {a:.2} s | {b:.2} s |", kind.title());
        }
    }
    let (a, b) = (stat(ps, cpu_secs).0, stat(pw, cpu_secs).0);
    let _ = writeln!(out, "| whole tree (getrusage) | {a:.2} s | {b:.2} s |");
    out
}

/// The measuring wrapper: `bench --measure-into FILE --cwd DIR -- PROGRAM ARGS…`.
mod wrapper {
    use super::*;

    pub fn main(args: &[String]) -> Result<()> {
        let (Some(out), Some(cwd)) = (args.first(), flag_value(args, "--cwd")) else {
            bail!("usage: bench --measure-into FILE --cwd DIR -- PROGRAM ARGS…");
        };
        let Some(sep) = args.iter().position(|a| a == "--") else {
            bail!("bench --measure-into: no `-- PROGRAM` given");
        };
        let argv = &args[sep + 1..];
        ensure!(!argv.is_empty(), "bench --measure-into: no program given");
        // Orphaned helpers (Chromium's zygote, Playwright's browsers) are
        // re-parented to us, so their CPU and memory land in RUSAGE_CHILDREN.
        nix::sys::prctl::set_child_subreaper(true)?;
        let before = getrusage(UsageWho::RUSAGE_CHILDREN)?;

        let t0 = Instant::now();
        let child = Command::new(&argv[0])
            .args(&argv[1..])
            .current_dir(cwd)
            .spawn()
            .with_context(|| format!("cannot start {}", argv[0]))?;
        let main_pid = Pid::from_raw(child.id() as i32);
        let watch = Watch::start(t0);

        let mut wall = None;
        let mut exit = -1;
        loop {
            match waitpid(Pid::from_raw(-1), None) {
                Ok(WaitStatus::Exited(pid, code)) if pid == main_pid => {
                    wall = Some(t0.elapsed());
                    exit = code;
                    watch.extend_deadline(t0.elapsed() + LINGER);
                }
                Ok(WaitStatus::Signaled(pid, sig, _)) if pid == main_pid => {
                    wall = Some(t0.elapsed());
                    exit = 128 + sig as i32;
                    eprintln!("bench: {} was killed by {sig}", argv[0]);
                    watch.extend_deadline(t0.elapsed() + LINGER);
                }
                Ok(_) | Err(Errno::EINTR) => {}
                Err(Errno::ECHILD) => break,
                Err(e) => return Err(e.into()),
            }
        }
        let (tree_pss_kib, cpu_by_kind) = watch.stop();
        let after = getrusage(UsageWho::RUSAGE_CHILDREN)?;
        let tv = |t: nix::sys::time::TimeVal| {
            Duration::from_secs(t.tv_sec().max(0) as u64)
                + Duration::from_micros(t.tv_usec().max(0) as u64)
        };
        let sample = Sample {
            wall: wall.context("the measured process was never reaped")?,
            user: tv(after.user_time()).saturating_sub(tv(before.user_time())),
            sys: tv(after.system_time()).saturating_sub(tv(before.system_time())),
            // Linux reports ru_maxrss in KiB.
            maxrss_kib: after.max_rss().max(0) as u64,
            tree_pss_kib,
            exit,
            cpu_by_kind,
        };
        std::fs::write(out, sample.to_text())?;
        Ok(())
    }

    /// A thread that samples the tree's memory and enforces the deadline.
    struct Watch {
        done: Arc<AtomicBool>,
        deadline_ms: Arc<AtomicU64>,
        thread: std::thread::JoinHandle<(u64, Vec<(ProcessKind, Duration)>)>,
    }

    impl Watch {
        fn start(t0: Instant) -> Watch {
            let done = Arc::new(AtomicBool::new(false));
            let deadline_ms = Arc::new(AtomicU64::new(RUN_TIMEOUT.as_millis() as u64));
            let (d, dl) = (done.clone(), deadline_ms.clone());
            let me = std::process::id();
            let thread = std::thread::spawn(move || {
                let mut peak = 0;
                let mut cpu = CpuByProcess::default();
                while !d.load(Ordering::SeqCst) {
                    let tree = descendants(me);
                    peak = peak.max(tree.iter().map(|p| pss_kib(p.pid)).sum());
                    cpu.note(&tree);
                    if t0.elapsed().as_millis() as u64 > dl.load(Ordering::SeqCst) {
                        eprintln!("bench: deadline passed; killing {} processes", tree.len());
                        for p in tree {
                            let _ = kill(Pid::from_raw(p.pid as i32), Signal::SIGKILL);
                        }
                    }
                    std::thread::sleep(SAMPLE_EVERY);
                }
                (peak, cpu.by_kind())
            });
            Watch {
                done,
                deadline_ms,
                thread,
            }
        }

        fn extend_deadline(&self, at: Duration) {
            self.deadline_ms
                .fetch_min(at.as_millis() as u64, Ordering::SeqCst);
        }

        /// Returns the peak sampled PSS in KiB and the CPU by kind of process.
        fn stop(self) -> (u64, Vec<(ProcessKind, Duration)>) {
            self.done.store(true, Ordering::SeqCst);
            self.thread.join().unwrap_or_default()
        }
    }

    /// The last CPU reading of every process seen in the tree, and what
    /// kind of process it was (read once, at first sight).
    #[derive(Default)]
    struct CpuByProcess {
        seen: HashMap<u32, (ProcessKind, u64)>,
    }

    impl CpuByProcess {
        fn note(&mut self, tree: &[Proc]) {
            let kind = |pid: u32| {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                ProcessKind::of(&cmdline)
            };
            for p in tree {
                let entry = self.seen.entry(p.pid).or_insert_with(|| (kind(p.pid), 0));
                // A renderer forked from the zygote carries the zygote's
                // command line until it renames itself, so look again.
                if entry.0 == ProcessKind::OtherHelper {
                    entry.0 = kind(p.pid);
                }
                entry.1 = entry.1.max(p.cpu_ticks);
            }
        }

        fn by_kind(&self) -> Vec<(ProcessKind, Duration)> {
            // Linux reports utime and stime in USER_HZ, 100 a second on
            // every architecture Rust targets here.
            let mut sums: std::collections::BTreeMap<ProcessKind, u64> = Default::default();
            for (kind, ticks) in self.seen.values() {
                *sums.entry(*kind).or_default() += ticks;
            }
            sums.into_iter()
                .map(|(k, t)| (k, Duration::from_millis(t * 10)))
                .collect()
        }
    }

    /// A live process of the tree and its CPU so far.
    struct Proc {
        pid: u32,
        cpu_ticks: u64,
    }

    /// Every live descendant of `root`, from `/proc/*/stat` parent links,
    /// with its user plus system CPU.
    fn descendants(root: u32) -> Vec<Proc> {
        let mut children: HashMap<u32, Vec<(u32, u64)>> = HashMap::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // Fields after the command name, which may hold spaces or `)`:
            // state, ppid, … utime is the 12th of them and stime the 13th.
            let Some(fields) = stat
                .rsplit_once(')')
                .map(|(_, rest)| rest.split_whitespace().collect::<Vec<_>>())
            else {
                continue;
            };
            let num = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
            let Some(ppid) = num(1) else { continue };
            let ticks = num(11).unwrap_or(0) + num(12).unwrap_or(0);
            children.entry(ppid as u32).or_default().push((pid, ticks));
        }
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(p) = stack.pop() {
            for &(pid, cpu_ticks) in children.get(&p).into_iter().flatten() {
                out.push(Proc { pid, cpu_ticks });
                stack.push(pid);
            }
        }
        out
    }

    fn pss_kib(pid: u32) -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("Pss:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn sample_round_trips() {
        let s = Sample {
            wall: Duration::from_millis(1234),
            user: Duration::from_micros(5),
            sys: Duration::from_micros(6),
            maxrss_kib: 7,
            tree_pss_kib: 8,
            exit: 0,
            cpu_by_kind: vec![(ProcessKind::Renderer, Duration::from_millis(90))],
        };
        let back = Sample::parse(&s.to_text()).unwrap();
        assert_eq!((back.wall, back.maxrss_kib, back.exit), (s.wall, 7, 0));
        assert_eq!(
            back.cpu_of(ProcessKind::Renderer),
            Duration::from_millis(90)
        );
        assert_eq!(back.cpu_of(ProcessKind::Gpu), Duration::ZERO);
    }

    #[test]
    fn processes_are_classified_by_their_command_line() {
        let chromium = "/usr/lib/chromium/chromium";
        let cases: &[(&[&str], ProcessKind)] = &[
            (&[chromium, "--headless"], ProcessKind::Browser),
            (&[chromium, "--type=renderer"], ProcessKind::Renderer),
            (&[chromium, "--type=gpu-process"], ProcessKind::Gpu),
            (
                &[
                    chromium,
                    "--type=utility",
                    "--utility-sub-type=network.mojom.NetworkService",
                ],
                ProcessKind::Network,
            ),
            (&[chromium, "--type=zygote"], ProcessKind::OtherHelper),
            (
                &["/work/target/release/prod-smoke", "mcritchie-studio"],
                ProcessKind::Tool,
            ),
            (
                &["node", "/bench/node_modules/.bin/playwright"],
                ProcessKind::Tool,
            ),
            (&["/bin/sh", "-c", "x"], ProcessKind::Other),
            // A helper's rewritten title: one string, spaces between arguments.
            (
                &[
                    "/usr/lib/chromium/chromium --type=renderer --user-data-dir=/tmp/prod-smoke-profile-x",
                ],
                ProcessKind::Renderer,
            ),
        ];
        for (args, want) in cases {
            assert_eq!(
                ProcessKind::of(args.join("\0").as_bytes()),
                *want,
                "{args:?}"
            );
        }
    }

    #[test]
    fn pages_suite_splits_visits_across_scenarios() {
        let dir = std::env::temp_dir().join(format!("bench-gen-test-{}", std::process::id()));
        let Suite::Pages { yaml, pw_dir, .. } = Suite::generate(&dir, &dir, 20).unwrap() else {
            unreachable!()
        };
        let yaml = std::fs::read_to_string(yaml).unwrap();
        let ts = std::fs::read_to_string(pw_dir.join("pages.spec.ts")).unwrap();
        assert_eq!(yaml.matches("- visit:").count(), 20);
        assert_eq!(yaml.matches("- name:").count(), PAGES_SCENARIOS);
        assert_eq!(ts.matches("page.goto(").count(), 20);
        assert_eq!(ts.matches("\ntest(").count(), PAGES_SCENARIOS);
        let _ = std::fs::remove_dir_all(dir);
    }
}
