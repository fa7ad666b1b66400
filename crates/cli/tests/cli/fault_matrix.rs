//! Every way production misbehaves, against real Chromium: the verdict, the
//! exit code, the failing check, and no browser left behind.

use prod_smoke_fixture_site::{Fault, FixtureOptions};

use crate::support::{Smoke, site, site_with};

struct Case {
    fault: Fault,
    exit: i32,
    /// The failing check's name, for red cases.
    failing: Option<&'static str>,
    /// Text the failure explanation must contain.
    says: &'static str,
}

async fn check(case: Case) {
    // Every page also tries every write channel a browser has, so each
    // fault is also a proof that nothing writes while the site misbehaves.
    let s_site = site_with(FixtureOptions {
        faults: vec![case.fault],
        hostile: true,
        ..FixtureOptions::default()
    })
    .await;
    let mut s = Smoke::against(&s_site.base_url());
    if case.fault == Fault::HugePage {
        // Loading megabytes on a busy 2-core machine needs the real budget.
        s.args(["--timeout", "30"]);
    }
    let f = s.run().await;
    let name = case.fault.as_str();
    assert_eq!(f.code, case.exit, "{name}: {f}");
    let failed = f.failed_checks(&s.artifacts());
    match case.failing {
        Some(check) => {
            assert_eq!(failed, [check], "{name}: {f}");
            let results = f.results(&s.artifacts());
            let error = results["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == check)
                .and_then(|c| c["error"].as_str())
                .unwrap_or_default()
                .to_string();
            assert!(
                error.contains(case.says),
                "{name}: error {error:?} lacks {:?}",
                case.says
            );
            assert!(
                f.stderr.contains(case.says),
                "{name}: stderr lacks {:?}: {f}",
                case.says
            );
        }
        None => assert!(failed.is_empty(), "{name}: {failed:?}"),
    }
    assert_eq!(
        s_site.count_non_get(),
        0,
        "{name}: a write reached the server"
    );
}

macro_rules! fault_case {
    ($test:ident, $fault:expr, $exit:expr, $failing:expr, $says:expr) => {
        #[tokio::test]
        async fn $test() {
            check(Case {
                fault: $fault,
                exit: $exit,
                failing: $failing,
                says: $says,
            })
            .await;
        }
    };
}

fault_case!(
    forged_alert,
    Fault::ForgedAlert,
    1,
    Some("body contains \"Tasks\""),
    "URGENT"
);
fault_case!(page_500, Fault::Page500, 1, Some("visit /"), "got 500");
fault_case!(
    up_503,
    Fault::Up503,
    1,
    Some("GET /up returns 200"),
    "returned 503, expected 200"
);
fault_case!(
    admin_route_200,
    Fault::Admin200,
    1,
    Some("GET /devops returns 404"),
    "returned 200, expected 404"
);
fault_case!(
    hang_past_timeout,
    Fault::Hang,
    1,
    Some("visit /tasks"),
    "within 5s"
);
fault_case!(
    connection_reset,
    Fault::Reset,
    1,
    Some("visit /"),
    "ERR_CONNECTION_RESET"
);
fault_case!(
    redirect_loop,
    Fault::RedirectLoop,
    1,
    Some("visit /tasks"),
    "ERR_TOO_MANY_REDIRECTS"
);
fault_case!(
    redirect_to_signin,
    Fault::RedirectSignin,
    1,
    Some("body contains \"Tasks\""),
    "to contain \"Tasks\""
);
fault_case!(
    empty_404,
    Fault::Empty404,
    1,
    Some("visit /tasks"),
    "got 404"
);
fault_case!(
    wrong_title,
    Fault::WrongTitle,
    1,
    Some("title matches /McRitchie Studio/"),
    "Welcome to nginx!"
);
fault_case!(
    hidden_element,
    Fault::HiddenElement,
    1,
    Some("input[name=\"email\"] is visible"),
    "present but hidden"
);
fault_case!(
    page_that_throws_is_green_with_errors_recorded,
    Fault::Throws,
    0,
    None,
    ""
);
fault_case!(multi_megabyte_page, Fault::HugePage, 0, None, "");
fault_case!(
    text_that_renders_late_is_waited_for,
    Fault::LateText,
    0,
    None,
    ""
);

#[tokio::test]
async fn page_errors_are_recorded_without_failing() {
    let throwing = site(&[Fault::Throws]).await;
    let s = Smoke::against(&throwing.base_url());
    let f = s.run().await;
    assert_eq!(f.code, 0, "{f}");
    let results = f.results(&s.artifacts());
    let errors: Vec<_> = results["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["page_errors"].as_array().cloned().unwrap_or_default())
        .collect();
    assert!(
        errors.iter().any(|e| e["kind"] == "exception"),
        "{errors:#?}"
    );
    assert!(errors.iter().any(|e| e["kind"] == "console"), "{errors:#?}");
}

#[tokio::test]
async fn self_signed_tls_fails_the_check() {
    let tls = site_with(FixtureOptions {
        tls: true,
        ..FixtureOptions::default()
    })
    .await;
    assert!(tls.base_url().starts_with("https://"));
    let s = Smoke::against(&tls.base_url());
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    let failed = f.failed_checks(&s.artifacts());
    // Both scenarios open with a plain-HTTP check, and both fail on the certificate.
    assert_eq!(
        failed,
        ["GET /up returns 200", "GET /devops returns 404"],
        "{f}"
    );
    assert!(f.stderr.to_lowercase().contains("certificate"), "{f}");
}

#[tokio::test]
async fn self_signed_tls_fails_in_the_browser_too() {
    let tls = site_with(FixtureOptions {
        tls: true,
        ..FixtureOptions::default()
    })
    .await;
    let mut s = Smoke::against(&tls.base_url());
    // Only the browser scenario, whose first page step is a visit.
    let spec = s.scratch.path().join("visit.yaml");
    std::fs::write(
        &spec,
        "scenarios:\n  - name: home\n    tags: ['@tls']\n    steps:\n      - visit: /\n",
    )
    .unwrap();
    s.args(["--spec", spec.to_str().unwrap(), "--grep", "@tls"]);
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    assert!(f.stderr.contains("ERR_CERT"), "{f}");
}
