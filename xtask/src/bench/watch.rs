//! `cargo xtask bench --watch`: what one pass of `prod-smoke watch` costs
//! with one browser kept for the whole watch, against a browser launched
//! for each pass (`--browser-per-pass`). Both watch the loopback fixture
//! site in interleaved rounds (kept, per pass, per pass, kept, …) under the
//! same measuring wrapper as the rest of the bench, so noise lands on both.
//!
//! Per pass: the wall time from the pass's start to its record, read from
//! the watch's `watch.log`; the CPU of the whole process tree (prod-smoke,
//! Chromium and its helpers, the idle browser between passes included)
//! divided by the passes. It uses the debug build the tests use: the
//! difference measured is Chromium's start-up, not prod-smoke's own code.

use super::*;

const USAGE: &str = "\
usage: cargo xtask bench --watch [--rounds N] [--passes N] [--every SECS] [--keep]

  --rounds N    watches per mode (default 3)
  --passes N    passes per watch (default 8)
  --every SECS  time between two passes (default 2)
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Kept,
    PerPass,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Kept => "one browser for the watch",
            Mode::PerPass => "a browser per pass",
        }
    }
}

/// One measured watch.
struct Watched {
    sample: Sample,
    /// Each pass's wall time, in order.
    passes: Vec<Duration>,
}

