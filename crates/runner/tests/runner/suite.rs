use prod_smoke_fixture_site::Fault;
use prod_smoke_model::{CheckStatus, Verdict};

use crate::support::run_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_site_is_green_with_a_screenshot_per_visit() {
    let r = run_with(&[], |_| {}).await;
    assert_eq!(r.report.verdict, Verdict::Green, "{:#?}", r.report);
    assert_eq!(r.report.checks.len(), 10);
    let visits: Vec<_> = r
        .report
        .checks
        .iter()
        .filter(|c| c.name.starts_with("visit "))
        .collect();
    assert_eq!(visits.len(), 3);
    for v in visits {
        assert_eq!(v.http_status, Some(200), "{v:?}");
        let shot = r
            .artifacts
            .path()
            .join(v.screenshot.as_ref().expect("screenshot"));
        let bytes = std::fs::read(&shot).expect("screenshot file exists");
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_404_reads_the_status_from_network_events() {
    let r = run_with(&[Fault::Empty404], |_| {}).await;
    assert_eq!(r.report.verdict, Verdict::Red);
    assert_eq!(r.failed_names(), ["visit /tasks"]);
    let c = r
        .report
        .checks
        .iter()
        .find(|c| c.name == "visit /tasks")
        .unwrap();
    assert_eq!(c.http_status, Some(404));
    assert!(
        r.error_of("visit /tasks").contains("got 404"),
        "{}",
        r.error_of("visit /tasks")
    );
    // Steps after the failure are skipped, like a Playwright test.
    let last = r
        .report
        .checks
        .iter()
        .find(|c| c.name == "body contains \"Tasks\"")
        .unwrap();
    assert_eq!(last.status, CheckStatus::Skipped);
}
