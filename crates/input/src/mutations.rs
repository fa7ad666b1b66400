//! Mutations of a valid YAML file, as an operator's bad day (or an
//! attacker) produces them, for the fuzz tests of every crate that reads
//! one: deep flow and block nesting, duplicated lines and keys, huge
//! scalars, stray quotes and indicators, random text. Behind the
//! `mutations` feature, which only dev-dependencies turn on.

use proptest::prelude::*;

use crate::excerpt;

/// A fragment that has hurt a YAML reader.
pub fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        (1usize..50_000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
        (1usize..50_000).prop_map(|n| "[".repeat(n)),
        (1usize..20_000).prop_map(|n| format!("{}x{}", "{a: ".repeat(n), "}".repeat(n))),
        (1usize..50_000).prop_map(|n| format!("{}x", "- ".repeat(n))),
        (1usize..1_000).prop_map(|n| (0..n).map(|i| format!("\n{}k:", " ".repeat(i))).collect()),
        "[a-z_]{1,8}".prop_map(|k| format!("\n{k}: 1\n{k}: 2\n")),
        (1usize..1_100_000).prop_map(|n| "x".repeat(n)),
        prop::sample::select(vec![
            "&a [*a, *a]",
            "*nope",
            "!!binary x",
            "!tag",
            "|\n  text\n",
            ">-\n",
            "\"unclosed",
            "'",
            "\t",
            "\n---\n",
            "\n...\n",
            "\u{0}",
            ": ",
            "? ",
            "- ",
            "#",
            "{",
            "}",
            "]",
            "%YAML 1.2\n",
            "<<: *a",
            "\u{feff}",
            "\r\n",
            "~",
            "null",
            "1e999",
        ])
        .prop_map(str::to_string),
        ".{0,40}",
    ]
}

/// `base` with one mutation: a fragment inserted, a span replaced by a
/// fragment, or a line written twice.
pub fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    (0..=base.len(), 0usize..3, 0usize..64, fragment()).prop_map(move |(at, kind, len, frag)| {
        let at = floor_char(base, at);
        let end = floor_char(base, (at + len).min(base.len()));
        match kind {
            0 => format!("{}{frag}{}", &base[..at], &base[at..]),
            1 => format!("{}{frag}{}", &base[..at], &base[end..]),
            _ => {
                let start = base[..at].rfind('\n').map_or(0, |i| i + 1);
                let stop = base[at..].find('\n').map_or(base.len(), |i| at + i + 1);
                format!("{}{}", &base[..stop], &base[start..])
            }
        }
    })
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A bound no parse of a mutated file may reach, even in a debug build on
/// a 2-core machine shared with other builds. Measured (debug, idle): a
/// median case well under 10 ms, the slowest (a 1 MiB scalar) about
/// 0.6 s; before the depth check, 25,000 levels of `[` took over 10 s.
/// The tight bound is on work instead: the depth scan stops at 64 levels.
pub const SLOWEST_ALLOWED: std::time::Duration = std::time::Duration::from_secs(10);

/// What a fuzz run saw.
#[derive(Debug, Default)]
pub struct Summary {
    pub cases: usize,
    pub refused: usize,
    pub slowest: std::time::Duration,
    pub slowest_len: usize,
    pub median: std::time::Duration,
}

/// Runs `parse` on `cases` mutations of `base`. `parse` returns `Ok(true)`
/// when the text was accepted, `Ok(false)` when it was refused as it
/// should be (with a place or a whole-file rule), and `Err` with the
/// reason when the refusal broke a rule. Any case slower than
/// [`SLOWEST_ALLOWED`] fails the run; the timings are returned to print.
pub fn fuzz(
    base: &'static str,
    cases: u32,
    parse: impl Fn(&str) -> Result<bool, String>,
) -> Summary {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    use std::sync::Mutex;
    use std::time::Instant;

    let seen = Mutex::new(Vec::new());
    let failed = Mutex::new(String::new());
    let mut runner = TestRunner::new(Config {
        cases,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&mutated(base), |src| {
        let started = Instant::now();
        let outcome = parse(&src);
        let took = started.elapsed();
        let accepted = outcome.map_err(|why| {
            *failed.lock().expect("not poisoned") = src.clone();
            TestCaseError::fail(format!("{why}\n(input of {} bytes)", src.len()))
        })?;
        if took > SLOWEST_ALLOWED {
            *failed.lock().expect("not poisoned") = src.clone();
            return Err(TestCaseError::fail(format!(
                "{} bytes took {took:?} to {}",
                src.len(),
                if accepted { "accept" } else { "refuse" }
            )));
        }
        seen.lock()
            .expect("not poisoned")
            .push((took, src.len(), accepted));
        Ok(())
    });
    if let Err(e) = result {
        // The input is kept whole in a file: a mutation can be 1 MB.
        let kept = std::env::temp_dir().join("prod-smoke-fuzz-failure.yaml");
        let _ = std::fs::write(&kept, failed.into_inner().expect("not poisoned"));
        let e = e.to_string();
        panic!(
            "{}\n(the last failing input is in {})",
            excerpt(&e, 2_000),
            kept.display()
        );
    }
    let mut seen = seen.into_inner().expect("not poisoned");
    seen.sort();
    let slowest = seen.last().copied().unwrap_or_default();
    Summary {
        cases: seen.len(),
        refused: seen.iter().filter(|s| !s.2).count(),
        slowest: slowest.0,
        slowest_len: slowest.1,
        median: seen.get(seen.len() / 2).map(|s| s.0).unwrap_or_default(),
    }
}
