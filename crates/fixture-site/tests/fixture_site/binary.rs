use prod_smoke_fixture_site::Fault;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Kills the child even when an assertion fails.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_prints_its_url_and_serves_the_faults_it_was_given() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_fixture-site"))
            .args(["--port", "0", "--fault", "page-500,up-503"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
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
