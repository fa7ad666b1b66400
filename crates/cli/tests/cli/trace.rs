//! The evidence of why, through the binary against real Chromium: the
//! trace of a failed scenario (HAR 1.2, MHTML, console), heartbeat.log in
//! every run, and `--trace always|off`.

use std::path::Path;

use prod_smoke_fixture_site::Fault;
use serde_json::Value;

use crate::support::{Smoke, site};

/// `2026-12-03T07:31:02.123Z ` at the start of a line.
fn starts_with_utc_stamp(line: &str) -> bool {
    let Some((stamp, _)) = line.split_once(' ') else {
        return false;
    };
    stamp.ends_with('Z')
        && stamp.len() >= 20
        && chrono::DateTime::parse_from_rfc3339(stamp)
            .is_ok_and(|t| t.offset().local_minus_utc() == 0)
}

pub(crate) fn heartbeat(artifacts: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(artifacts.join("heartbeat.log")).expect("heartbeat.log");
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    for l in &lines {
        assert!(
            starts_with_utc_stamp(l),
            "no ISO-8601 UTC stamp: {l:?}\n{text}"
        );
    }
    // Stamped in order.
    let stamps: Vec<&str> = lines.iter().map(|l| l.split(' ').next().unwrap()).collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{text}");
    lines
}

pub(crate) fn has_line(lines: &[String], needle: &str) -> bool {
    lines.iter().any(|l| l.contains(needle))
}

fn str_at<'a>(v: &'a Value, key: &str, ctx: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{ctx}.{key} is not a string: {v:#}"))
}