pub fn run(args: &[String]) -> Result<()> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return Ok(());
    }
    let number = |flag: &str, default: u64| -> Result<u64> {
        flag_value(args, flag).map_or(Ok(default), |v| {
            v.parse()
                .with_context(|| format!("{flag} takes a number, not `{v}`"))
        })
    };
    let rounds = number("--rounds", 3)?.max(1) as usize;
    let passes = number("--passes", 8)?.max(2);
    let every = number("--every", 2)?.max(1);
    let keep = args.iter().any(|a| a == "--keep");

    let chromium = crate::chromium::ensure()?;
    crate::build_binaries(false)?;
    let tmp = std::env::temp_dir().join(format!("prod-smoke-watch-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let wrapper = tmp.join("xtask-measure");
    std::fs::copy(std::env::current_exe()?, &wrapper)
        .context("cannot copy the xtask binary for the measuring wrapper")?;
    let site = FixtureProcess::start("target/debug/fixture-site")?;
    let root = std::env::current_dir()?;
    let prod_smoke = root.join("target/debug/prod-smoke");
    eprintln!(
        "fixture site: {}\n{}\nload average: {}",
        site.url,
        first_line(Command::new(&chromium).arg("--version"))?,
        loadavg()
    );

    // `--for` ends the window just after the last pass's slot.
    let window = every * (passes - 1) + 1;
    let mut samples: Vec<(Mode, Watched)> = Vec::new();
    for round in 0..rounds {
        let order = if round % 2 == 0 {
            [Mode::Kept, Mode::PerPass]
        } else {
            [Mode::PerPass, Mode::Kept]
        };
        for mode in order {
            let dir = tmp.join(format!("round-{round}-{mode:?}"));
            std::fs::create_dir_all(&dir)?;
            let mut args: Vec<OsString> = vec![
                "watch".into(),
                "mcritchie-studio".into(),
                "--url".into(),
                site.url.clone().into(),
                "--every".into(),
                format!("{every}s").into(),
                "--for".into(),
                format!("{window}s").into(),
                "--retries".into(),
                "0".into(),
                "--artifacts".into(),
                dir.join("artifacts").into(),
                "--ledger".into(),
                dir.join("ledger.sqlite3").into(),
                "--chromium".into(),
                chromium.clone().into(),
            ];
            if mode == Mode::PerPass {
                args.push("--browser-per-pass".into());
            }
            let figures = dir.join("measure.txt");
            let log = std::fs::File::create(dir.join("output.log"))?;
            let mut cmd = Command::new(&wrapper);
            cmd.arg("bench")
                .arg("--measure-into")
                .arg(&figures)
                .arg("--cwd")
                .arg(&root)
                .arg("--")
                .arg(&prod_smoke)
                .args(&args)
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log);
            crate::sinks::keep_off_real_sinks(&mut cmd);
            let status = cmd.status().context("cannot start the measuring wrapper")?;
            let sample = std::fs::read_to_string(&figures)
                .ok()
                .and_then(|t| Sample::parse(&t));
            let Some(sample) = sample.filter(|s| status.success() && s.exit == 0) else {
                bail!(
                    "the watch ({}) did not end green; see {}",
                    mode.name(),
                    dir.join("output.log").display()
                );
            };
            let log = std::fs::read_to_string(dir.join("artifacts/watch.log"))
                .context("reading the watch's watch.log")?;
            let passes = pass_times(&log);
            ensure!(!passes.is_empty(), "no pass in {}", dir.display());
            eprintln!(
                "round {}: {}: {} passes, {:.1} s CPU",
                round + 1,
                mode.name(),
                passes.len(),
                sample.cpu().as_secs_f64()
            );
            samples.push((mode, Watched { sample, passes }));
        }
    }
    drop(site);
    print!("{}", table(&samples, rounds, every));
    if keep {
        eprintln!("kept {}", tmp.display());
    } else {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

/// Each pass's wall time: from its `pass N starts` line to its `pass N
/// at …` line in watch.log (both stamped `2026-12-07T01:02:03.456Z`).
fn pass_times(log: &str) -> Vec<Duration> {
    let stamp = |line: &str| -> Option<f64> {
        let time = line.split_whitespace().next()?;
        let clock = time.split('T').nth(1)?.trim_end_matches('Z');
        let mut parts = clock.split(':');
        let h: f64 = parts.next()?.parse().ok()?;
        let m: f64 = parts.next()?.parse().ok()?;
        let s: f64 = parts.next()?.parse().ok()?;
        Some(h * 3600.0 + m * 60.0 + s)
    };
    let mut started: HashMap<String, f64> = HashMap::new();
    let mut out = Vec::new();
    for line in log.lines() {
        let mut words = line.split_whitespace().skip(1);
        let (Some("pass"), Some(n), Some(what)) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let Some(at) = stamp(line) else { continue };
        match what {
            "starts" => {
                started.insert(n.to_string(), at);
            }
            "at" => {
                if let Some(from) = started.remove(n) {
                    out.push(Duration::from_secs_f64((at - from).max(0.0)));
                }
            }
            _ => {}
        }
    }
    out
}

fn table(samples: &[(Mode, Watched)], rounds: usize, every: u64) -> String {
    let mut out = format!(
        "\n`prod-smoke watch --every {every}s` on the fixture site, {rounds} watch(es) per \
         mode, medians (range):\n\n\
         | | wall per pass | wall of the first pass | CPU per pass (whole tree) |\n\
         | --- | --- | --- | --- |\n"
    );
    for mode in [Mode::Kept, Mode::PerPass] {
        let of: Vec<&Watched> = samples
            .iter()
            .filter(|(m, _)| *m == mode)
            .map(|(_, w)| w)
            .collect();
        let later: Vec<f64> = of
            .iter()
            .flat_map(|w| w.passes.iter().skip(1).map(Duration::as_secs_f64))
            .collect();
        let first: Vec<f64> = of.iter().map(|w| w.passes[0].as_secs_f64()).collect();
        let cpu: Vec<f64> = of
            .iter()
            .map(|w| w.sample.cpu().as_secs_f64() / w.passes.len() as f64)
            .collect();
        let show = |xs: &[f64]| {
            let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = xs.iter().copied().fold(0.0, f64::max);
            format!("{:.2} s ({lo:.2}–{hi:.2})", median(xs.to_vec()))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            mode.name(),
            show(&later),
            show(&first),
            show(&cpu)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_times_pair_starts_with_records() {
        let log = "\
2026-12-07T01:00:00.000Z pass 1 starts
2026-12-07T01:00:01.500Z pass 1 at 0s: green — sealed
2026-12-07T01:00:02.000Z pass 2 starts
2026-12-07T01:00:02.750Z pass 2 at 2s: green — unchanged, nothing posted
2026-12-07T01:00:03.000Z SIGINT: the watch ends
";
        let times = pass_times(log);
        assert_eq!(times.len(), 2);
        assert!((times[0].as_secs_f64() - 1.5).abs() < 1e-6);
        assert!((times[1].as_secs_f64() - 0.75).abs() < 1e-6);
    }
}
