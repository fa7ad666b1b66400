use prod_smoke_fixture_site::Fault;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Kills the child even when an assertion fails.
struct Child(std::process::Child);

impl Child {
    /// Starts the fixture-site binary with `args`, its stdout piped.
    fn start(args: &[&str]) -> Child {
        Child(
            Command::new(env!("CARGO_BIN_EXE_fixture-site"))
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        )
    }

    /// The URL of its first line, `listening on URL`.
    async fn url(&mut self) -> String {
        let stdout = self.0.stdout.take().unwrap();
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).unwrap();
            line
        })
        .await
        .unwrap();
        line.trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_its_url_and_serves_the_faults_it_was_given() {
    let mut child = Child::start(&["--port", "0", "--fault", "page-500,up-503"]);
    let url = child.url().await;
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    assert_eq!(reqwest::get(format!("{url}/")).await.unwrap().status(), 500);
    assert_eq!(
        reqwest::get(format!("{url}/up")).await.unwrap().status(),
        503
    );
    assert_eq!(
        reqwest::get(format!("{url}/tasks")).await.unwrap().status(),
        200
    );
}

#[test]
fn binary_rejects_an_unknown_fault_and_lists_the_known_ones() {
    let out = Command::new(env!("CARGO_BIN_EXE_fixture-site"))
        .args(["--fault", "page-501"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown fault `page-501`"), "{stderr}");
    assert!(stderr.contains("page-500"), "{stderr}");

    let out = Command::new(env!("CARGO_BIN_EXE_fixture-site"))
        .arg("--list-faults")
        .output()
        .unwrap();
    assert!(out.status.success());
    let listing = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listing.lines().count(), Fault::ALL.len());
    assert!(listing.contains("redirect-signin"));
}

#[tokio::test]
async fn binary_switches_a_fault_on_and_off_on_a_timer() {
    let mut child = Child::start(&["--port", "0", "--quiet", "--fault-at", "up-503@1s..2s"]);
    let started = std::time::Instant::now();
    let url = child.url().await;
    let status = || async { reqwest::get(format!("{url}/up")).await.unwrap().status() };
    assert_eq!(status().await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1500).saturating_sub(started.elapsed()))
        .await;
    assert_eq!(status().await, 503);
    tokio::time::sleep(std::time::Duration::from_millis(2500).saturating_sub(started.elapsed()))
        .await;
    assert_eq!(status().await, 200);

    let out = Command::new(env!("CARGO_BIN_EXE_fixture-site"))
        .args(["--fault-at", "up-503@5s..2s"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NAME@START..END"));
}
