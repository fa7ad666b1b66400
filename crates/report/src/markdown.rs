//! The GitHub step summary: a heading with the verdict and a table of checks.

use prod_smoke_model::{CheckStatus, RunReport, Verdict};

use crate::explain::{duration, explain, truncate};

/// Characters of an error shown in a table cell, before the `…`.
const MAX_CELL: usize = 200;

/// Markdown for `$GITHUB_STEP_SUMMARY`. Page-derived text is escaped so it
/// can neither break the table nor inject HTML, links or code spans.
pub fn step_summary_markdown(report: &RunReport) -> String {
    let (emoji, word) = match report.verdict {
        Verdict::Green => ("🟢", "PASS"),
        Verdict::Red => ("🔴", "FAIL"),
        Verdict::Inconclusive => ("⚪", "INCONCLUSIVE"),
    };
    let mut md = format!(
        "## {emoji} prod-smoke {app}: {word} @ {host}\n\n",
        app = cell(&report.app),
        host = cell(&report.host()),
    );
    let skipped = report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Skipped)
        .count();
    md.push_str(&format!(
        "{tag} against {url}: checks **{passed} passed**, **{failed} failed**, {flaky} flaky, {skipped} skipped; scenarios {scenarios} in {d}",
        tag = cell(&report.tag),
        url = cell(&report.url),
        passed = report.passed_count(),
        failed = report.failed_count(),
        flaky = report.flaky_count(),
        scenarios = report.scenario_counts().line(),
        d = duration(report.duration_ms()),
    ));
    if report.retried {
        md.push_str(&format!(
            " (retried once after {}s boot-window wait)",
            report.retry_delay_secs
        ));
    }
    md.push_str(".\n\n");
    if let Some(env) = &report.environment_error {
        md.push_str(&format!(
            "> **prod-smoke could not run the suite:** {}\n\n",
            page_cell(&truncate(env, MAX_CELL * 2 + 1))
        ));
    }
    if report.checks.is_empty() {
        return md;
    }
    md.push_str("| | Scenario | Check | Duration | HTTP | Error |\n");
    md.push_str("|:-:|---|---|--:|:-:|---|\n");
    for c in &report.checks {
        let status = match c.status {
            CheckStatus::Passed => "✅",
            CheckStatus::Failed => "❌",
            CheckStatus::Flaky => "⚠️",
            CheckStatus::Skipped => "⏭️",
        };
        let error = explain(c)
            .map(|e| page_cell(&truncate(&e, MAX_CELL + 1)))
            .unwrap_or_default();
        md.push_str(&format!(
            "| {status} | {} | {} | {} | {} | {error} |\n",
            cell(&c.scenario),
            cell(&c.name),
            duration(c.duration_ms),
            c.http_status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "—".into()),
        ));
    }
    md
}

/// Text safe inside a GFM table cell: one line, and every character that
/// could start markup or a mention becomes an HTML entity (GitHub renders entities as text).
pub(crate) fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
    {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("&#124;"),
            '`' => out.push_str("&#96;"),
            '*' => out.push_str("&#42;"),
            '_' => out.push_str("&#95;"),
            '[' => out.push_str("&#91;"),
            ']' => out.push_str("&#93;"),
            '\\' => out.push_str("&#92;"),
            '~' => out.push_str("&#126;"),
            '!' => out.push_str("&#33;"),
            '#' => out.push_str("&#35;"),
            '$' => out.push_str("&#36;"),
            // `@name` would mention (and notify) a GitHub user or team.
            '@' => out.push_str("&#64;"),
            c => out.push(c),
        }
    }
    out
}

/// [`cell`] for page-derived text (errors quote the page): a bare URL is
/// broken with a zero-width space so GitHub does not autolink it. Links in
/// the summary come only from prod-smoke.
fn page_cell(text: &str) -> String {
    cell(text).replace("://", ":/\u{200B}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_out() {
        assert_eq!(
            cell("a|b `c`\n<script>[x](y)"),
            "a&#124;b &#96;c&#96; &lt;script&gt;&#91;x&#93;(y)"
        );
    }

    #[test]
    fn page_urls_are_not_autolinked() {
        assert_eq!(
            page_cell("see https://evil.example/x"),
            "see https:/\u{200B}/evil.example/x"
        );
    }
}
