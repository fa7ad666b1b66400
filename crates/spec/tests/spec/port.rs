use prod_smoke_spec::steps::page::title::Title;
use prod_smoke_spec::{HttpMethod, Step, default_suite};

#[test]
fn default_suite_is_the_exact_qa_readonly_port() {
    let suite = default_suite();
    let names: Vec<_> = suite.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "public routes and the task board respond",
            "devops routes are removed"
        ]
    );
    for s in &suite.scenarios {
        assert_eq!(s.tags, ["@qa-readonly"]);
    }
    let steps: Vec<String> = suite.scenarios[0]
        .steps
        .iter()
        .map(Step::describe)
        .collect();
    assert_eq!(
        steps,
        [
            "GET /up returns 200",
            "visit /",
            "title matches /McRitchie Studio/",
            "body contains \"McRitchie Studio\"",
            "visit /signin",
            "input[name=\"email\"] is visible",
            "visit /tasks",
            "body contains \"Tasks\"",
        ]
    );
    let steps: Vec<String> = suite.scenarios[1]
        .steps
        .iter()
        .map(Step::describe)
        .collect();
    assert_eq!(
        steps,
        ["GET /devops returns 404", "GET /devops/cycle returns 404"]
    );
}

#[test]
fn title_regex_matches_like_playwright() {
    let suite = default_suite();
    let Step::Assert(a) = &suite.scenarios[0].steps[2] else {
        panic!("third step is the title check");
    };
    let Title { pattern, .. } = a.downcast_ref().expect("third step is the title check");
    assert!(pattern.matches("McRitchie Studio — Agents at work"));
    assert!(!pattern.matches("Welcome to nginx!"));
}

#[test]
fn vocabulary_only_reads() {
    for s in &default_suite().scenarios {
        for step in &s.steps {
            if let Step::Http(h) = step {
                assert!(matches!(h.method, HttpMethod::Get | HttpMethod::Head));
            }
        }
    }
}

#[test]
fn grep_selects_by_tag_or_title() {
    let suite = default_suite();
    assert_eq!(suite.select("@qa-readonly").len(), 2);
    assert_eq!(suite.select("devops").len(), 1);
    assert_eq!(suite.select("@nightly").len(), 0);
}
