use prod_smoke_report::github_annotations;

use crate::{green_report, inconclusive_report, red_report};

#[test]
fn failures_become_escaped_error_commands() {
    let lines = github_annotations(&red_report());
    assert_eq!(
        lines,
        [
            "::error title=prod-smoke mcritchie-studio%3A public routes and the task board respond › open / and the title matches /McRitchie Studio/::Expected the title of https://mcritchie.studio/ to match /McRitchie Studio/ within 5 s, but it was \"<img src=x onerror=alert(1)>\". (https://mcritchie.studio)",
            "::warning title=prod-smoke mcritchie-studio%3A public routes and the task board respond › open /tasks and the body contains \"Tasks\"::Passed on attempt 2 after failing first: Timed out after 30 s waiting for https://mcritchie.studio/tasks. (https://mcritchie.studio)",
            "::error title=prod-smoke mcritchie-studio%3A devops routes are removed › GET /devops returns 404::Expected 404 from GET https://mcritchie.studio/devops, got 200. The admin routes are back: 100%25 exposed, see: /devops, /devops/cycle (https://mcritchie.studio)",
        ]
    );
    for line in &lines {
        assert!(!line.contains('\n') && !line.contains('\r'));
    }
}

#[test]
fn raw_newlines_and_property_separators_are_escaped() {
    let mut report = red_report();
    report.checks[3].name = "GET /devops, then 100%: done\nreally".into();
    report.checks[3].error = Some("line one\r\nline two".into());
    let line = &github_annotations(&report)[2];
    assert!(line.contains("title=prod-smoke mcritchie-studio%3A devops routes are removed › GET /devops%2C then 100%25%3A done%0Areally::"), "{line}");
    // The message is collapsed to one sentence before escaping.
    assert!(
        line.ends_with("::line one line two (https://mcritchie.studio)"),
        "{line}"
    );
}

#[test]
fn green_runs_annotate_nothing_and_broken_ones_say_why() {
    assert!(github_annotations(&green_report()).is_empty());
    assert_eq!(
        github_annotations(&inconclusive_report()),
        [
            "::error title=prod-smoke mcritchie-studio%3A could not run the suite::Chromium was not found: install it or set CHROME <path>, then retry."
        ]
    );
}
