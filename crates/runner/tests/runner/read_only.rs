use prod_smoke_model::Verdict;

use crate::support::run_with;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beacons_are_blocked_before_they_reach_the_server() {
    let r = run_with(&[], |_| {}).await;
    assert_eq!(r.report.verdict, Verdict::Green);
    assert_eq!(r.site.count_non_get(), 0, "{:#?}", r.site.request_log());
    let blocked: Vec<_> = r
        .report
        .checks
        .iter()
        .flat_map(|c| &c.blocked_requests)
        .collect();
    assert!(
        !blocked.is_empty(),
        "the beacons should be reported as blocked"
    );
    for b in &blocked {
        assert_eq!(b.method, "POST");
        assert!(b.url.ends_with("/beacon"), "{b:?}");
    }
}
