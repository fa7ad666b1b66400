//! When prod-smoke's own parts fail (its ledger, its disk, its time): the
//! seal is recorded somewhere or the run says it is not, evidence is whole
//! or absent, and a run ends by its deadline.

use std::path::Path;

use crate::support::{Smoke, site};

fn garbage() -> Vec<u8> {
    (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

/// A ledger of random bytes: kept byte for byte, named with its cause, and
/// the run is sealed in a fallback ledger that `deliver` finds.
#[tokio::test]
async fn a_green_run_with_a_broken_ledger_is_sealed_in_a_fallback_deliver_finds() {
    let healthy = site(&[]).await;
    let s = Smoke::against(&healthy.base_url());
    std::fs::write(s.ledger(), garbage()).unwrap();
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    assert_eq!(f.json()["sealed"], true, "{f}");
    assert_eq!(
        std::fs::read(s.ledger()).unwrap(),
        garbage(),
        "left untouched"
    );
    let fallback = s.scratch.path().join("ledger.fallback.sqlite3");
    assert!(
        f.stderr.contains("file is not a database"),
        "the cause: {f}"
    );
    assert!(
        f.stderr
            .contains(&format!("fallback ledger {}", fallback.display())),
        "{f}"
    );
    assert!(fallback.is_file());

    let mut d = Smoke::new();
    d.args(["deliver", "--ledger", s.ledger().to_str().unwrap()]);
    let replay = d.run().await;
    assert!(
        replay.stderr.contains(&format!(
            "replaying the fallback ledger {}",
            fallback.display()
        )),
        "{replay}"
    );
    assert!(replay.stderr.contains("file is not a database"), "{replay}");
    // The broken ledger still needs the operator.
    assert_eq!(replay.code, 3, "{replay}");

    // `history` lists the fallback's seal and names the broken ledger.
    let mut h = Smoke::new();
    h.args(["history", "--ledger", s.ledger().to_str().unwrap()]);
    let listed = h.run().await;
    assert!(listed.stdout.contains("mcritchie-studio"), "{listed}");
    assert!(listed.stdout.contains("green"), "{listed}");
    assert!(listed.stderr.contains("file is not a database"), "{listed}");
    assert_eq!(listed.code, 3, "{listed}");
}

/// No ledger and no fallback can be written, and no sink is configured:
/// the verdict is green but sealed nowhere, so the exit is 3, never 0.
#[tokio::test]
async fn a_green_run_sealed_nowhere_exits_3() {
    let healthy = site(&[]).await;
    let mut s = Smoke::against(&healthy.base_url());
    let blocker = s.scratch.path().join("not-a-dir");
    std::fs::write(&blocker, b"file").unwrap();
    // The temporary fallback's folder is a file too.
    std::fs::write(s.tmp().join("prod-smoke-fallback"), b"file").unwrap();
    let ledger = blocker.join("ledger.sqlite3");
    s.arg("--ledger").arg(ledger.to_str().unwrap());
    let f = s.run().await;
    assert_eq!(f.code, 3, "{f}");
    let json = f.json();
    assert_eq!(json["passed"], true, "{f}");
    assert_eq!(json["sealed"], false, "{f}");
    assert!(
        f.stderr.contains("the verdict reached no durable place"),
        "{f}"
    );
    assert!(f.stderr.contains("File exists (os error 17)"), "{f}");
    assert!(f.stderr.contains(": INCONCLUSIVE @ "), "{f}");
}

/// A real full disk under `--artifacts`: every file there is whole or
/// absent, the manifest checks out, the cause is printed, and the verdict
/// is still sealed.
#[tokio::test]
async fn a_full_disk_leaves_whole_evidence_or_none_and_prints_the_cause() {
    let Some(disk) = prod_smoke_testkit::TinyFs::mount(512 * 1024) else {
        return;
    };
    let healthy = site(&[]).await;
    let mut s = Smoke::against(&healthy.base_url());
    let artifacts = disk.path().join("artifacts");
    s.arg("--artifacts").arg(artifacts.to_str().unwrap());
    std::fs::create_dir_all(&artifacts).unwrap();
    disk.fill(12 * 1024);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    assert!(f.stderr.contains("No space left on device"), "{f}");
    assert!(f.stderr.contains("could not write the reports"), "{f}");
    assert_whole_or_absent(&artifacts);
    if artifacts.join("sha256_manifest.txt").exists() {
        prod_smoke_report::verify_manifest(&artifacts).unwrap();
    }
    assert!(s.ledger().is_file(), "the seal is in the ledger");
}

/// No empty, truncated or temporary file in the evidence folder.
/// `heartbeat.log` is an append-only log: it may stop mid-line.
fn assert_whole_or_absent(dir: &Path) {
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            assert!(
                !name.starts_with('.'),
                "temporary file left: {}",
                path.display()
            );
            if name == "heartbeat.log" {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            assert!(!bytes.is_empty(), "empty file: {}", path.display());
            let text = String::from_utf8_lossy(&bytes);
            match path.extension().and_then(|e| e.to_str()) {
                Some("json") => {
                    serde_json::from_slice::<serde_json::Value>(&bytes)
                        .unwrap_or_else(|e| panic!("{} is cut: {e}", path.display()));
                }
                Some("html") => assert!(text.trim_end().ends_with("</html>"), "{name} is cut"),
                Some("xml") => assert!(text.trim_end().ends_with("</testsuites>"), "{name} is cut"),
                Some("png") => assert!(bytes.ends_with(b"IEND\xaeB`\x82"), "{name} is cut"),
                _ => {}
            }
        }
    }
}

/// A site whose every response takes 25 s: `--deadline 4s` ends the run
/// inconclusive within seconds, keeps the evidence, seals it, and leaves
/// no browser behind.
#[tokio::test]
async fn past_its_deadline_a_run_is_inconclusive_sealed_and_reaped() {
    let slow = crate::support::site_with(prod_smoke_fixture_site::FixtureOptions {
        faults: vec![prod_smoke_fixture_site::Fault::Slow],
        slow_delay: std::time::Duration::from_secs(25),
        ..Default::default()
    })
    .await;
    let mut s = Smoke::against(&slow.base_url());
    s.args(["--timeout", "60", "--deadline", "4s"]);
    let started = std::time::Instant::now();
    let f = s.run().await;
    let took = started.elapsed();
    assert_eq!(f.code, 3, "{f}");
    assert!(
        took < std::time::Duration::from_secs(20),
        "took {took:?}: {f}"
    );
    assert!(f.stderr.contains("passed its --deadline of 4s"), "{f}");
    assert_eq!(f.json()["verdict"], "inconclusive", "{f}");
    let results = f.results(&s.artifacts());
    assert_eq!(results["verdict"], "inconclusive");
    assert!(
        results["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["error"]
                .as_str()
                .unwrap_or_default()
                .contains("--deadline")),
        "{results}"
    );
    let mut h = Smoke::new();
    h.args(["history", "--ledger", s.ledger().to_str().unwrap()]);
    let history = h.run().await;
    assert!(history.stdout.contains("inconclusive"), "{history}");
}

#[tokio::test]
async fn a_bad_deadline_is_bad_input() {
    let mut s = Smoke::against("http://127.0.0.1:9");
    s.args(["--deadline", "soon"]);
    let f = s.run().await;
    assert_eq!(f.code, 2, "{f}");
    assert!(f.stderr.contains("`soon` is not a duration"), "{f}");
}

/// A 200 whose body trickles in: the check says how much did arrive, not
/// just "Request timed out".
#[tokio::test]
async fn a_trickling_200_is_reported_with_the_bytes_that_arrived() {
    let trickling = site(&[prod_smoke_fixture_site::Fault::Trickle]).await;
    let mut s = Smoke::against(&trickling.base_url());
    s.args(["--timeout", "3"]);
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    let results = f.results(&s.artifacts());
    let errors: Vec<String> = results["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["error"].as_str().map(str::to_string))
        .collect();
    let trickle = errors
        .iter()
        .find(|e| e.contains("/tasks"))
        .unwrap_or_else(|| panic!("no /tasks failure: {errors:?}"));
    assert!(
        trickle.contains("its 200 response was still arriving"),
        "{trickle}"
    );
    assert!(trickle.contains("of its body came in 3s"), "{trickle}");
    assert!(!trickle.contains("Request timed out"), "{trickle}");
    // The first 4 KiB came at once, then a byte every 200 ms.
    assert!(trickle.contains(": 4 KiB of its body"), "{trickle}");
}

/// A page bigger than the cap is stopped, and its check says so.
#[tokio::test]
async fn a_page_over_the_cap_is_stopped_and_named() {
    let huge = site(&[prod_smoke_fixture_site::Fault::HugePage]).await;
    let mut s = Smoke::against(&huge.base_url());
    s.args(["--max-page-mb", "1"]);
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    let text = f.results(&s.artifacts()).to_string();
    assert!(
        text.contains("prod-smoke's cap of 1.0 MiB for a page"),
        "{text}"
    );
    assert!(text.contains("and was stopped"), "{text}");
}

/// A document over 8 MiB is stopped while it arrives, whatever the page
/// cap: the browser never holds all of it.
#[tokio::test]
async fn a_document_over_8_mib_is_stopped_while_it_arrives() {
    let huge = crate::support::site_with(prod_smoke_fixture_site::FixtureOptions {
        faults: vec![prod_smoke_fixture_site::Fault::HugePage],
        huge_page_bytes: 12 * 1024 * 1024,
        ..Default::default()
    })
    .await;
    let s = Smoke::against(&huge.base_url());
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    let text = f.results(&s.artifacts()).to_string();
    assert!(text.contains("8.0 MiB for its document"), "{text}");
    assert!(text.contains("and was stopped"), "{text}");
}

/// Chromium's temporary files go with its profile: a run leaves nothing in
/// the temporary folder (it used to leave an empty
/// `org.chromium.Chromium.*` folder every time).
#[tokio::test]
async fn a_run_leaves_nothing_in_the_temporary_folder() {
    let healthy = site(&[]).await;
    let s = Smoke::against(&healthy.base_url());
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    let left: Vec<String> = std::fs::read_dir(s.tmp())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left in TMPDIR: {left:?}");
}

/// A 300,000 px page: its screenshot is the top 8000 px, and the run says
/// so (it used to be cut to the 720 px viewport without a word).
#[tokio::test]
async fn a_tall_pages_screenshot_is_capped_with_a_note() {
    let tall = site(&[prod_smoke_fixture_site::Fault::TallPage]).await;
    let s = Smoke::against(&tall.base_url());
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    assert!(f.stderr.contains("screenshot of /tasks capped"), "{f}");
    assert!(f.stderr.contains("its top 8000 x 1280 px"), "{f}");
    let heartbeat = std::fs::read_to_string(s.artifacts().join("heartbeat.log")).unwrap();
    assert!(
        heartbeat.contains("screenshot of /tasks capped"),
        "{heartbeat}"
    );
    let results = f.results(&s.artifacts());
    let shot = results["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["name"].as_str().unwrap_or_default().contains("/tasks") && c["screenshot"].is_string()
        })
        .and_then(|c| c["screenshot"].as_str())
        .unwrap_or_else(|| panic!("no /tasks screenshot: {results}"))
        .to_string();
    let png = std::fs::read(s.artifacts().join(shot)).unwrap();
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!(height, 8000);
}
