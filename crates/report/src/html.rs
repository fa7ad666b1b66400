//! `report.html`: one file that opens offline and runs nothing. Screenshots
//! are embedded as data URIs, every page-derived string is escaped, and a
//! Content-Security-Policy forbids scripts in case escaping is ever missed.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use base64::Engine as _;
use prod_smoke_model::{CheckResult, CheckStatus, RunReport, Verdict};

use crate::explain::{duration, explain, page_error_kind};
use crate::manifest::{is_inside, slash_path};

pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

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
"#;

/// The HTML report. `dir` is the artifacts folder that screenshot paths are
/// relative to.
pub fn report_html(dir: &Path, report: &RunReport) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let verdict = report.verdict;
    let _ = write!(
        h,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>prod-smoke {app}: {word} @ {host}</title>
<style>{STYLE}</style>
</head>
<body>
"#,
        csp = esc(CONTENT_SECURITY_POLICY),
        app = esc(&report.app),
        word = verdict_word(verdict),
        host = esc(&report.host()),
    );
    banner(&mut h, report);
    h.push_str("<main>\n");
    if let Some(env) = &report.environment_error {
        let _ = writeln!(
            h,
            r#"<section class="environment"><h2>prod-smoke could not run the suite</h2><p>{}</p><p>This is not a verdict on the site: the run is inconclusive.</p></section>"#,
            esc(env)
        );
    }
    overview(&mut h, report);
    rollback_section(&mut h, report);
    for (i, check) in report.checks.iter().enumerate() {
        check_section(&mut h, dir, i, check);
    }
    let _ = writeln!(
        h,
        r#"<footer><p>Run <span class="mono">{run}</span> · tag {tag} · started {start} · finished {end} · written by prod-smoke. Verify this folder with <span class="mono">sha256sum -c sha256_manifest.txt</span>.</p></footer>"#,
        run = esc(&report.run_id),
        tag = esc(&report.tag),
        start = report.started_at.format("%Y-%m-%dT%H:%M:%SZ"),
        end = report.finished_at.format("%Y-%m-%dT%H:%M:%SZ"),
    );
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

/// On red: the rollback block and, right under it, what its dry run proved.
fn rollback_section(h: &mut String, report: &RunReport) {
    let Some(rollback) = &report.rollback else {
        return;
    };
    let [revert, heroku] = rollback.lines();
    let _ = writeln!(
        h,
        r#"<section class="rollback"><h2>Rollback (never run by prod-smoke)</h2><pre>{block}</pre><p class="rollback-proof mono">{revert}</p><p class="rollback-proof mono">{heroku}</p></section>"#,
        block = esc(&rollback.block),
        revert = esc(revert),
        heroku = esc(heroku),
    );
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Green => "PASS",
        Verdict::Red => "FAIL",
        Verdict::Inconclusive => "INCONCLUSIVE",
    }
}

fn banner(h: &mut String, report: &RunReport) {
    let headline = match report.verdict {
        Verdict::Green => "GREEN: the production smoke seal passed",
        Verdict::Red => "RED: the production smoke seal FAILED",
        Verdict::Inconclusive => "INCONCLUSIVE: prod-smoke could not check the site",
    };
    let retried = if report.retried {
        format!(
            " · retried once after {}s boot-window wait",
            report.retry_delay_secs
        )
    } else {
        String::new()
    };
    let skipped = report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Skipped)
        .count();
    let _ = writeln!(
        h,
        r#"<header class="banner verdict-{class}">
<h1>{headline}</h1>
<p><strong>{app}</strong> {tag} against <span class="url">{url}</span></p>
<p>{passed} passed · {failed} failed · {flaky} flaky · {skipped} skipped · {duration}{retried}</p>
</header>"#,
        class = report.verdict.as_str(),
        app = esc(&report.app),
        tag = esc(&report.tag),
        url = esc(&report.url),
        passed = report.passed_count(),
        failed = report.failed_count(),
        flaky = report.flaky_count(),
        duration = duration(report.duration_ms()),
    );
}

