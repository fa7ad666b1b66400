//! GitHub workflow-command annotations, one per check that needs attention.

use prod_smoke_model::{CheckStatus, RunReport};

use crate::explain::explain;

/// `::error title=...::message` lines for failed checks (and an inconclusive
/// run), `::warning` for flaky ones. Print them to stdout in a workflow step.
pub fn github_annotations(report: &RunReport) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(env) = &report.environment_error {
        lines.push(format!(
            "::error title={}::{}",
            escape_property(&format!(
                "prod-smoke {}: could not run the suite",
                report.app
            )),
            escape_data(env),
        ));
    }
    for c in &report.checks {
        let level = match c.status {
            CheckStatus::Failed => "error",
            CheckStatus::Flaky => "warning",
            CheckStatus::Passed | CheckStatus::Skipped => continue,
        };
        let title = format!("prod-smoke {}: {} › {}", report.app, c.scenario, c.name);
        let message = format!("{} ({})", explain(c).unwrap_or_default(), report.url);
        lines.push(format!(
            "::{level} title={}::{}",
            escape_property(&title),
            escape_data(&message)
        ));
    }
    lines
}

/// Escaping for a command's message, per GitHub's toolkit (`escapeData`).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping for a command's property value (`escapeProperty`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(escape_data("50%\r\nnext::x"), "50%25%0D%0Anext::x");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
