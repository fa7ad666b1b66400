use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use anyhow::{Result, bail};
use prod_smoke_testkit::TEST_DATABASE_URL_ENV;

use crate::postgres::TestDatabase;

/// Every test in the workspace, against real Chromium and a real Postgres.
/// Ends with one `N passed, N failed` line totalling every test binary, so
/// the last line says what ran (cargo's own last line is often an empty
/// doc-test run).
pub fn run(extra: &[String]) -> Result<()> {
    crate::chromium::ensure()?;
    let db = TestDatabase::find_or_start()?;
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["test", "--workspace", "--no-fail-fast"])
        .args(extra)
        .env(TEST_DATABASE_URL_ENV, db.url())
        .stdout(Stdio::piped());
    eprintln!(
        "$ cargo test --workspace --no-fail-fast {}",
        extra.join(" ")
    );
    let mut child = cmd.spawn()?;
    let mut totals = Totals::default();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line?;
        totals.add(&line);
        println!("{line}");
    }
    let status = child.wait()?;
    println!("{} passed, {} failed", totals.passed, totals.failed);
    if !status.success() {
        bail!("cargo test failed: {status}");
    }
    if totals.passed == 0 {
        bail!("no test ran");
    }
    drop(db);
    // The differential test against Playwright and the real browser pool
    // need npm for their side.
    if crate::parity::npm_present() {
        crate::parity::run(&[])?;
        crate::pool::run(&[])?;
    } else {
        println!(
            "SKIPPED parity: npm is not installed, so `cargo xtask parity` (prod-smoke vs \
             Playwright on the edge-case pages) did not run"
        );
        println!(
            "SKIPPED pool: npm is not installed, so `cargo xtask pool` (seals through a real \
             browserless pool) did not run"
        );
    }
    Ok(())
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
    use super::Totals;

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
}