fn overview(h: &mut String, report: &RunReport) {
    if report.checks.is_empty() {
        h.push_str("<p>No checks ran.</p>\n");
        return;
    }
    h.push_str("<h2>Checks</h2>\n<table>\n<thead><tr><th>Status</th><th>Scenario</th><th>Check</th><th>Duration</th><th>HTTP</th></tr></thead>\n<tbody>\n");
    for (i, c) in report.checks.iter().enumerate() {
        let _ = writeln!(
            h,
            r##"<tr><td><span class="badge {s}">{S}</span></td><td>{scenario}</td><td><a href="#check-{i}">{name}</a></td><td>{d}</td><td>{http}</td></tr>"##,
            s = status_class(c.status),
            S = status_class(c.status).to_uppercase(),
            scenario = esc(&c.scenario),
            name = esc(&c.name),
            d = duration(c.duration_ms),
            http = c
                .http_status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "—".into()),
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn check_section(h: &mut String, dir: &Path, i: usize, c: &CheckResult) {
    let class = status_class(c.status);
    let _ = writeln!(
        h,
        r#"<section class="check {class}" id="check-{i}">
<h3><span class="badge {class}">{upper}</span> {scenario} › {name}</h3>
<p class="meta">{d} · HTTP {http} · {attempts}</p>"#,
        upper = class.to_uppercase(),
        scenario = esc(&c.scenario),
        name = esc(&c.name),
        d = duration(c.duration_ms),
        http = c
            .http_status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "none".into()),
        attempts = if c.attempts == 1 {
            "1 attempt".to_string()
        } else {
            format!("{} attempts", c.attempts)
        },
    );
    if let Some(sentence) = explain(c) {
        let _ = writeln!(h, r#"<p class="why">{}</p>"#, esc(&sentence));
        if let Some(error) = &c.error
            && crate::explain::one_line(error) != error.as_str()
        {
            let _ = writeln!(
                h,
                "<details><summary>Full error</summary><pre>{}</pre></details>",
                esc(error)
            );
        }
    }
    if let Some(shot) = &c.screenshot {
        screenshot(h, dir, shot, c);
    }
    if !c.blocked_requests.is_empty() {
        h.push_str("<h4>Blocked by the read-only guard (never sent)</h4>\n<table>\n<thead><tr><th>Channel</th><th>Method</th><th>URL</th><th>From page</th></tr></thead>\n<tbody>\n");
        for b in &c.blocked_requests {
            let _ = writeln!(
                h,
                r#"<tr><td>{}</td><td>{}</td><td class="mono">{}</td><td class="mono">{}</td></tr>"#,
                esc(&b.channel),
                esc(&b.method),
                esc(&b.url),
                esc(&b.page)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    if !c.page_errors.is_empty() {
        h.push_str("<h4>Page errors</h4>\n<table>\n<thead><tr><th>Kind</th><th>Message</th><th>Page</th></tr></thead>\n<tbody>\n");
        for e in &c.page_errors {
            let kind = page_error_kind(e.kind);
            let _ = writeln!(
                h,
                r#"<tr><td>{kind}</td><td class="mono">{}</td><td class="mono">{}</td></tr>"#,
                esc(&e.message),
                esc(&e.page)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("</section>\n");
}

fn screenshot(h: &mut String, dir: &Path, shot: &Path, c: &CheckResult) {
    let name = slash_path(shot);
    match data_uri(dir, shot) {
        Ok(uri) => {
            let figure = format!(
                r#"<figure><img src="{uri}" alt="Screenshot: {alt}"><figcaption>{name}</figcaption></figure>"#,
                alt = esc(&c.name),
                name = esc(&name),
            );
            // Passing checks keep their evidence folded away, so failures stand out.
            if c.status == CheckStatus::Passed {
                let _ = writeln!(
                    h,
                    "<details><summary>Screenshot</summary>{figure}</details>"
                );
            } else {
                let _ = writeln!(h, "{figure}");
            }
        }
        Err(why) => {
            let _ = writeln!(
                h,
                r#"<p class="meta">Screenshot <span class="mono">{}</span> not embedded: {why}.</p>"#,
                esc(&name)
            );
        }
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

/// Escapes `& < > " '`, which is safe in text and in quoted attributes alike.
fn esc(text: &str) -> String {
    html_escape::encode_quoted_attribute(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            esc(r#"<img src=x onerror="alert('1')">&"#),
            "&lt;img src=x onerror=&quot;alert(&#x27;1&#x27;)&quot;&gt;&amp;"
        );
    }

    #[test]
    fn only_real_images_are_embedded() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
    }
}
