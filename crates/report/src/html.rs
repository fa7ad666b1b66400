//! `report.html`: one file that opens offline and runs nothing. Screenshots
//! are embedded as data URIs, and a Content-Security-Policy forbids scripts
//! in case anything ever slips through.
//!
//! Built with maud: every `(expr)` in `html!` is escaped unless it is
//! wrapped in `PreEscaped`, so page-derived text (titles, errors, URLs) is
//! safe by construction rather than by remembering to call an escaper. The
//! only `PreEscaped` values are the constant style sheet and CSP below.
//!
//! A red report reads top-down in the order an operator acts: what failed
//! and why (screenshot shown), the rollback block with its dry-run proof,
//! the traces of the failed scenarios, what changed since the last green
//! run, then everything that passed, folded away.

use std::fs;
use std::path::Path;

use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use prod_smoke_model::{CheckResult, CheckStatus, RunReport, ScenarioTrace, Verdict};

use crate::explain::{duration, explain, one_line, page_error_kind};
use crate::manifest::{is_inside, slash_path};

pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/// [`CONTENT_SECURITY_POLICY`] as written inside the `content="…"`
/// attribute. A constant, so it is the one attribute not run through the
/// escaper; a unit test keeps the two in step.
const CSP_ATTRIBUTE: &str =
    "default-src &#x27;none&#x27;; img-src data:; style-src &#x27;unsafe-inline&#x27;";

/// Screenshots bigger than this are linked by name only, not embedded.
const MAX_EMBEDDED_BYTES: u64 = 16 * 1024 * 1024;

