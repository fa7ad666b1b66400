//! Each visit compared with the app's last green seal: figures in
//! results.json, pictures in report.html, kept next to the ledger so a
//! deleted artifacts folder changes nothing, and never a verdict.

use std::path::Path;

use prod_smoke_fixture_site::Fault;
use serde_json::Value;

use crate::support::{Finished, Smoke, site};

/// The run's `visit <path>` check in results.json.
fn visit<'a>(results: &'a Value, path: &str) -> &'a Value {
    results["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == format!("visit {path}"))
        .unwrap_or_else(|| panic!("no visit {path} in {results:#}"))
}

/// A run against `url` that keeps its ledger in `ledger`.
async fn run_with_ledger(url: &str, ledger: &Path) -> (Smoke, Finished) {
    let mut s = Smoke::against(url);
    s.arg("--ledger").arg(ledger.to_str().unwrap());
    let f = s.run().await;
    (s, f)
}

fn statuses(results: &Value) -> Vec<(String, String)> {
    results["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| (c["name"].to_string(), c["status"].to_string()))
        .collect()
}

#[tokio::test]
async fn a_changed_page_is_measured_against_the_last_green_run() {
    let fixture = site(&[]).await;
    let url = fixture.base_url();
    let state = tempfile::tempdir().unwrap();
    let ledger = state.path().join("ledger.sqlite3");

    // A first green run: nothing to compare with yet; its pages are kept.
    let (first, f) = run_with_ledger(&url, &ledger).await;
    assert_eq!(f.code, 0, "{f}");
    let green_run = f.json()["run_id"].as_str().unwrap().to_string();
    let results = f.results(&first.artifacts());
    assert!(visit(&results, "/").get("since_last_green").is_none());
    let kept = state.path().join("baselines/mcritchie-studio");
    assert!(kept.join("baseline.json").is_file(), "{f}");
    // The comparison must not need the first run's evidence.
    std::fs::remove_dir_all(first.artifacts()).unwrap();

    // `/` looks different and the admin routes are back: red, with figures.
    fixture.set_faults([Fault::Restyled, Fault::Admin200]);
    let (red, f) = run_with_ledger(&url, &ledger).await;
    assert_eq!(f.code, 1, "{f}");
    let red_results = f.results(&red.artifacts());
    let home = &visit(&red_results, "/")["since_last_green"];
    assert_eq!(home["run_id"], green_run.as_str(), "{red_results:#}");
    let ratio = home["changed_ratio"].as_f64().unwrap();
    assert!(ratio > 0.0 && ratio < 1.0, "{home}");
    for unchanged in ["/signin", "/tasks"] {
        let page = &visit(&red_results, unchanged)["since_last_green"];
        assert_eq!(page["run_id"], green_run.as_str());
        assert_eq!(
            page["changed_ratio"].as_f64(),
            Some(0.0),
            "{unchanged}: {page}"
        );
        assert!(page.get("diff").is_none(), "{page}");
    }
    // The changed page's baseline and diff are evidence like the rest.
    let diff = home["diff"].as_str().unwrap();
    let baseline = home["baseline"].as_str().unwrap();
    assert!(red.artifacts().join(diff).is_file());
    assert!(red.artifacts().join(baseline).is_file());
    let manifest = std::fs::read_to_string(red.artifacts().join("sha256_manifest.txt")).unwrap();
    assert!(
        manifest.contains(diff) && manifest.contains(baseline),
        "{manifest}"
    );
    let html = std::fs::read_to_string(red.artifacts().join("report.html")).unwrap();
    assert!(html.contains("Compared with the last green run"));
    assert!(html.contains(r#"<div class="side-by-side">"#));
    assert!(
        f.stderr.contains(&format!(
            "since last green (run {green_run}): 1 of 3 pages changed"
        )),
        "{f}"
    );

    // The same faults without a ledger to compare with: the same verdict
    // and the same check statuses. The comparison is never a verdict.
    let alone = Smoke::against(&url);
    let g = alone.run().await;
    assert_eq!(g.code, f.code, "{g}");
    assert_eq!(g.json()["passed"], f.json()["passed"]);
    let alone_results = g.results(&alone.artifacts());
    assert_eq!(statuses(&alone_results), statuses(&red_results));
    assert!(visit(&alone_results, "/").get("since_last_green").is_none());

    // A red run never becomes the baseline: a green one still compares
    // with the first run, then replaces it.
    fixture.set_faults([Fault::Restyled]);
    let (second, f) = run_with_ledger(&url, &ledger).await;
    assert_eq!(f.code, 0, "{f}");
    let results = f.results(&second.artifacts());
    assert_eq!(
        visit(&results, "/")["since_last_green"]["run_id"],
        green_run.as_str()
    );
    assert!(
        visit(&results, "/")["since_last_green"]["changed_ratio"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let now_green = f.json()["run_id"].as_str().unwrap().to_string();
    let manifest = std::fs::read_to_string(kept.join("baseline.json")).unwrap();
    assert!(manifest.contains(&now_green), "{manifest}");
}
