//! Pages Playwright fails and an earlier prod-smoke sealed green. Each one
//! must be red, on the step Playwright fails on (docs/spec.md, "Semantics").

use prod_smoke_fixture_site::Fault;
use prod_smoke_model::Verdict;

use crate::support::run_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_only_inside_a_script_is_not_page_text() {
    let r = run_with(&[Fault::ScriptOnlyText], |_| {}).await;
    assert_eq!(r.report.verdict, Verdict::Red, "{:#?}", r.report);
    assert_eq!(r.failed_names(), ["body contains \"Tasks\""]);
    let why = r.error_of("body contains \"Tasks\"");
    assert!(
        why.contains("expected `body` to contain \"Tasks\""),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_input_inside_a_closed_details_is_not_visible() {
    let r = run_with(&[Fault::ClosedDetails], |_| {}).await;
    assert_eq!(r.report.verdict, Verdict::Red, "{:#?}", r.report);
    assert_eq!(r.failed_names(), ["input[name=\"email\"] is visible"]);
    let why = r.error_of("input[name=\"email\"] is visible");
    assert!(why.contains("present but hidden"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_204_navigation_is_not_a_rendered_page() {
    let r = run_with(&[Fault::NoContent], |_| {}).await;
    assert_eq!(r.report.verdict, Verdict::Red, "{:#?}", r.report);
    assert_eq!(r.failed_names(), ["visit /tasks"]);
    let c = r
        .report
        .checks
        .iter()
        .find(|c| c.name == "visit /tasks")
        .unwrap();
    assert_eq!(c.http_status, Some(204));
    let why = r.error_of("visit /tasks");
    assert!(why.contains("committed none"), "{why}");
}
