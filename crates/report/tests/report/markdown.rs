use prod_smoke_report::step_summary_markdown;

use crate::{green_report, inconclusive_report, red_report};

#[test]
fn summary_has_the_verdict_and_a_row_per_check() {
    let md = step_summary_markdown(&red_report());
    let mut lines = md.lines();
    assert_eq!(
        lines.next().unwrap(),
        "## 🔴 prod-smoke mcritchie-studio: FAIL @ mcritchie.studio"
    );
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(rows.len(), 2 + 5, "header, rule, then one row per check");
    for row in &rows {
        // Page text never adds a column.
        assert_eq!(row.matches('|').count(), 7, "{row}");
    }
    assert!(rows[3].starts_with("| ❌ |"));
    assert!(rows[4].starts_with("| ⚠️ |"));
    assert!(md.contains("(retried once after 30s boot-window wait)"));
}

#[test]
fn summary_escapes_page_text() {
    let mut report = red_report();
    report.checks[1].error = Some(
        "title was <img src=x onerror=alert(1)> | `code` [link](javascript:x) **bold**\nnext"
            .into(),
    );
    let md = step_summary_markdown(&report);
    assert!(!md.contains("<img"));
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt; &#124; &#96;code&#96; &#91;link&#93;(javascript:x) &#42;&#42;bold&#42;&#42; next"));
}

#[test]
fn summary_snapshots() {
    insta::assert_snapshot!("red", step_summary_markdown(&red_report()));
    insta::assert_snapshot!("green", step_summary_markdown(&green_report()));
    insta::assert_snapshot!(
        "inconclusive",
        step_summary_markdown(&inconclusive_report())
    );
}