fn num_at(v: &Value, key: &str, ctx: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{ctx}.{key} is not a number: {v:#}"))
}

fn name_values(v: &Value, key: &str, ctx: &str) {
    for nv in v[key]
        .as_array()
        .unwrap_or_else(|| panic!("{ctx}.{key} is not an array: {v:#}"))
    {
        str_at(nv, "name", ctx);
        str_at(nv, "value", ctx);
    }
}

/// Parses `path` as a HAR 1.2 document, checks it against har-validator's
/// schema, and checks every field the spec requires (and Chrome DevTools'
/// importer reads). Returns its entries.
pub(crate) fn har(path: &Path) -> Vec<Value> {
    crate::har_schema::assert_valid_har(path);
    let text = std::fs::read_to_string(path).expect("the HAR file");
    let doc: Value = serde_json::from_str(&text).expect("the HAR parses as JSON");
    let log = &doc["log"];
    assert_eq!(log["version"], "1.2");
    str_at(&log["creator"], "name", "creator");
    str_at(&log["creator"], "version", "creator");
    let pages = log["pages"].as_array().expect("log.pages");
    let mut ids = Vec::new();
    for p in pages {
        chrono::DateTime::parse_from_rfc3339(str_at(p, "startedDateTime", "page")).unwrap();
        ids.push(str_at(p, "id", "page").to_string());
        str_at(p, "title", "page");
        assert!(p["pageTimings"].is_object(), "{p:#}");
    }
    let entries = log["entries"].as_array().expect("log.entries").clone();
    for e in &entries {
        chrono::DateTime::parse_from_rfc3339(str_at(e, "startedDateTime", "entry")).unwrap();
        assert!(num_at(e, "time", "entry") >= 0.0, "{e:#}");
        if let Some(r) = e.get("pageref") {
            assert!(
                ids.iter().any(|id| r == id.as_str()),
                "dangling pageref {e:#}"
            );
        }
        let req = &e["request"];
        for k in ["method", "url", "httpVersion"] {
            str_at(req, k, "request");
        }
        assert!(req["cookies"].is_array(), "{req:#}");
        name_values(req, "headers", "request");
        name_values(req, "queryString", "request");
        num_at(req, "headersSize", "request");
        num_at(req, "bodySize", "request");
        let res = &e["response"];
        num_at(res, "status", "response");
        for k in ["statusText", "httpVersion", "redirectURL"] {
            str_at(res, k, "response");
        }
        assert!(res["cookies"].is_array(), "{res:#}");
        name_values(res, "headers", "response");
        num_at(&res["content"], "size", "response.content");
        str_at(&res["content"], "mimeType", "response.content");
        num_at(res, "headersSize", "response");
        num_at(res, "bodySize", "response");
        assert!(e["cache"].is_object(), "{e:#}");
        for k in ["send", "wait", "receive"] {
            assert!(num_at(&e["timings"], k, "timings") >= 0.0, "{e:#}");
        }
    }
    entries
}

#[tokio::test]
async fn a_red_run_leaves_a_har_an_mhtml_a_console_file_and_a_heartbeat() {
    let broken = site(&[Fault::WrongTitle]).await;
    let s = Smoke::against(&broken.base_url());
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    let artifacts = s.artifacts();
    let results = f.results(&artifacts);
    let traces = results["traces"].as_array().expect("results.json traces");
    assert_eq!(traces.len(), 1, "only the failed scenario: {results:#}");
    let t = &traces[0];
    assert_eq!(t["scenario"], "public routes and the task board respond");

    // HAR 1.2, with the document and the blocked beacon (status 0 + reason).
    let entries = har(&artifacts.join(t["har"].as_str().unwrap()));
    let url = broken.base_url();
    assert!(
        entries
            .iter()
            .any(|e| e["request"]["url"] == format!("{url}/")
                && e["request"]["method"] == "GET"
                && e["response"]["status"] == 200),
        "the document of /: {entries:#?}"
    );
    let beacon = entries
        .iter()
        .find(|e| {
            e["request"]["method"] == "POST"
                && e["request"]["url"]
                    .as_str()
                    .is_some_and(|u| u.ends_with("/beacon"))
                && e["comment"]
                    .as_str()
                    .is_some_and(|c| c.contains("channel: beacon"))
        })
        .unwrap_or_else(|| panic!("the blocked beacon: {entries:#?}"));
    assert_eq!(beacon["response"]["status"], 0);
    let error = beacon["response"]["_error"].as_str().unwrap();
    assert!(
        error.contains("ERR_BLOCKED_BY_CLIENT") && error.contains("read-only guard"),
        "{beacon:#}"
    );
    // The plain-HTTP step of the scenario is in it too.
    assert!(
        entries
            .iter()
            .any(|e| e["request"]["url"] == format!("{url}/up") && e["response"]["status"] == 200),
        "{entries:#?}"
    );

    // MHTML: MIME headers first, then the page as it failed.
    let mhtml = std::fs::read_to_string(artifacts.join(t["mhtml"].as_str().unwrap())).unwrap();
    let head: Vec<&str> = mhtml.lines().take(12).collect();
    assert!(
        head.iter().any(|l| l.starts_with("MIME-Version: 1.0")),
        "{head:?}"
    );
    assert!(
        head.iter()
            .any(|l| l.starts_with("Content-Type: multipart/related")),
        "{head:?}"
    );
    assert!(
        mhtml.contains("Welcome to nginx!"),
        "the failing page's title"
    );

    // Console: one header, then stamped lines naming the blocked writes.
    let console = std::fs::read_to_string(artifacts.join(t["console"].as_str().unwrap())).unwrap();
    assert!(
        console.starts_with("# console and page errors of"),
        "{console}"
    );
    assert!(console.contains("ERR_BLOCKED_BY_CLIENT"), "{console}");
    for l in console
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
    {
        assert!(starts_with_utc_stamp(l), "{l:?}");
    }

    let beats = heartbeat(&artifacts);
    for needle in [
        "start: prod-smoke",
        "browser up in",
        "scenario started: public routes and the task board respond",
        "check passed: GET /up returns 200",
        "check passed: visit / (HTTP 200)",
        "check failed: title matches",
        "run finished: red (1 passed, 1 failed)",
        "reports written:",
        "delivery ledger: recorded in",
        "delivery postgres:",
        "delivery discord:",
    ] {
        assert!(has_line(&beats, needle), "{needle:?} in {beats:#?}");
    }
    assert!(
        beats.last().unwrap().ends_with(" end: red, exit 1"),
        "{beats:#?}"
    );

    // The manifest covers every trace file and the finished heartbeat.log.
    let manifest = std::fs::read_to_string(artifacts.join("sha256_manifest.txt")).unwrap();
    for file in ["har", "mhtml", "console"] {
        let rel = t[file].as_str().unwrap();
        assert!(
            manifest.contains(&format!("  {rel}\n")),
            "{rel} in {manifest}"
        );
    }
    assert!(manifest.contains("  heartbeat.log\n"), "{manifest}");
    prod_smoke_report::verify_manifest(&artifacts).expect("the manifest matches the folder");
    assert!(
        f.stderr.contains("  trace: ") && f.stderr.contains(".har (public routes"),
        "{f}"
    );
}

#[tokio::test]
async fn a_green_run_leaves_a_heartbeat_and_no_trace() {
    let healthy = site(&[]).await;
    let s = Smoke::against(&healthy.base_url());
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    let artifacts = s.artifacts();
    assert!(!artifacts.join("traces").exists(), "no traces on green");
    assert!(f.results(&artifacts).get("traces").is_none());
    let beats = heartbeat(&artifacts);
    for needle in [
        "start: prod-smoke",
        "browser up in",
        "check passed: visit /signin",
        "check passed: GET /devops returns 404",
        "scenario passed: devops routes are removed",
        "run finished: green (2 passed, 0 failed)",
        "delivery ledger:",
    ] {
        assert!(has_line(&beats, needle), "{needle:?} in {beats:#?}");
    }
    assert!(beats.last().unwrap().ends_with(" end: green, exit 0"));
    prod_smoke_report::verify_manifest(&artifacts).expect("the manifest matches the folder");
}

#[tokio::test]
async fn trace_always_traces_every_scenario_and_off_none() {
    let healthy = site(&[]).await;
    let mut s = Smoke::against(&healthy.base_url());
    s.args(["--trace", "always"]);
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    let artifacts = s.artifacts();
    let results = f.results(&artifacts);
    let traces = results["traces"].as_array().expect("traces under always");
    assert_eq!(traces.len(), 2, "{results:#}");
    for t in traces {
        let entries = har(&artifacts.join(t["har"].as_str().unwrap()));
        assert!(!entries.is_empty(), "{t}");
        assert!(artifacts.join(t["console"].as_str().unwrap()).is_file());
    }
    let browser = traces
        .iter()
        .find(|t| t["scenario"] == "public routes and the task board respond")
        .unwrap();
    let mhtml =
        std::fs::read_to_string(artifacts.join(browser["mhtml"].as_str().unwrap())).unwrap();
    assert!(mhtml.starts_with("From: ") || mhtml.contains("MIME-Version: 1.0"));
    // A scenario without a browser has no page to snapshot.
    let http_only = traces
        .iter()
        .find(|t| t["scenario"] == "devops routes are removed")
        .unwrap();
    assert!(http_only.get("mhtml").is_none(), "{http_only}");
    prod_smoke_report::verify_manifest(&artifacts).unwrap();

    let broken = site(&[Fault::WrongTitle]).await;
    let mut s = Smoke::against(&broken.base_url());
    s.args(["--trace", "off"]);
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    assert!(
        !s.artifacts().join("traces").exists(),
        "--trace off: no traces"
    );
    assert!(f.results(&s.artifacts()).get("traces").is_none());
    assert!(s.artifacts().join("heartbeat.log").is_file());
}
