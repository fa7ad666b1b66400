//! Interactions (`click`, `hover`, `fill`, `press`, `scroll`, `opens:
//! tab`) on the fixture site's interaction pages. Each scenario runs green
//! against the healthy site and red, on the step that reads what broke,
//! with `Fault::InteractionsBroken`; a POST form's submit fails on the
//! click, naming the request the guard refused, and reaches no server.

use prod_smoke_fixture_site::Fault;
use prod_smoke_model::CheckStatus;

use crate::support::run_spec;

/// Scenarios that each read one thing `Fault::InteractionsBroken` breaks.
const BOTH_WAYS: &str = r##"
scenarios:
  - name: products menu opens on hover
    steps:
      - visit: /menu
      - hidden: {test_id: products-menu}
      - hover: {role: button, name: Products}
      - visible: {test_id: products-menu}
      - click: {text: Firefox, exact: true}
      - title: Firefox
  - name: a client-side route change
    steps:
      - visit: /spa
      - text: Home view
        in: main
      - click: {role: link, name: About}
      - url: /\/spa\/about$/
      - text: About us
        in: main
        exact: true
  - name: search form (a GET form) and keys
    steps:
      - visit: /search
      - fill: {label: Search}
        with: rust
      - press: Enter
      - url: /\/search\?q=rust$/
      - text: Results for rust
  - name: the contact form previews as you type
    steps:
      - visit: /contact
      - fill: {label: Your name}
        with: Ada
      - text: Hello, Ada
        in: output
  - name: a link that opens a new tab
    steps:
      - visit: /tabs
      - click: {role: link, name: Open the app}
        opens: tab
      - url: /\/tabs\/opened$/
      - text: Opened in a new tab
"##;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactions_pass_on_the_healthy_site() {
    let r = run_spec("interactions.yaml", &[], BOTH_WAYS).await;
    assert_eq!(
        r.failed_names(),
        Vec::<&str>::new(),
        "{:#?}",
        r.report.checks
    );
    assert_eq!(r.report.checks.len(), 23, "{:#?}", r.report.checks);
    assert!(
        r.report
            .checks
            .iter()
            .all(|c| c.status == CheckStatus::Passed),
        "{:#?}",
        r.report.checks
    );
    assert_eq!(r.site.count_non_get(), 0);
}

/// The tab a click opens gets the scenario's `use:` settings: its phone
/// note shows at a phone's width and stays hidden at the default one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_tab_gets_the_scenarios_browser_settings() {
    let spec = r##"
scenarios:
  - name: phone tab
    use: {viewport: {width: 360, height: 780}}
    steps:
      - visit: /tabs
      - click: {role: link, name: Open the app}
        opens: tab
      - visible: "#phone-note"
  - name: desktop tab
    steps:
      - visit: /tabs
      - click: {role: link, name: Open the app}
        opens: tab
      - hidden: "#phone-note"
"##;
    let r = run_spec("interactions.yaml", &[], spec).await;
    assert_eq!(
        r.failed_names(),
        Vec::<&str>::new(),
        "{:#?}",
        r.report.checks
    );
    assert_eq!(r.report.checks.len(), 6, "{:#?}", r.report.checks);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_scenario_fails_on_the_step_that_reads_what_broke() {
    let r = run_spec("interactions.yaml", &[Fault::InteractionsBroken], BOTH_WAYS).await;
    assert_eq!(
        r.failed_names(),
        [
            "getByTestId('products-menu') is visible",
            "URL matches /\\/spa\\/about$/",
            "body contains \"Results for rust\"",
            "output contains \"Hello, Ada\"",
            "click getByRole('link', { name: 'Open the app' }) (opens a tab)",
        ],
        "{:#?}",
        r.report.checks
    );
    let tab = r.error_of("click getByRole('link', { name: 'Open the app' }) (opens a tab)");
    assert!(
        tab.contains("expected the click to open a tab, none opened"),
        "{tab}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_forms_submit_fails_naming_the_refused_request_and_writes_nothing() {
    let r = run_spec(
        "interactions.yaml",
        &[],
        r##"
scenarios:
  - name: the contact form is sent
    steps:
      - visit: /contact
      - fill: {label: Your name}
        with: Ada
      - click: {role: button, name: Send}
      - text: Thank you
"##,
    )
    .await;
    assert_eq!(
        r.failed_names(),
        ["click getByRole('button', { name: 'Send' })"],
        "{:#?}",
        r.report.checks
    );
    let why = r.error_of("click getByRole('button', { name: 'Send' })");
    let url = format!("{}/contact", r.site.base_url());
    assert!(
        why.contains(&format!(
            "sent POST {url}, which prod-smoke's read-only guard refused"
        )),
        "{why}"
    );
    assert_eq!(r.site.count_non_get(), 0, "the fixture server saw a write");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_wait_for_actionable_elements_and_keep_strict_mode() {
    let r = run_spec(
        "interactions.yaml",
        &[],
        r##"
scenarios:
  - name: strict mode
    steps:
      - visit: /menu
      - click: {css: "li a"}
        timeout: 1s
  - name: a hidden target is waited for, then the step fails
    steps:
      - visit: /menu
      - click: {text: Firefox Focus}
        timeout: 1s
  - name: keys and scrolling
    steps:
      - visit: /search
      - fill: "#q"
        with: rust lang
      - press: Control+A
        in: {label: Search}
      - press: Backspace
      - fill: "#q"
        with: go
      - press: Enter
      - url: /\?q=go$/
  - name: fill refuses what cannot be filled
    steps:
      - visit: /search
      - fill: {role: button, name: Go}
        with: x
        timeout: 1s
"##,
    )
    .await;
    assert_eq!(
        r.failed_names(),
        [
            "click locator('li a')",
            "click getByText('Firefox Focus')",
            "fill getByRole('button', { name: 'Go' }) with \"x\"",
        ],
        "{:#?}",
        r.report.checks
    );
    let strict = r.error_of("click locator('li a')");
    assert!(
        strict.contains("strict mode violation: `locator('li a')` matched 2 elements"),
        "{strict}"
    );
    let hidden = r.error_of("click getByText('Firefox Focus')");
    assert!(
        hidden.contains("expected `getByText('Firefox Focus')` to be ready to click")
            && hidden.contains("not visible"),
        "{hidden}"
    );
    let fill = r.error_of("fill getByRole('button', { name: 'Go' }) with \"x\"");
    assert!(
        fill.contains("is not an <input>, <textarea> or [contenteditable] element"),
        "{fill}"
    );
}
