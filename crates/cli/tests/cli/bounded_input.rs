//! Bad input that used to hurt prod-smoke itself: a password printed by the
//! error that refuses it, a FIFO or device read without end, a huge value
//! echoed whole. Each exits 2 at once, and prints nothing it should not.

use std::time::{Duration, Instant};

use crate::support::{Finished, Smoke};

/// Runs with a short bound, so a read that blocks fails instead of hanging.
async fn run_within(s: &Smoke, limit: Duration) -> (Finished, Duration) {
    let started = Instant::now();
    let out = tokio::time::timeout(limit, s.command().output())
        .await
        .unwrap_or_else(|_| panic!("prod-smoke did not finish within {limit:?}"))
        .expect("prod-smoke starts");
    let f = Finished {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (f, started.elapsed())
}

fn mkfifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.expect("mkfifo runs").success(), "mkfifo");
}

#[tokio::test]
async fn a_password_in_a_url_is_masked_in_the_error_that_refuses_it() {
    let url = "https://user:s3cretpw@example.com";
    for extra in [&[][..], &["--secret", "s3cretpw"][..]] {
        let mut s = Smoke::new();
        s.args(["mcritchie-studio", "--url", url]);
        extra.iter().for_each(|a| {
            s.arg(a);
        });
        let f = s.run().await;
        assert_eq!(f.code, 2, "{f}");
        assert!(
            f.stderr.contains("credentials in the URL are refused"),
            "{f}"
        );
        assert!(!f.stderr.contains("s3cretpw"), "{f}");
    }
    let mut s = Smoke::new();
    s.args(["rollback", "mcritchie-studio", "--url", url]);
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(!f.stderr.contains("s3cretpw"), "{f}");

    // The same URL from config.
    let mut s = Smoke::new();
    let cfg = s.scratch.path().join("config");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("release_repos.yml"),
        "apps:\n  turf-monster:\n    prod_deploy:\n      smoke_url: https://deploy:hunter22@turf.example\n",
    )
    .unwrap();
    s.args(["turf-monster", "--config-dir", cfg.to_str().unwrap()]);
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains("credentials"), "{f}");
    assert!(!f.stderr.contains("hunter22"), "{f}");
}

#[tokio::test]
async fn a_device_or_fifo_for_a_spec_or_config_exits_2_at_once() {
    let s = Smoke::new();
    let fifo = s.scratch.path().join("spec.yaml");
    mkfifo(&fifo);
    let fifo = fifo.to_str().unwrap().to_string();
    let cfg = s.scratch.path().join("config");
    std::fs::create_dir_all(&cfg).unwrap();
    std::os::unix::fs::symlink("/dev/zero", cfg.join("release_repos.yml")).unwrap();
    let cases: [Vec<&str>; 4] = [
        vec!["check", "/dev/zero"],
        vec!["check", &fifo],
        vec![
            "mcritchie-studio",
            "--url",
            "http://127.0.0.1:9",
            "--spec",
            &fifo,
        ],
        vec!["turf-monster", "--config-dir", cfg.to_str().unwrap()],
    ];
    for args in cases {
        let mut s = Smoke::new();
        args.iter().for_each(|a| {
            s.arg(a);
        });
        let (f, took) = run_within(&s, Duration::from_secs(30)).await;
        eprintln!("{args:?}: exit {} in {took:?}", f.code);
        assert_eq!(f.code, 2, "{args:?}: {f}");
        assert!(f.stderr.contains("not a regular file"), "{args:?}: {f}");
    }
}

#[tokio::test]
async fn a_huge_value_is_echoed_as_an_excerpt() {
    let huge = "x".repeat(100_000);
    let url = format!("https://example.com/{huge}?q=1");
    for args in [
        vec!["mcritchie-studio", "--grep", &huge],
        vec!["mcritchie-studio", "--url", &url],
        vec!["rollback", "--sha", &huge],
    ] {
        let mut s = Smoke::new();
        args.iter().for_each(|a| {
            s.arg(a);
        });
        let f = s.run().await;
        assert_eq!(f.code, 2, "{f}");
        assert!(f.stderr.len() < 2_000, "{} bytes on stderr", f.stderr.len());
        assert!(f.stderr.contains("more characters"), "{f}");
    }
}

/// A canary URL's password and token are secrets: the run that names the
/// canary in its verdict masks them on stderr and in every artifact.
#[tokio::test]
async fn a_canary_with_credentials_is_masked_everywhere() {
    let dead = || {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        port
    };
    let mut s = Smoke::against(&format!("http://127.0.0.1:{}", dead()));
    let canary = format!(
        "http://probe:c4nary-pw@127.0.0.1:{}/?token=t0ken-value",
        dead()
    );
    s.args(["--canary", &canary]);
    let f = s.run().await;
    assert_eq!(f.code, 3, "{f}");
    assert!(f.stderr.contains("neither did the canary"), "{f}");
    for secret in ["c4nary-pw", "t0ken-value"] {
        assert!(!f.stderr.contains(secret), "{secret} on stderr: {f}");
        assert!(!f.stdout.contains(secret), "{secret} on stdout: {f}");
        for entry in std::fs::read_dir(s.artifacts()).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                assert!(!text.contains(secret), "{secret} in {}", path.display());
            }
        }
    }
}
