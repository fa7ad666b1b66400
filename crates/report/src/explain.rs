//! The one sentence each report shows for a check that did not simply pass.

use prod_smoke_model::{CheckResult, CheckStatus, PageErrorKind};

/// Longest explanation shown inline; the full error stays in results.json
/// and in the HTML details.
const MAX_SENTENCE: usize = 300;

/// One sentence for a check that failed, flaked or was skipped; `None` for a
/// clean pass.
pub fn explain(check: &CheckResult) -> Option<String> {
    let recorded = check
        .error
        .as_deref()
        .map(one_line)
        .filter(|s| !s.is_empty());
    match check.status {
        CheckStatus::Passed => None,
        CheckStatus::Failed => Some(recorded.unwrap_or_else(|| match check.http_status {
            Some(status) => format!(
                "\"{}\" failed with HTTP {status} and no recorded reason.",
                check.name
            ),
            None => format!("\"{}\" failed with no recorded reason.", check.name),
        })),
        CheckStatus::Flaky => Some(match recorded {
            Some(first) => format!(
                "Passed on attempt {} after failing first: {first}",
                check.attempts
            ),
            None => format!("Passed on attempt {} after failing first.", check.attempts),
        }),
        CheckStatus::Skipped => Some(recorded.unwrap_or_else(|| {
            "Not run, because prod-smoke's own environment failed first.".to_string()
        })),
    }
}

/// How a page error's kind reads in a report.
pub(crate) fn page_error_kind(kind: PageErrorKind) -> &'static str {
    match kind {
        PageErrorKind::Exception => "uncaught exception",
        PageErrorKind::Console => "console error",
        PageErrorKind::FailedRequest => "failed request",
    }
}

/// Whitespace collapsed to single spaces, cut after [`MAX_SENTENCE`]
/// characters (then `…`).
pub(crate) fn one_line(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&collapsed, MAX_SENTENCE + 1)
}

pub(crate) use prod_smoke_model::text::{duration, truncate};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_or_multiline_errors_become_one_line() {
        assert_eq!(one_line("a\n  b\r\nc"), "a b c");
        let long = "é".repeat(400);
        let cut = one_line(&long);
        assert_eq!(cut.chars().count(), MAX_SENTENCE + 1);
        assert!(cut.ends_with('…'));
    }
}
