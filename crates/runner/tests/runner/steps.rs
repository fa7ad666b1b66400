//! The read-only checks beyond the @qa-readonly port (`url`, `hidden`,
//! `count`, `header`, `json`), each passing and failing against the fixture
//! site. A failing step says what it expected, what it saw and how long it
//! waited (docs/spec.md, "Steps").

use prod_smoke_model::{CheckStatus, RunReport};

use crate::support::{Run, run_spec, run_with};

fn status_of(report: &RunReport, name: &str) -> CheckStatus {
    report
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name:?} in {:#?}", report.checks))
        .status
}

fn assert_passed(r: &Run, names: &[&str]) {
    for name in names {
        assert_eq!(
            status_of(&r.report, name),
            CheckStatus::Passed,
            "{name}: {}",
            r.error_of(name)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn url_matches_the_final_url_after_redirects() {
    let r = run_spec(
        "steps.yaml",
        &[],
        r#"
scenarios:
  - name: a moved page lands on the board
    steps:
      - visit: /board
      - url: /\/tasks$/
  - name: the URL read is the final one
    steps:
      - visit: /board
      - url: /\/board$/
        timeout: 500ms
"#,
    )
    .await;
    assert_passed(&r, &["URL matches /\\/tasks$/"]);
    assert_eq!(r.failed_names(), ["URL matches /\\/board$/"]);
    let why = r.error_of("URL matches /\\/board$/");
    let expected = format!(
        "`URL matches /\\/board$/` failed: expected the URL to match /\\/board$/, saw URL \"{}/tasks\" after waiting ",
        r.site.base_url()
    );
    assert!(why.starts_with(&expected), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_passes_on_no_match_or_an_invisible_one_and_fails_on_a_visible_one() {
    let r = run_spec(
        "steps.yaml",
        &[],
        r#"
scenarios:
  - name: nothing or nothing visible
    steps:
      - visit: /signin
      - hidden: .flash-alert
      - hidden: 'script[src="/assets/application.js"]'
  - name: the email field shows
    steps:
      - visit: /signin
      - hidden: 'input[name="email"]'
        timeout: 500ms
  - name: strict mode
    steps:
      - visit: /signin
      - hidden: input
        timeout: 500ms
"#,
    )
    .await;
    assert_passed(
        &r,
        &[
            ".flash-alert is hidden",
            "script[src=\"/assets/application.js\"] is hidden",
        ],
    );
    let why = r.error_of("input[name=\"email\"] is hidden");
    assert!(
        why.contains(
            "expected `input[name=\"email\"]` to be hidden, saw `input[name=\"email\"]` visible after waiting "
        ),
        "{why}"
    );
    let why = r.error_of("input is hidden");
    assert!(
        why.contains(
            "expected `input` to be hidden, saw 2 elements matching `input` (strict mode wants one)"
        ),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_counts_every_match() {
    let r = run_spec(
        "steps.yaml",
        &[],
        r#"
scenarios:
  - name: the board has five cards
    steps:
      - visit: /tasks
      - count: .task-card
        equals: 5
      - count: .flash-alert
        equals: 0
  - name: the board has three cards
    steps:
      - visit: /tasks
      - count: .task-card
        equals: 3
        timeout: 500ms
"#,
    )
    .await;
    assert_passed(
        &r,
        &[
            ".task-card matches 5 elements",
            ".flash-alert matches 0 elements",
        ],
    );
    assert_eq!(r.failed_names(), [".task-card matches 3 elements"]);
    let why = r.error_of(".task-card matches 3 elements");
    assert!(
        why.starts_with(
            "`.task-card matches 3 elements` failed: expected `.task-card` to match 3 elements, saw 5 elements matching `.task-card` after waiting "
        ),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_reads_the_last_http_response_with_any_case_of_name() {
    let r = run_spec(
        "steps.yaml",
        &[],
        r#"
scenarios:
  - name: the status endpoint speaks JSON
    steps:
      - get: /up.json
      - header: Content-Type
        value: /^application\/json$/
      - header: server
        value: prod-smoke-fixture-site
      - header: cache-control
  - name: the text endpoint does not
    steps:
      - get: /up
      - header: content-type
        value: /json/
  - name: no request id
    steps:
      - head: /up
      - header: x-request-id
"#,
    )
    .await;
    assert_passed(
        &r,
        &[
            "header content-type matches /^application\\/json$/",
            "header server is \"prod-smoke-fixture-site\"",
            "header cache-control is present",
        ],
    );
    let why = r.error_of("header content-type matches /json/");
    assert!(
        why.starts_with(
            "`header content-type matches /json/` failed: expected header `content-type` on GET /up to match /json/, saw \"text/plain; charset=utf-8\" (after "
        ),
        "{why}"
    );
    let why = r.error_of("header x-request-id is present");
    assert!(
        why.contains("expected a `x-request-id` header on HEAD /up, saw no such header (after "),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_compares_a_path_of_the_body() {
    let r = run_spec(
        "steps.yaml",
        &[],
        r#"
scenarios:
  - name: the status endpoint is healthy
    steps:
      - get: /up.json
      - json: status
        equals: ok
      - json: services[1].dynos
        equals: 1
      - json: checks
        equals: {database: ok, cache: ok}
  - name: the database is down
    steps:
      - get: /up.json
      - json: checks.database
        equals: down
  - name: a missing key
    steps:
      - get: /up.json
      - json: checks.queue
        equals: ok
  - name: a text body
    steps:
      - get: /up
      - json: status
        equals: ok
"#,
    )
    .await;
    assert_passed(
        &r,
        &[
            "json status equals \"ok\"",
            "json services[1].dynos equals 1",
            "json checks equals {\"cache\":\"ok\",\"database\":\"ok\"}",
        ],
    );
    let why = r.error_of("json checks.database equals \"down\"");
    assert!(
        why.contains(
            "expected json `checks.database` on GET /up.json to equal \"down\", saw \"ok\" (after "
        ),
        "{why}"
    );
    let why = r.error_of("json checks.queue equals \"ok\"");
    assert!(why.contains("saw no key `queue` in `checks`"), "{why}");
    let why = r.error_of("json status equals \"ok\"");
    let text_body = r
        .report
        .checks
        .iter()
        .find(|c| c.scenario == "a text body" && c.name == "json status equals \"ok\"")
        .and_then(|c| c.error.clone())
        .unwrap_or_default();
    assert!(
        text_body.contains("saw a body that is not JSON"),
        "{text_body}"
    );
    assert!(why.is_empty(), "the healthy scenario's check passed: {why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_states_its_wait_once_polled_or_not() {
    use prod_smoke_fixture_site::Fault;
    let scenarios = prod_smoke_spec::Suite::parse(
        "wait.yaml",
        r#"
scenarios:
  - name: health
    steps:
      - get: /up
  - name: sign-in form
    steps:
      - visit: /signin
      - visible: 'input[name="email"]'
        timeout: 500ms
"#,
    )
    .expect("the spec parses")
    .scenarios;
    let r = run_with(&[Fault::Up503, Fault::HiddenElement], |o| {
        o.scenarios = scenarios
    })
    .await;
    let request = r.error_of("GET /up returns 200");
    assert!(
        request.starts_with(
            "`GET /up returns 200` failed: GET /up returned 503, expected 200 (after "
        ) && request.ends_with("s)")
            && !request.contains("after waiting"),
        "{request}"
    );
    let polled = r.error_of("input[name=\"email\"] is visible");
    assert!(
        polled.starts_with(
            "`input[name=\"email\"] is visible` failed: expected `input[name=\"email\"]` to be visible, saw `input[name=\"email\"]` present but hidden after waiting "
        ) && polled.ends_with('s')
            && !polled.contains("(after"),
        "{polled}"
    );
    assert_eq!(polled.matches("after waiting").count(), 1, "{polled}");
}