const STYLE: &str = r#"
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; background: #f6f7f9; }
.banner { padding: 1.5rem 2rem; color: #fff; }
.banner h1 { margin: 0 0 .25rem; font-size: 2rem; letter-spacing: .02em; }
.banner p { margin: .15rem 0; }
.banner .url { font-family: ui-monospace, monospace; word-break: break-all; }
.verdict-green { background: #1a7f37; }
.verdict-red { background: #cf222e; }
.verdict-inconclusive { background: #6e7781; }
main { max-width: 70rem; margin: 0 auto; padding: 1rem 2rem 3rem; }
.environment { background: #fff8c5; border: 1px solid #d4a72c; padding: .75rem 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; background: #fff; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
td.mono, .mono { font-family: ui-monospace, monospace; word-break: break-all; }
.check { background: #fff; border: 1px solid #d0d7de; border-left: 6px solid #6e7781; margin: 1rem 0; padding: .75rem 1rem; }
.check h3 { margin: 0 0 .25rem; }
details.check > summary { cursor: pointer; font-weight: 600; }
.check.passed { border-left-color: #1a7f37; }
.check.failed { border-left-color: #cf222e; }
.check.flaky { border-left-color: #bf8700; }
.badge { display: inline-block; min-width: 4.5rem; text-align: center; border-radius: 3px; padding: 0 .4rem; color: #fff; font-size: .8rem; font-weight: 700; background: #6e7781; }
.badge.passed { background: #1a7f37; } .badge.failed { background: #cf222e; } .badge.flaky { background: #bf8700; }
.why { font-weight: 600; }
.meta { color: #57606a; margin: 0 0 .5rem; }
figure { margin: .5rem 0; }
figure img { max-width: 100%; border: 1px solid #d0d7de; }
figcaption, footer { color: #57606a; font-size: .85rem; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: .5rem; }
.cause { background: #fff; border: 1px solid #cf222e; border-top: 0; margin: -1rem 0 1rem; padding: .25rem 1rem .75rem; }
.rollback { background: #fff; border: 1px solid #cf222e; padding: .75rem 1rem; margin: 1rem 0; }
.side-by-side { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: .75rem; align-items: start; }
"#;

/// The HTML report. `dir` is the artifacts folder that screenshot paths are
/// relative to.
pub fn report_html(dir: &Path, report: &RunReport) -> String {
    let failed: Vec<(usize, &CheckResult)> = report
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.status == CheckStatus::Failed)
        .collect();
    // After the failures: what passed only after a retry or never ran,
    // then the plain passes, folded.
    let others = report
        .checks
        .iter()
        .enumerate()
        .filter(|(_, c)| !matches!(c.status, CheckStatus::Failed | CheckStatus::Passed))
        .chain(
            report
                .checks
                .iter()
                .enumerate()
                .filter(|(_, c)| c.status == CheckStatus::Passed),
        );
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content=(PreEscaped(CSP_ATTRIBUTE));
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { "prod-smoke " (report.app) ": " (verdict_word(report.verdict)) " @ " (report.host()) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (banner(report))
                main {
                    @if let Some(env) = &report.environment_error {
                        section.environment {
                            @if env.starts_with(GUARD_BYPASSED) {
                                h2 { "The read-only guard was bypassed" }
                            } @else {
                                h2 { "prod-smoke could not run the suite" }
                            }
                            p { (env) }
                            p { "This is not a verdict on the site: the run is inconclusive." }
                        }
                    }
                    @if !failed.is_empty() {
                        h2 { "What failed" }
                        @for (i, check) in &failed {
                            (check_section(dir, *i, check))
                            (failure_cause_section(report, check))
                        }
                    }
                    (rollback_section(report))
                    (traces_section(report))
                    (comparison_section(dir, report))
                    (overview(report))
                    @for (i, check) in others {
                        (check_section(dir, i, check))
                    }
                    footer {
                        p {
                            "Run " span.mono { (report.run_id) }
                            " · tag " (report.tag)
                            " · started " (report.started_at.format("%Y-%m-%dT%H:%M:%SZ"))
                            " · finished " (report.finished_at.format("%Y-%m-%dT%H:%M:%SZ"))
                            " · written by prod-smoke. Verify this folder with "
                            span.mono { "sha256sum -c sha256_manifest.txt" } "."
                        }
                    }
                }
            }
        }
    };
    let mut text = page.into_string();
    text.push('\n');
    text
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Green => "PASS",
        Verdict::Red => "FAIL",
        Verdict::Inconclusive => "INCONCLUSIVE",
    }
}

fn banner(report: &RunReport) -> Markup {
    let headline = match report.verdict {
        Verdict::Green => "GREEN: the production smoke seal passed",
        Verdict::Red => "RED: the production smoke seal FAILED",
        Verdict::Inconclusive => "INCONCLUSIVE: prod-smoke could not check the site",
    };
    let skipped = report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Skipped)
        .count();
    let mut counts = format!(
        "{} · {}",
        named_counts(report, skipped),
        duration(report.duration_ms()),
    );
    if report.retried {
        counts.push_str(&format!(
            " · retried once after {}s boot-window wait",
            report.retry_delay_secs
        ));
    }
    html! {
        header class={ "banner verdict-" (report.verdict.as_str()) } {
            h1 { (headline) }
            p { strong { (report.app) } " " (report.tag) " against " span.url { (report.url) } }
            p { (counts) }
        }
    }
}

/// Both counts, each named, so no output disagrees on what "passed"
/// means: checks (every step, as the report lists them) and scenarios (the
/// contract's `N passed, N failed` on stderr and in `--json`).
fn named_counts(report: &RunReport, skipped_checks: usize) -> String {
    format!(
        "checks: {} passed · {} failed · {} flaky · {skipped_checks} skipped — scenarios: {}",
        report.passed_count(),
        report.failed_count(),
        report.flaky_count(),
        report.scenario_counts().line(),
    )
}

/// Under a failed check, in "What failed": what the page said in that
/// scenario (console errors, uncaught exceptions, failed subresources,
/// requests the read-only guard blocked), which the runner files under the
/// scenario's visit, a check that may well have passed.
fn failure_cause_section(report: &RunReport, check: &CheckResult) -> Markup {
    let cause = report.cause_of(check);
    if cause.is_empty() {
        return html! {};
    }
    let errors = cause
        .page_errors
        .iter()
        .chain(&cause.console_errors)
        .chain(&cause.failed_requests);
    html! {
        section.cause {
            h4 { "What the page said while \"" (check.scenario) "\" failed" }
            @if cause.len() > cause.blocked_requests.len() {
                table {
                    thead { tr { th { "Kind" } th { "Message" } th { "Page" } } }
                    tbody {
                        @for e in errors {
                            tr { td { (page_error_kind(e.kind)) } td.mono { (e.message) } td.mono { (e.page) } }
                        }
                    }
                }
            }
            @if !cause.blocked_requests.is_empty() {
                p.meta { "Blocked by the read-only guard (never sent):" }
                table {
                    thead { tr { th { "Channel" } th { "Method" } th { "URL" } th { "From page" } } }
                    tbody {
                        @for b in &cause.blocked_requests {
                            tr { td { (b.channel) } td { (b.method) } td.mono { (b.url) } td.mono { (b.page) } }
                        }
                    }
                }
            }
        }
    }
}

/// On red: the rollback block and, right under it, what its dry run proved.
fn rollback_section(report: &RunReport) -> Markup {
    let Some(rollback) = &report.rollback else {
        return html! {};
    };
    html! {
        section.rollback {
            h2 { "Rollback (never run by prod-smoke)" }
            pre { (rollback.block) }
            @for line in rollback.lines() {
                p.rollback-proof.mono { (line) }
            }
        }
    }
}

/// Links to each failed scenario's trace files, relative to this report.
fn traces_section(report: &RunReport) -> Markup {
    if report.traces.is_empty() {
        return html! {};
    }
    html! {
        section.traces {
            h2 { "Traces" }
            table {
                thead { tr { th { "Scenario" } th { "Network (HAR)" } th { "Page (MHTML)" } th { "Console" } } }
                tbody {
                    @for trace in &report.traces {
                        (trace_row(trace))
                    }
                }
            }
        }
    }
}

fn trace_row(trace: &ScenarioTrace) -> Markup {
    let cell = |path: &Option<std::path::PathBuf>| match path {
        None => html! { "—" },
        Some(path) => match relative_href(path) {
            Some(href) => html! { a.mono href=(href) { (slash_path(path)) } },
            None => html! {
                span.mono { (slash_path(path)) } " (not linked: its path leaves the artifacts folder)"
            },
        },
    };
    html! {
        tr {
            td { (trace.scenario) }
            td { (cell(&trace.har)) }
            td { (cell(&trace.mhtml)) }
            td { (cell(&trace.console)) }
        }
    }
}

/// A link to a file inside the artifacts folder, or `None` for any other
/// path. Each segment is percent-encoded and the whole starts with `./`, so
/// the href can only ever be a relative path: never `javascript:`, another
/// scheme, a query or a fragment.
fn relative_href(path: &Path) -> Option<String> {
    if !is_inside(path) {
        return None;
    }
    let mut href = String::from(".");
    for part in path.components() {
        let part = part.as_os_str().to_string_lossy();
        if part == "." {
            continue;
        }
        href.push('/');
        for byte in part.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                href.push(byte as char);
            } else {
                href.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    Some(href)
}

/// Each visit against the same page at the last green seal: a line per
/// compared page, and the changed ones side by side with their diff.
fn comparison_section(dir: &Path, report: &RunReport) -> Markup {
    let compared: Vec<&CheckResult> = report
        .checks
        .iter()
        .filter(|c| c.since_last_green.is_some())
        .collect();
    let Some(first) = compared.first().and_then(|c| c.since_last_green.as_ref()) else {
        return html! {};
    };
    html! {
        section.since-last-green {
            h2 { "Compared with the last green run" }
            p.meta {
                "Each page's screenshot against the same page at run "
                span.mono { (first.run_id) }
                ". Information only: it never changes the verdict."
            }
            table {
                thead { tr { th { "Scenario" } th { "Check" } th { "Pixels changed" } } }
                tbody {
                    @for c in &compared {
                        tr {
                            td { (c.scenario) }
                            td { (c.name) }
                            td { (changed_percent(c.since_last_green.as_ref().map_or(0.0, |s| s.changed_ratio))) }
                        }
                    }
                }
            }
            @for c in &compared {
                @if let Some(since) = c.since_last_green.as_ref().filter(|s| s.changed_ratio > 0.0) {
                    h3 { (c.scenario) " › " (c.name) ": " (changed_percent(since.changed_ratio)) " changed" }
                    div.side-by-side {
                        (figure(dir, since.baseline.as_deref(), "Last green"))
                        (figure(dir, c.screenshot.as_deref(), "Now"))
                        (figure(dir, since.diff.as_deref(), "Changed pixels"))
                    }
                }
            }
        }
    }
}

fn changed_percent(ratio: f64) -> String {
    let percent = ratio * 100.0;
    if ratio > 0.0 && percent < 0.01 {
        "under 0.01%".to_string()
    } else {
        format!("{percent:.2}%")
    }
}

/// One labelled image of a side-by-side comparison.
fn figure(dir: &Path, shot: Option<&Path>, label: &str) -> Markup {
    let Some(shot) = shot else {
        return html! { figure { figcaption { (label) ": none" } } };
    };
    match data_uri(dir, shot) {
        Ok(uri) => html! {
            figure {
                img src=(uri) alt=(label);
                figcaption { (label) " · " (slash_path(shot)) }
            }
        },
        Err(why) => html! {
            figure { figcaption { (label) ": " span.mono { (slash_path(shot)) } " not embedded: " (why) "." } }
        },
    }
}

fn overview(report: &RunReport) -> Markup {
    if report.checks.is_empty() {
        return html! { p { "No checks ran." } };
    }
    html! {
        h2 { "Checks" }
        table {
            thead { tr { th { "Status" } th { "Scenario" } th { "Check" } th { "Duration" } th { "HTTP" } } }
            tbody {
                @for (i, c) in report.checks.iter().enumerate() {
                    tr {
                        td { span class={ "badge " (status_class(c.status)) } { (status_class(c.status).to_uppercase()) } }
                        td { (c.scenario) }
                        td { a href={ "#check-" (i) } { (c.name) } }
                        td { (duration(c.duration_ms)) }
                        td { (c.http_status.map(|s| s.to_string()).unwrap_or_else(|| "—".into())) }
                    }
                }
            }
        }
    }
}

/// A check's evidence. Passed checks are folded into a `<details>`, so
/// what needs a decision stands out.
fn check_section(dir: &Path, i: usize, c: &CheckResult) -> Markup {
    let class = status_class(c.status);
    let heading = html! {
        span class={ "badge " (class) } { (class.to_uppercase()) }
        " " (c.scenario) " › " (c.name)
    };
    let http = c
        .http_status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "none".into());
    let attempts = if c.attempts == 1 {
        "1 attempt".to_string()
    } else {
        format!("{} attempts", c.attempts)
    };
    let meta = html! { p.meta { (duration(c.duration_ms)) " · HTTP " (http) " · " (attempts) } };
    let body = check_body(dir, c);
    if c.status == CheckStatus::Passed {
        html! {
            details class={ "check " (class) } id={ "check-" (i) } {
                summary { (heading) }
                (meta)
                (body)
            }
        }
    } else {
        html! {
            section class={ "check " (class) } id={ "check-" (i) } {
                h3 { (heading) }
                (meta)
                (body)
            }
        }
    }
}

/// How the runner's environment error starts when a WebSocket opened past
/// the read-only guard (prod-smoke-runner's backstop).
const GUARD_BYPASSED: &str = "the read-only guard was bypassed";

fn check_body(dir: &Path, c: &CheckResult) -> Markup {
    let sentence = explain(c);
    let full_error = c
        .error
        .as_deref()
        .filter(|e| sentence.is_some() && one_line(e) != *e);
    html! {
        @if let Some(sentence) = &sentence {
            p.why { (sentence) }
        }
        @if let Some(error) = full_error {
            details { summary { "Full error" } pre { (error) } }
        }
        @if let Some(shot) = &c.screenshot {
            (screenshot(dir, shot, c))
        }
        @if !c.blocked_requests.is_empty() {
            h4 { "Blocked by the read-only guard (never sent)" }
            table {
                thead { tr { th { "Channel" } th { "Method" } th { "URL" } th { "From page" } } }
                tbody {
                    @for b in &c.blocked_requests {
                        tr { td { (b.channel) } td { (b.method) } td.mono { (b.url) } td.mono { (b.page) } }
                    }
                }
            }
        }
        @if c.blocked_requests.iter().any(|b| !b.caused.is_empty()) {
            h4 { "Caused by the read-only guard (not counted as page errors)" }
            table {
                thead { tr { th { "Refused request" } th { "Kind" } th { "Message" } } }
                tbody {
                    @for b in c.blocked_requests.iter().filter(|b| !b.caused.is_empty()) {
                        @for e in &b.caused {
                            tr {
                                td.mono { (b.method) " " (b.url) }
                                td { (page_error_kind(e.kind)) }
                                td.mono { (e.message) }
                            }
                        }
                    }
                }
            }
        }
        @if !c.page_errors.is_empty() {
            h4 { "Page errors" }
            table {
                thead { tr { th { "Kind" } th { "Message" } th { "Page" } } }
                tbody {
                    @for e in &c.page_errors {
                        tr { td { (page_error_kind(e.kind)) } td.mono { (e.message) } td.mono { (e.page) } }
                    }
                }
            }
        }
    }
}

fn screenshot(dir: &Path, shot: &Path, c: &CheckResult) -> Markup {
    let name = slash_path(shot);
    match data_uri(dir, shot) {
        Ok(uri) => {
            let figure = html! {
                figure {
                    img src=(uri) alt={ "Screenshot: " (c.name) };
                    figcaption { (name) }
                }
            };
            // A failure's screenshot is the evidence: always shown. A pass
            // keeps it folded, so failures stand out.
            if c.status == CheckStatus::Passed {
                html! { details { summary { "Screenshot" } (figure) } }
            } else {
                figure
            }
        }
        Err(why) => html! {
            p.meta { "Screenshot " span.mono { (name) } " not embedded: " (why) "." }
        },
    }
}

/// The screenshot as a data URI, or why it cannot be embedded.
fn data_uri(dir: &Path, shot: &Path) -> Result<String, &'static str> {
    // Only files inside the evidence folder: the report must never carry
    // some other file off the machine.
    if !is_inside(shot) {
        return Err("its path leaves the artifacts folder");
    }
    let path = dir.join(shot);
    let meta = fs::symlink_metadata(&path).map_err(|_| "the file is missing")?;
    if !meta.is_file() {
        return Err("it is not a regular file");
    }
    if meta.len() > MAX_EMBEDDED_BYTES {
        return Err("it is too large to embed");
    }
    let bytes = fs::read(&path).map_err(|_| "the file could not be read")?;
    let mime = sniff_image(&bytes).ok_or("it is not a PNG, JPEG or WebP image")?;
    Ok(format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    ))
}

fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

fn status_class(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Passed => "passed",
        CheckStatus::Failed => "failed",
        CheckStatus::Flaky => "flaky",
        CheckStatus::Skipped => "skipped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_policy_is_the_policy() {
        assert_eq!(
            CSP_ATTRIBUTE.replace("&#x27;", "'"),
            CONTENT_SECURITY_POLICY
        );
        assert!(!CSP_ATTRIBUTE.contains(['"', '<', '>']));
    }

    #[test]
    fn interpolations_are_escaped() {
        let hostile = r#"<img src=x onerror="alert('1')">&"#;
        let markup = html! { p title=(hostile) { (hostile) } }.into_string();
        assert_eq!(
            markup,
            "<p title=\"&lt;img src=x onerror=&quot;alert('1')&quot;&gt;&amp;\">&lt;img src=x onerror=&quot;alert('1')&quot;&gt;&amp;</p>"
        );
    }

    #[test]
    fn links_stay_relative_paths() {
        assert_eq!(
            relative_href(Path::new("traces/s1 a#b?.har")).as_deref(),
            Some("./traces/s1%20a%23b%3F.har")
        );
        assert_eq!(
            relative_href(Path::new("javascript:alert(1)")).as_deref(),
            Some("./javascript%3Aalert%281%29")
        );
        assert_eq!(relative_href(Path::new("../x.har")), None);
        assert_eq!(relative_href(Path::new("/etc/passwd")), None);
    }

    #[test]
    fn only_real_images_are_embedded() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
    }
}
