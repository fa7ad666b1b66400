//! Recent seals from the ledger, for `prod-smoke history [APP]`: every run,
//! flaky and inconclusive ones included, with where each was delivered.

use prod_smoke_model::Verdict;
use sqlx::Row;

use crate::errors::SealError;
use crate::ledger::{DeliveryState, Ledger, parse_verdict};
use crate::sinks::Sink;

/// One sink's delivery of one run, as the ledger has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub sink: Sink,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// Why it was skipped, or what was delivered.
    pub detail: Option<String>,
    pub delivered_at: Option<String>,
}

/// One run in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub run_id: String,
    pub app: String,
    pub url: String,
    pub verdict: Verdict,
    pub summary: String,
    /// The line the seal's Markdown sinks carried, page-derived text
    /// escaped (see `markdown_safe`): what `prod-smoke notes` writes.
    pub verdict_line: String,
    pub checked_at: String,
    pub release_slug: Option<String>,
    pub passed: u32,
    pub failed: u32,
    pub flaky: u32,
    pub retried: bool,
    pub artifacts_dir: Option<String>,
    pub deliveries: Vec<DeliveryRecord>,
}

impl Ledger {
    /// Every sink's delivery of a run.
    pub async fn deliveries(&self, run_id: &str) -> Result<Vec<DeliveryRecord>, SealError> {
        let rows = sqlx::query(
            "SELECT sink, state, attempts, last_error, detail, delivered_at FROM deliveries \
             WHERE run_id = ? ORDER BY position",
        )
        .bind(run_id)
        .fetch_all(self.pool())
        .await
        .map_err(self.error("reading deliveries"))?;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            // A sink this prod-smoke no longer has (or does not have yet).
            let Some(sink) = Sink::parse(row.get::<String, _>("sink").as_str()) else {
                continue;
            };
            let state = row.get::<String, _>("state");
            let state = DeliveryState::parse(&state)
                .ok_or_else(|| self.unknown_word("a delivery state", &state))?;
            records.push(DeliveryRecord {
                sink,
                state,
                attempts: row.get::<i64, _>("attempts").max(0) as u32,
                last_error: row.get("last_error"),
                detail: row.get("detail"),
                delivered_at: row.get("delivered_at"),
            });
        }
        Ok(records)
    }

    /// The `limit` most recent runs, newest first, of one app or of all.
    pub async fn history(
        &self,
        app: Option<&str>,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, SealError> {
        let rows = sqlx::query(
            "SELECT run_id, app, url, verdict, summary, verdict_line, checked_at, release_slug, passed, failed, \
             flaky, retried, artifacts_dir FROM runs WHERE (?1 IS NULL OR app = ?1) \
             ORDER BY checked_at DESC, recorded_at DESC LIMIT ?2",
        )
        .bind(app)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(self.history_error())?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let run_id: String = row.get("run_id");
            let deliveries = self.deliveries(&run_id).await?;
            let verdict: String = row.get("verdict");
            let verdict =
                parse_verdict(&verdict).ok_or_else(|| self.unknown_word("a verdict", &verdict))?;
            entries.push(HistoryEntry {
                run_id,
                app: row.get("app"),
                url: row.get("url"),
                verdict,
                summary: row.get("summary"),
                verdict_line: row.get("verdict_line"),
                checked_at: row.get("checked_at"),
                release_slug: row.get("release_slug"),
                passed: count(row.get("passed")),
                failed: count(row.get("failed")),
                flaky: count(row.get("flaky")),
                retried: row.get("retried"),
                artifacts_dir: row.get("artifacts_dir"),
                deliveries,
            });
        }
        Ok(entries)
    }

    /// The run id of the app's most recent green seal, if it has one: the
    /// run whose screenshots the next run is compared with.
    pub async fn last_green(&self, app: &str) -> Result<Option<String>, SealError> {
        sqlx::query_scalar(
            "SELECT run_id FROM runs WHERE app = ?1 AND verdict = ?2 \
             ORDER BY checked_at DESC, recorded_at DESC LIMIT 1",
        )
        .bind(app)
        .bind(Verdict::Green.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(self.history_error())
    }
}

fn count(n: i64) -> u32 {
    n.clamp(0, i64::from(u32::MAX)) as u32
}

/// A plain-text table of the history, one run per line.
pub fn format_history(entries: &[HistoryEntry]) -> String {
    if entries.is_empty() {
        return "No seals recorded yet.\n".to_string();
    }
    // One column per sink that `history_column` names, between the release
    // and the summary: a new sink shows up here without editing this table.
    let sinks: Vec<(Sink, &str)> = Sink::ALL
        .iter()
        .filter_map(|&sink| Some((sink, sink.history_column()?)))
        .collect();
    let mut header = vec!["CHECKED AT", "APP", "VERDICT", "RELEASE"];
    header.extend(sinks.iter().map(|(_, column)| *column));
    header.push("SUMMARY");
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let mut row = vec![
                e.checked_at.clone(),
                e.app.clone(),
                verdict_cell(e),
                e.release_slug.clone().unwrap_or_else(|| "-".to_string()),
            ];
            row.extend(sinks.iter().map(|(sink, _)| sink_cell(e, *sink)));
            row.push(e.summary.clone());
            row
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let last = cells.len() - 1;
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i == last {
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&" ".repeat(*w - cell.chars().count() + 2));
            }
        }
        out.push('\n');
    };
    line(header.clone());
    for row in &rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

fn verdict_cell(e: &HistoryEntry) -> String {
    let mut cell = e.verdict.as_str().to_string();
    if e.flaky > 0 {
        cell.push_str(&format!(" ({} flaky)", e.flaky));
    }
    if e.retried {
        cell.push_str(" (retried)");
    }
    cell
}

fn sink_cell(e: &HistoryEntry, sink: Sink) -> String {
    match e.deliveries.iter().find(|d| d.sink == sink) {
        None => "-".to_string(),
        Some(d) => match d.state {
            DeliveryState::Pending if d.attempts > 0 => format!("pending ({} tries)", d.attempts),
            DeliveryState::Skipped => "skipped".to_string(),
            state => state.as_str().to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(verdict: Verdict, flaky: u32) -> HistoryEntry {
        HistoryEntry {
            run_id: "r".into(),
            app: "mcritchie-studio".into(),
            url: "https://mcritchie.studio".into(),
            verdict,
            summary: "@qa-readonly green vs mcritchie.studio".into(),
            verdict_line:
                "🟢 Production smoke seal: passed — @qa-readonly green vs mcritchie.studio".into(),
            checked_at: "2026-06-26T21:28:45Z".into(),
            release_slug: Some("rc-42".into()),
            passed: 6,
            failed: 0,
            flaky,
            retried: false,
            artifacts_dir: None,
            deliveries: vec![DeliveryRecord {
                sink: Sink::Discord,
                state: DeliveryState::Pending,
                attempts: 4,
                last_error: Some("boom".into()),
                detail: None,
                delivered_at: None,
            }],
        }
    }

    #[test]
    fn table_lists_flaky_and_pending() {
        let table = format_history(&[entry(Verdict::Green, 1), entry(Verdict::Inconclusive, 0)]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("CHECKED AT"));
        assert!(lines[1].contains("green (1 flaky)"));
        assert!(lines[1].contains("pending (4 tries)"));
        assert!(lines[2].contains("inconclusive"));
        assert_eq!(format_history(&[]), "No seals recorded yet.\n");
    }
}
