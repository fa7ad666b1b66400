//! What a config file can do to prod-smoke itself: a device or FIFO in
//! place of `release_repos.yml`, nesting that makes the parser crawl, an
//! app written twice, a password in a URL, a huge value echoed back.

use std::path::Path;
use std::time::{Duration, Instant};

use prod_smoke_config::{AppTarget, ConfigError, check_url, resolve};

use super::write;

/// Resolves on a thread, so a read that blocks fails the test instead of
/// hanging it.
fn resolve_within(dir: &Path, limit: Duration) -> Result<AppTarget, ConfigError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let dir = dir.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(resolve("mcritchie-studio", None, &dir, true));
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("resolving did not return within {limit:?}"))
}

#[test]
fn a_device_or_a_fifo_for_a_config_file_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let repos = dir.path().join("release_repos.yml");
    std::os::unix::fs::symlink("/dev/zero", &repos).unwrap();
    let e = resolve_within(dir.path(), Duration::from_secs(10)).unwrap_err();
    assert!(
        e.to_string()
            .contains("is a character device, not a regular file"),
        "{e}"
    );

    std::fs::remove_file(&repos).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&repos).status();
    assert!(made.expect("mkfifo runs").success());
    let e = resolve_within(dir.path(), Duration::from_secs(10)).unwrap_err();
    assert!(
        e.to_string()
            .contains("is a FIFO (named pipe), not a regular file"),
        "{e}"
    );
    assert!(e.to_string().contains("release_repos.yml"), "{e}");
}

#[test]
fn deep_nesting_in_config_is_refused_with_a_place() {
    let dir = tempfile::tempdir().unwrap();
    for levels in [40_000, 200_000] {
        let nested = format!(
            "qa_environments:\n  mcritchie-studio:\n    production_url: {}{}\n",
            "[".repeat(levels),
            "]".repeat(levels)
        );
        write(dir.path(), "qa_environments.yml", &nested);
        let started = Instant::now();
        let e = resolve("mcritchie-studio", None, dir.path(), true).unwrap_err();
        let took = started.elapsed();
        eprintln!("{levels} levels refused in {took:?}");
        assert!(
            took < Duration::from_secs(5),
            "{levels} levels took {took:?}"
        );
        let ConfigError::Malformed { line, column, .. } = &e else {
            panic!("not located: {e}");
        };
        // Three block levels are open, so the 62nd `[` is one too many.
        assert_eq!((*line, *column), (3, 21 + 61), "{e}");
        assert!(
            e.to_string().contains("nesting deeper than 64 levels"),
            "{e}"
        );
    }
}

#[test]
fn an_app_written_twice_names_both_places() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "release_repos.yml",
        "apps:\n  turf-monster:\n    prod_deploy:\n      smoke_url: https://first.example\n  turf-monster:\n    prod_deploy:\n      smoke_url: https://second.example\n",
    );
    let e = resolve("turf-monster", None, dir.path(), true).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("release_repos.yml:5:3"), "{msg}");
    assert!(msg.contains("key `turf-monster` is written twice"), "{msg}");
    assert!(msg.contains("first at line 2, column 3"), "{msg}");
}

#[test]
fn a_password_in_a_url_is_never_printed() {
    let e = check_url("https://user:s3cretpw@example.com", false).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("credentials in the URL are refused"), "{msg}");
    assert!(!msg.contains("s3cretpw"), "{msg}");
    assert!(msg.contains("`https://***@example.com`"), "{msg}");
    // A token in the query is masked the same way.
    let msg = check_url("https://example.com/?token=abcdef123", false)
        .unwrap_err()
        .to_string();
    assert!(!msg.contains("abcdef123"), "{msg}");
    // A URL that does not parse still loses what looks like a password.
    let msg = check_url("https://user:s3cretpw@exa mple.com", false)
        .unwrap_err()
        .to_string();
    assert!(!msg.contains("s3cretpw"), "{msg}");

    // From config, the same.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "release_repos.yml",
        "apps:\n  turf-monster:\n    prod_deploy:\n      smoke_url: https://deploy:hunter22@turf.example\n",
    );
    let t = resolve("turf-monster", None, dir.path(), true).unwrap();
    let msg = check_url(&t.url, false).unwrap_err().to_string();
    assert!(!msg.contains("hunter22"), "{msg}");
}

#[test]
fn a_huge_url_is_echoed_as_an_excerpt() {
    let huge = format!("https://example.com/{}?q=1", "a".repeat(1 << 20));
    let msg = check_url(&huge, false).unwrap_err().to_string();
    assert!(msg.len() < 500, "{} bytes echoed", msg.len());
    assert!(msg.contains("more characters"), "{msg}");
}
