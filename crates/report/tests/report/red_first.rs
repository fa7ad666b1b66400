//! A red report.html in the order an operator acts on it, with the
//! traces and the comparison with the last green run, and no way for
//! page-derived text to become markup.

use std::path::PathBuf;

use prod_smoke_model::{
    BlockedRequest, CheckStatus, HerokuProof, HerokuStatus, PageError, PageErrorKind, RevertProof,
    RevertStatus, RollbackEvidence, RunReport, ScenarioTrace, SinceLastGreen,
};
use prod_smoke_report::{report_html, write_artifacts};

use crate::{DEVOPS, PNG, PUBLIC, folder_with_screenshots, green_report, read, red_report};

fn rollback(block: &str, revert: &str, heroku: &str) -> RollbackEvidence {
    RollbackEvidence {
        strategy: "git_push_heroku".into(),
        block: block.into(),
        revert: RevertProof {
            status: RevertStatus::AppliesCleanly,
            line: revert.into(),
            repo: None,
            sha: None,
            parents: Some(2),
            head: None,
            head_ref: None,
            method: None,
            files_changed: Some(1),
            conflicts: Vec::new(),
            reason: None,
        },
        heroku: Some(HerokuProof {
            status: HerokuStatus::NotChecked,
            line: heroku.into(),
            app: None,
            current_version: None,
            rollback_version: None,
            rollback_description: None,
            reason: None,
        }),
        fly: None,
    }
}

fn trace(scenario: &str, stem: &str) -> ScenarioTrace {
    ScenarioTrace {
        scenario: scenario.into(),
        har: Some(PathBuf::from(format!("traces/{stem}.har"))),
        mhtml: Some(PathBuf::from(format!("traces/{stem}.mhtml"))),
        console: Some(PathBuf::from(format!("traces/{stem}-console.txt"))),
    }
}

/// The red report with its rollback proof and the traces of both failed
/// scenarios, as the CLI hands it over.
fn red_with_evidence() -> RunReport {
    let mut report = red_report();
    report.rollback = Some(rollback(
        "🔴 PRODUCTION SMOKE SEAL FAILED — mcritchie.studio\n     heroku rollback --app mcritchie-prod",
        "   revert dry run: applies cleanly — `git revert -m1 abc123` changes 1 file on HEAD",
        "   heroku: not checked — the heroku CLI is not on PATH",
    ));
    report.traces = vec![trace(PUBLIC, "s1-public"), trace(DEVOPS, "s2-devops")];
    report
}

fn at(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the report"))
}

