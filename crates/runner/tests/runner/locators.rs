//! Locators by role, label, text, placeholder, alt text, title and test id,
//! refined by `has_text`, `nth` and `frame`; the `attribute`, exact `text`
//! and `in_viewport` checks; and `visit … status:` on an error page. Each
//! runs green against the healthy fixture site and red, on the step that
//! reads what broke, with `Fault::LocatorsBroken`.

use prod_smoke_fixture_site::Fault;

use crate::support::run_spec;

/// Scenarios that each read one thing `Fault::LocatorsBroken` takes away.
const BOTH_WAYS: &str = r##"
scenarios:
  - name: by role and accessible name
    steps:
      - visit: /people
      - visible: {role: navigation, name: team}
      - attribute: {role: link, name: FAQ, exact: true}
        name: href
        value: /faq/
  - name: by label
    steps:
      - visit: /people
      - visible: {label: Search people}
  - name: by test id
    steps:
      - visit: /people
      - text: Invite someone
        in: {test_id: invite}
        exact: true
  - name: by alt text
    steps:
      - visit: /people
      - visible: {alt: logo}
  - name: inside an iframe
    steps:
      - visit: /embed
      - text: Inner ready
        in: {frame: "iframe#inner", css: p}
        exact: true
  - name: the error page is ours
    steps:
      - visit: /does-not-exist
        status: 404
      - title: The page you were looking for doesn't exist (404)
  - name: the contact section scrolls into view
    steps:
      - visit: /long#contact
      - in_viewport: {role: region, name: Contact}
"##;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locators_and_new_checks_pass_on_the_healthy_site() {
    let r = run_spec("locators.yaml", &[], BOTH_WAYS).await;
    assert_eq!(
        r.failed_names(),
        Vec::<&str>::new(),
        "{:#?}",
        r.report.checks
    );
    assert_eq!(r.report.checks.len(), 15, "{:#?}", r.report.checks);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_scenario_fails_on_the_step_that_reads_what_broke() {
    let r = run_spec("locators.yaml", &[Fault::LocatorsBroken], BOTH_WAYS).await;
    assert_eq!(
        r.failed_names(),
        [
            "getByRole('navigation', { name: 'team' }) is visible",
            "getByLabel('Search people') is visible",
            "getByTestId('invite') has text \"Invite someone\"",
            "getByAltText('logo') is visible",
            "frameLocator('iframe#inner').locator('p') has text \"Inner ready\"",
            "visit /does-not-exist (404)",
            "getByRole('region', { name: 'Contact' }) is in the viewport",
        ]
    );
    let soft = r.error_of("visit /does-not-exist (404)");
    assert!(
        soft.contains("expected a 404 document for /does-not-exist, got 200"),
        "{soft}"
    );
    let frame = r.error_of("frameLocator('iframe#inner').locator('p') has text \"Inner ready\"");
    assert!(frame.contains("saw text \"Inner loading\""), "{frame}");
    let role = r.error_of("getByRole('navigation', { name: 'team' }) is visible");
    assert!(role.contains("saw no element matching"), "{role}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn playwright_definitions_of_text_roles_labels_and_strictness() {
    let r = run_spec(
        "locators.yaml",
        &[],
        r##"
scenarios:
  - name: passes
    steps:
      - visit: /people
      - visible: {role: heading, name: "/^peo/i"}
      - visible: {label: newsletter}
      - visible: {label: Plan, exact: true}
      - visible: {placeholder: name or}
      - visible: {title: Questions}
      - visible: {text: invite SOMEONE}
      - count: {text: Pro}
        equals: 2
      - count: {role: button}
        equals: 1
      - hidden: {text: Hidden action}
      - visible: {css: li.plan, has_text: popular}
      - text: Team
        in: {css: li.plan, nth: -1}
        exact: true
      - text: © McRitchie Studio 2026
        in: "#copy"
        exact: true
      - attribute: "#q"
        name: placeholder
      - attribute: {role: link, name: faq}
        name: href
        value: /^\/faq\/$/
      - hidden: {frame: "iframe#nowhere", css: p}
      - count: {frame: "iframe#nowhere", css: p}
        equals: 0
      - visible: {frame: "iframe#nowhere", css: p}
        timeout: 1s
  - name: strict mode
    steps:
      - visit: /people
      - visible: {css: li.plan}
        timeout: 1s
  - name: exact text is the whole text
    steps:
      - visit: /people
      - text: McRitchie Studio 2026
        in: "#copy"
        exact: true
        timeout: 1s
  - name: a 200 is not the 404 asked for
    steps:
      - visit: /
        status: 404
  - name: below the fold
    steps:
      - visit: /long
      - in_viewport: {role: region, name: Contact}
        timeout: 1s
  - name: no attribute
    steps:
      - visit: /people
      - attribute: {test_id: invite}
        name: disabled
        timeout: 1s
"##,
    )
    .await;
    assert_eq!(
        r.failed_names(),
        [
            "frameLocator('iframe#nowhere').locator('p') is visible",
            "locator('li.plan') is visible",
            "#copy has text \"McRitchie Studio 2026\"",
            "visit / (404)",
            "getByRole('region', { name: 'Contact' }) is in the viewport",
            "getByTestId('invite') has attribute disabled",
        ],
        "{:#?}",
        r.report.checks
    );
    let why = |n: &str| r.error_of(n);
    assert!(
        why("frameLocator('iframe#nowhere').locator('p') is visible")
            .contains("saw no frame matching `iframe#nowhere`"),
        "{}",
        why("frameLocator('iframe#nowhere').locator('p') is visible")
    );
    assert!(
        why("locator('li.plan') is visible").contains(
            "saw 3 elements matching `locator('li.plan')` (strict mode wants one; add `nth:` to pick one)"
        ),
        "{}",
        why("locator('li.plan') is visible")
    );
    assert!(
        why("#copy has text \"McRitchie Studio 2026\"")
            .contains("saw text \"© McRitchie Studio 2026\""),
        "{}",
        why("#copy has text \"McRitchie Studio 2026\"")
    );
    assert!(
        why("visit / (404)").contains("expected a 404 document for /, got 200"),
        "{}",
        why("visit / (404)")
    );
    assert!(
        why("getByRole('region', { name: 'Contact' }) is in the viewport")
            .contains("outside the viewport"),
        "{}",
        why("getByRole('region', { name: 'Contact' }) is in the viewport")
    );
    assert!(
        why("getByTestId('invite') has attribute disabled").contains("saw no attribute disabled"),
        "{}",
        why("getByTestId('invite') has attribute disabled")
    );
}
