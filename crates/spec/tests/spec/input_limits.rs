//! What a spec file can do to prod-smoke itself: a device or FIFO for a
//! path, a file that never ends, nesting that makes the parser crawl, a key
//! written twice, and a huge value echoed back. Each is refused at once,
//! with a place.

use std::path::Path;
use std::time::{Duration, Instant};

use prod_smoke_spec::{SpecError, Suite};

/// Runs `load` on a thread, so a read that blocks fails the test instead
/// of hanging it.
fn load_within(path: &Path, limit: Duration) -> Result<Suite, SpecError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(Suite::load(&path));
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("loading the spec did not return within {limit:?}"))
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.expect("mkfifo runs").success(), "mkfifo");
}

fn suite_with_step(step: &str) -> String {
    format!("scenarios:\n  - name: a\n    steps:\n      - visit: /\n      - {step}\n")
}

#[test]
fn a_device_or_a_fifo_is_refused_without_reading_it() {
    let e = load_within(Path::new("/dev/zero"), Duration::from_secs(10)).unwrap_err();
    assert!(
        e.to_string()
            .contains("/dev/zero is a character device, not a regular file"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("spec.yaml");
    mkfifo(&fifo);
    let e = load_within(&fifo, Duration::from_secs(10)).unwrap_err();
    assert!(
        e.to_string()
            .contains("is a FIFO (named pipe), not a regular file"),
        "{e}"
    );
}

#[test]
fn a_file_over_the_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, format!("# {}\nscenarios: []\n", "x".repeat(2 << 20))).unwrap();
    let e = Suite::load(&big).unwrap_err();
    assert!(matches!(e, SpecError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("1048576-byte limit"), "{e}");
}

/// 40,000 levels took 4.8 s (release build) before; the depth is now
/// refused by a linear scan, before the parser sees it.
#[test]
fn deep_flow_nesting_is_refused_with_a_place_before_parsing() {
    for levels in [40_000, 200_000] {
        let src = format!(
            "scenarios:\n  - name: a\n    steps:\n      - get: /up\n        status: {}{}\n",
            "[".repeat(levels),
            "]".repeat(levels)
        );
        assert!(src.len() < prod_smoke_spec::MAX_SPEC_BYTES);
        let started = Instant::now();
        let e = Suite::parse("deep.yaml", &src).unwrap_err();
        let took = started.elapsed();
        eprintln!("{levels} levels refused in {took:?}");
        assert!(
            took < Duration::from_secs(5),
            "{levels} levels took {took:?}"
        );
        let (line, column) = e.location().unwrap_or_else(|| panic!("no place: {e}"));
        assert_eq!(line, 5, "{e}");
        assert!(column > 17, "{e}");
        assert!(
            e.to_string().contains("nesting deeper than 64 levels"),
            "{e}"
        );
    }
}

#[test]
fn deep_block_nesting_is_refused_too() {
    let src = format!("scenarios:\n  - {}name: a\n", "- ".repeat(100_000));
    let e = Suite::parse("deep.yaml", &src).unwrap_err();
    assert!(
        e.to_string().contains("nesting deeper than 64 levels"),
        "{e}"
    );
    assert_eq!(e.location().map(|l| l.0), Some(2), "{e}");
}

#[test]
fn a_key_written_twice_names_both_places() {
    let src = "suite: one\nscenarios:\n  - name: a\n    steps:\n      - visit: /\n  - name: b\n    tags: ['@x']\n    steps:\n      - visit: /\n    tags: ['@y']\n";
    let e = Suite::parse("dup.yaml", src).unwrap_err();
    assert_eq!(e.location(), Some((10, 5)), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("key `tags` is written twice"), "{msg}");
    assert!(msg.contains("first at line 7, column 5"), "{msg}");
    assert!(msg.contains("dup.yaml:10:5"), "{msg}");

    let e = Suite::parse(
        "dup.yaml",
        &suite_with_step("json: a\n        equals: {x: 1, x: 2}"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("first at line 6, column 18"), "{e}");
}

/// A 1 MB regex (or any value) is named by an excerpt, never echoed whole.
#[test]
fn a_huge_bad_value_is_echoed_as_an_excerpt() {
    let huge = format!("/({}/", "a".repeat(900_000));
    for step in [format!("title: '{huge}'"), format!("visit: 'x{huge}'")] {
        let e = Suite::parse("big.yaml", &suite_with_step(&step)).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.len() < 2_000,
            "{} bytes echoed: {}",
            msg.len(),
            &msg[..300]
        );
        assert!(msg.contains("more characters"), "{msg}");
        assert!(e.location().is_some(), "{msg}");
    }
    // A long regex is refused before it is compiled: bounded by work.
    let e = Suite::parse("big.yaml", &suite_with_step(&format!("title: '{huge}'"))).unwrap_err();
    assert!(
        e.to_string().contains("over the 4096-character limit"),
        "{e}"
    );
}