#[test]
fn a_red_report_opens_on_the_failure_then_the_rollback() {
    let dir = folder_with_screenshots();
    write_artifacts(dir.path(), &red_with_evidence()).unwrap();
    let html = read(dir.path(), "report.html");

    let banner = at(&html, r#"class="banner verdict-red""#);
    let failed = at(&html, r#"<section class="check failed" id="check-1">"#);
    let reason = at(&html, "Expected the title of https://mcritchie.studio/");
    let shot = at(&html, r#"<figure><img src="data:image/png;base64,"#);
    let second_failure = at(&html, r#"<section class="check failed" id="check-3">"#);
    let rollback = at(&html, "Rollback (never run by prod-smoke)");
    let proof = at(&html, "revert dry run: applies cleanly");
    let traces = at(&html, "<h2>Traces</h2>");
    let table = at(&html, "<h2>Checks</h2>");
    let flaky = at(&html, r#"<section class="check flaky" id="check-2">"#);
    let passed = at(&html, r#"<details class="check passed" id="check-0">"#);
    assert!(banner < failed, "the verdict, then the failure");
    assert!(failed < reason && reason < shot && shot < second_failure);
    assert!(second_failure < rollback && rollback < proof && proof < traces);
    assert!(traces < table && table < flaky && flaky < passed);
    // The failure screenshot is shown, never inside a fold.
    let before_shot = &html[failed..shot];
    assert!(!before_shot.contains("<details><summary>Screenshot"));
    assert!(
        !before_shot.contains("</section>"),
        "the shot is the failure's"
    );
}

#[test]
fn passed_checks_are_folded_and_failures_are_not() {
    let dir = folder_with_screenshots();
    let html = report_html(dir.path(), &red_with_evidence());
    assert_eq!(html.matches(r#"<details class="check passed""#).count(), 2);
    assert_eq!(html.matches(r#"<section class="check failed""#).count(), 2);
    assert_eq!(html.matches(r#"<section class="check flaky""#).count(), 1);
    assert!(!html.contains(r#"<details class="check failed""#));

    let green = report_html(dir.path(), &green_report());
    assert_eq!(green.matches(r#"<details class="check passed""#).count(), 5);
    assert!(!green.contains("<section class=\"check"));
    assert!(!green.contains("What failed"));
    assert!(!green.contains("Rollback"));
}

#[test]
fn each_failed_scenario_links_its_trace_files() {
    let dir = folder_with_screenshots();
    let html = report_html(dir.path(), &red_with_evidence());
    for stem in ["s1-public", "s2-devops"] {
        for file in [
            format!("{stem}.har"),
            format!("{stem}.mhtml"),
            format!("{stem}-console.txt"),
        ] {
            assert!(
                html.contains(&format!(r#"href="./traces/{file}">traces/{file}</a>"#)),
                "{file}"
            );
        }
    }
    let traces = &html[at(&html, "<h2>Traces</h2>")..at(&html, "<h2>Checks</h2>")];
    assert!(traces.find(PUBLIC).unwrap() < traces.find(DEVOPS).unwrap());

    // A trace with only some files, and one whose path would leave the folder.
    let mut report = red_report();
    report.traces = vec![ScenarioTrace {
        scenario: DEVOPS.into(),
        har: Some(PathBuf::from("../../etc/passwd")),
        mhtml: None,
        console: Some(PathBuf::from("traces/console.txt")),
    }];
    let html = report_html(dir.path(), &report);
    assert!(html.contains("not linked: its path leaves the artifacts folder"));
    assert!(!html.contains(r#"href="../"#));
    assert!(!html.contains(r#"href="./../"#));
    assert!(html.contains(r#"href="./traces/console.txt""#));
}

fn since(run: &str, ratio: f64, changed: bool) -> Option<Box<SinceLastGreen>> {
    Some(Box::new(SinceLastGreen {
        run_id: run.into(),
        changed_ratio: ratio,
        baseline: changed.then(|| PathBuf::from("since-last-green/02-home-baseline.png")),
        diff: changed.then(|| PathBuf::from("since-last-green/02-home-diff.png")),
    }))
}

#[test]
fn changed_pages_sit_side_by_side_with_their_diff() {
    let dir = folder_with_screenshots();
    let compared = dir.path().join("since-last-green");
    std::fs::create_dir(&compared).unwrap();
    std::fs::write(compared.join("02-home-baseline.png"), PNG).unwrap();
    std::fs::write(compared.join("02-home-diff.png"), PNG).unwrap();
    let mut report = green_report();
    report.checks[1].since_last_green = since("20260625T101010Z-aaaa", 0.1234, true);
    report.checks[2].since_last_green = since("20260625T101010Z-aaaa", 0.0, false);
    write_artifacts(dir.path(), &report).unwrap();
    let html = read(dir.path(), "report.html");

    let section = at(&html, "Compared with the last green run");
    assert!(section < at(&html, "<h2>Checks</h2>"));
    assert!(html.contains("20260625T101010Z-aaaa"));
    assert!(html.contains("<td>12.34%</td>"), "the changed page's share");
    assert!(
        html.contains("<td>0.00%</td>"),
        "the unchanged page's share"
    );
    assert_eq!(html.matches(r#"<div class="side-by-side">"#).count(), 1);
    let pair = &html[at(&html, r#"<div class="side-by-side">"#)..];
    let pair = &pair[..pair.find("</div>").unwrap()];
    assert_eq!(
        pair.matches(r#"<img src="data:image/png;base64,"#).count(),
        3
    );
    let (base, now, diff) = (
        at(pair, "Last green · since-last-green/02-home-baseline.png"),
        at(pair, "Now · screenshots/02-home.png"),
        at(pair, "Changed pixels · since-last-green/02-home-diff.png"),
    );
    assert!(base < now && now < diff);
    // The verdict is the report's, whatever changed.
    assert!(html.contains(r#"class="banner verdict-green""#));

    // No comparison, no section.
    let plain = report_html(dir.path(), &green_report());
    assert!(!plain.contains("Compared with the last green run"));
}

/// Breaks out of text, of a double- or single-quoted attribute, and tries a
/// script, an event handler and a `javascript:` URL.
const HOSTILE: &str = r#""'><script>alert(1)</script><img src=x onerror=alert(2)><a href="javascript:alert(3)" onmouseover="alert(4)">x</a>"#;

fn hostile_report() -> RunReport {
    let h = |prefix: &str| format!("{prefix}{HOSTILE}");
    let mut report = red_report();
    report.app = h("app");
    report.url = h("https://example.test/");
    report.tag = h("@tag");
    report.run_id = h("run");
    report.environment_error = Some(h("env"));
    report.rollback = Some(rollback(&h("block"), &h("revert"), &h("heroku")));
    report.traces = vec![ScenarioTrace {
        scenario: h("trace"),
        har: Some(PathBuf::from(h("traces/"))),
        mhtml: Some(PathBuf::from("javascript:alert(5)")),
        console: Some(PathBuf::from(h("/abs/"))),
    }];
    for (i, c) in report.checks.iter_mut().enumerate() {
        c.scenario = h("scenario");
        c.name = h("name");
        c.error = Some(h("error\nsecond line "));
        c.blocked_requests = vec![BlockedRequest {
            method: h("POST"),
            url: h("https://x/"),
            page: h("https://page/"),
            channel: h("beacon"),
            caused: vec![],
        }];
        c.page_errors = vec![PageError {
            kind: PageErrorKind::Console,
            message: h("msg"),
            page: h("https://page/"),
        }];
        if i == 1 {
            c.screenshot = Some(PathBuf::from(h("screenshots/")));
        }
        c.since_last_green = Some(Box::new(SinceLastGreen {
            run_id: h("green"),
            changed_ratio: 0.5,
            baseline: Some(PathBuf::from(h("since-last-green/"))),
            diff: Some(PathBuf::from(h("../"))),
        }));
    }
    report.checks[0].status = CheckStatus::Passed;
    report
}

#[test]
fn no_page_derived_text_becomes_markup() {
    let dir = folder_with_screenshots();
    let html = report_html(dir.path(), &hostile_report());

    assert!(!html.contains(HOSTILE));
    assert!(!html.to_lowercase().contains("<script"));
    assert!(!html.contains("<img src=x"));
    assert!(!html.contains(r#"<a href="javascript"#));
    assert!(!html.contains("onmouseover=\""));
    assert!(!html.contains("onerror=alert(2)>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Every field made it into the report, escaped.
    for prefix in [
        "app",
        "https://example.test/",
        "@tag",
        "run",
        "env",
        "block",
        "revert",
        "heroku",
        "trace",
        "scenario",
        "name",
        "error second line ",
        "POST",
        "https://x/",
        "https://page/",
        "beacon",
        "msg",
        "green",
    ] {
        let escaped = format!("{prefix}&quot;'&gt;&lt;script&gt;");
        assert!(html.contains(&escaped), "{prefix} missing or unescaped");
    }
    // Links and images: only relative paths, fragments and data URIs.
    for (i, _) in html.match_indices(" href=\"") {
        let value = &html[i + 7..];
        assert!(
            value.starts_with('#') || value.starts_with("./"),
            "link to {}",
            &value[..value.len().min(60)]
        );
    }
    for (i, _) in html.match_indices(" src=\"") {
        assert!(html[i + 6..].starts_with("data:image/"));
    }
    assert!(html.contains(r#"href="./javascript%3Aalert%285%29""#));
}

/// The runner files a page's errors under the visit that opened it, a
/// check that passed; the scenario's failure is a later check.
fn red_with_errors_on_a_passed_visit() -> RunReport {
    let mut report = red_with_evidence();
    let errors = std::mem::take(&mut report.checks[1].page_errors);
    let blocked = std::mem::take(&mut report.checks[1].blocked_requests);
    report.checks[0].page_errors = errors;
    report.checks[0].blocked_requests = blocked;
    report
}

#[test]
fn the_cause_is_shown_in_what_failed_before_any_passed_check() {
    let dir = folder_with_screenshots();
    write_artifacts(dir.path(), &red_with_errors_on_a_passed_visit()).unwrap();
    let html = read(dir.path(), "report.html");

    let what_failed = at(&html, "<h2>What failed</h2>");
    let failed = at(&html, r#"<section class="check failed" id="check-1">"#);
    let cause = at(&html, r#"<section class="cause">"#);
    let console = at(&html, "widget failed");
    let exception = at(&html, "Uncaught Error: boom");
    let blocked = at(&html, "https://mcritchie.studio/beacon?a=1&amp;b=&lt;2&gt;");
    let rollback = at(&html, "Rollback (never run by prod-smoke)");
    let passed = at(&html, r#"<details class="check passed" id="check-0">"#);
    assert!(what_failed < failed && failed < cause);
    assert!(cause < console && cause < exception && cause < blocked);
    assert!(console < rollback && blocked < rollback && rollback < passed);
    // The other failed scenario saw nothing: no cause section of its own.
    assert_eq!(html.matches(r#"<section class="cause">"#).count(), 1);

    // results.json: the cause sits on the failed check.
    let json: serde_json::Value = serde_json::from_str(&read(dir.path(), "results.json")).unwrap();
    let cause = &json["checks"][1]["cause"];
    assert_eq!(json["checks"][1]["status"], "failed");
    assert_eq!(
        cause["console_errors"][0]["message"],
        "widget failed\nsecond line"
    );
    assert_eq!(cause["page_errors"][0]["kind"], "exception");
    assert_eq!(cause["blocked_requests"].as_array().unwrap().len(), 2);
    assert!(
        json["checks"][0].get("cause").is_none(),
        "only failed checks"
    );
    assert_eq!(
        json["checks"][3]["cause"]["console_errors"],
        serde_json::json!([])
    );

    // Both counts, each named.
    assert_eq!(json["counts"]["passed"], 3);
    assert_eq!(json["scenario_counts"]["failed"], 2);
    assert!(
        html.contains(
            "checks: 3 passed · 2 failed · 1 flaky · 0 skipped — scenarios: 0 passed, 2 failed"
        ),
        "{}",
        &html[at(&html, "<header")..at(&html, "</header>")]
    );
}
