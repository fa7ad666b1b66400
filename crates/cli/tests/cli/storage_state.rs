//! `--storage-state`: a bad state is exit 2 with its line and column and
//! without its values; a good one signs every scenario in, and its values
//! are masked in every output: stderr, stdout, every artifact file (the
//! reports, heartbeat.log, the HAR and the MHTML) and the ledger.

use std::path::Path;

use prod_smoke_fixture_site::SESSION_COOKIE;
use prod_smoke_spec::DEVICES;

use crate::support::{Smoke, site};

const PREFS: &str = "compact-view-5e2b";

fn state_json(base_url: &str) -> String {
    let (name, value) = SESSION_COOKIE;
    format!(
        r#"{{
  "cookies": [
    {{"name": "{name}", "value": "{value}", "domain": "127.0.0.1", "path": "/",
      "expires": -1, "httpOnly": true, "secure": false, "sameSite": "Lax"}}
  ],
  "origins": [
    {{"origin": "{base_url}", "localStorage": [{{"name": "prefs", "value": "{PREFS}"}}]}}
  ]
}}"#
    )
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn a_bad_state_is_exit_2_with_line_and_column_and_no_value() {
    let mut s = Smoke::against("http://127.0.0.1:9");
    let file = s.scratch.path().join("state.json");
    std::fs::write(
        &file,
        "{\"cookies\": [\n  {\"name\": \"sid\", \"value\": \"hunter2-secret\",\n   \"domain\": \"a.example\", \"sameSite\": \"Loose\"}\n]}\n",
    )
    .unwrap();
    s.arg("--storage-state").arg(file.to_str().unwrap());
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains(&format!("{}:3:", file.display())), "{f}");
    assert!(f.stderr.contains("unknown variant `Loose`"), "{f}");
    assert!(!f.stderr.contains("hunter2-secret"), "{f}");
    assert!(!f.stderr.contains("→ prod-smoke"), "a run started: {f}");

    // The JSON itself in the variable: named by the variable, never echoed.
    let mut s = Smoke::against("http://127.0.0.1:9");
    s.env(
        "PROD_SMOKE_STORAGE_STATE",
        "{\"cookies\": [{\"name\": \"sid\", \"value\": \"hunter2-secret\"}]}",
    );
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains("PROD_SMOKE_STORAGE_STATE:1:"), "{f}");
    assert!(f.stderr.contains("missing field `domain`"), "{f}");
    assert!(!f.stderr.contains("hunter2-secret"), "{f}");

    let mut s = Smoke::against("http://127.0.0.1:9");
    s.args(["--storage-state", "/nonexistent/state.json"]);
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains("/nonexistent/state.json"), "{f}");
}

#[tokio::test]
async fn the_session_signs_in_and_its_values_are_masked_in_every_output() {
    signs_in_and_masks(false).await;
}

/// A watch hands the session to every pass, and masks it as a seal does.
#[tokio::test]
async fn a_watch_masks_the_session_as_a_seal_does() {
    signs_in_and_masks(true).await;
}

async fn signs_in_and_masks(watch: bool) {
    let site = site(&[]).await;
    let mut s = match watch {
        true => Smoke::watching(&site.base_url(), "1s", "1s"),
        false => Smoke::against(&site.base_url()),
    };
    let state = s.scratch.path().join("state.json");
    std::fs::write(&state, state_json(&site.base_url())).unwrap();
    let spec = s.scratch.path().join("account.yaml");
    // The last step fails on purpose, quoting what the page shows (the
    // localStorage value), so the value reaches every report.
    std::fs::write(
        &spec,
        format!(
            r##"
scenarios:
  - name: signed in
    tags: ["@qa-readonly"]
    steps:
      - visit: /account
      - title: Your account — McRitchie Studio
      - text: {PREFS}
        in: "#prefs"
      - text: Signed out
        in: "#prefs"
"##
        ),
    )
    .unwrap();
    s.args(["--spec", spec.to_str().unwrap(), "--trace", "always"]);
    s.arg("--storage-state").arg(state.to_str().unwrap());
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    let artifacts = s.artifacts();
    // A watch's first pass is the seal, in its own folder.
    let run_dir = match watch {
        true => artifacts.join("pass-001"),
        false => artifacts.clone(),
    };
    assert_eq!(
        f.failed_checks(&run_dir),
        ["#prefs contains \"Signed out\""],
        "signed in, only the deliberate check fails: {f}"
    );
    let error = f.results(&run_dir)["checks"][3]["error"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(error.contains("***"), "the page's text is masked: {error}");

    let mut checked = Vec::new();
    let mut outputs = files(&artifacts);
    outputs.push(s.ledger());
    for path in &outputs {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [SESSION_COOKIE.1, PREFS] {
            assert!(!text.contains(secret), "{secret} in {}", path.display());
        }
        checked.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    for kind in [
        "results.json",
        "junit.xml",
        "report.html",
        "heartbeat.log",
        ".har",
        ".mhtml",
        "ledger.sqlite3",
    ] {
        assert!(
            checked.iter().any(|c| c.ends_with(kind)),
            "no {kind} among {checked:?}"
        );
    }
    for secret in [SESSION_COOKIE.1, PREFS] {
        assert!(
            !f.stderr.contains(secret) && !f.stdout.contains(secret),
            "{f}"
        );
    }
    site.shutdown().await;
}

#[tokio::test]
async fn a_blank_variable_counts_as_unset() {
    let mut s = Smoke::new();
    s.args(["devices"]).env("PROD_SMOKE_STORAGE_STATE", " ");
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
}

#[tokio::test]
async fn devices_lists_every_pinned_device() {
    let mut s = Smoke::new();
    s.args(["devices"]);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    let lines: Vec<&str> = f.stdout.lines().collect();
    assert_eq!(lines.len(), DEVICES.len(), "{f}");
    for (line, d) in lines.iter().zip(DEVICES) {
        assert!(line.starts_with(d.name), "{line}");
        assert!(
            line.contains(&format!("{}x{}", d.width, d.height)),
            "{line}"
        );
        assert!(line.contains(d.user_agent), "{line}");
    }
}
