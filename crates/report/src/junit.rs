//! `junit.xml`: one `<testsuite>` per scenario, one `<testcase>` per check,
//! in the shape CI dashboards (GitHub, GitLab, Jenkins) read.

use prod_smoke_model::{CheckResult, CheckStatus, RunReport};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::errors::ReportError;
use crate::explain::{explain, page_error_kind};
use crate::manifest::slash_path;

/// The JUnit XML document for a run.
pub fn junit_xml(report: &RunReport) -> Result<String, ReportError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_document(&mut w, report).map_err(|source| ReportError::Xml { source })?;
    let mut xml = String::from_utf8(w.into_inner()).expect("the writer only gets UTF-8");
    xml.push('\n');
    Ok(xml)
}

type Xml = Writer<Vec<u8>>;

fn write_document(w: &mut Xml, report: &RunReport) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;

    let scenarios = group_by_scenario(&report.checks);
    let env_error = report.environment_error.as_deref();
    let total = report.checks.len() + usize::from(env_error.is_some());
    let mut root = BytesStart::new("testsuites");
    push(
        &mut root,
        "name",
        &format!("prod-smoke {} {}", report.app, report.tag),
    );
    push(&mut root, "tests", &total.to_string());
    push(&mut root, "failures", &report.failed_count().to_string());
    push(
        &mut root,
        "errors",
        &usize::from(env_error.is_some()).to_string(),
    );
    push(
        &mut root,
        "skipped",
        &count(&report.checks, CheckStatus::Skipped).to_string(),
    );
    push(&mut root, "time", &seconds(report.duration_ms()));
    push(
        &mut root,
        "timestamp",
        &report.started_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    );
    w.write_event(Event::Start(root))?;

    for (scenario, checks) in &scenarios {
        let mut suite = BytesStart::new("testsuite");
        push(&mut suite, "name", scenario);
        push(&mut suite, "tests", &checks.len().to_string());
        push(
            &mut suite,
            "failures",
            &count_refs(checks, CheckStatus::Failed).to_string(),
        );
        push(&mut suite, "errors", "0");
        push(
            &mut suite,
            "skipped",
            &count_refs(checks, CheckStatus::Skipped).to_string(),
        );
        push(
            &mut suite,
            "time",
            &seconds(checks.iter().map(|c| c.duration_ms).sum()),
        );
        push(
            &mut suite,
            "timestamp",
            &report.started_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        push(&mut suite, "hostname", &report.host());
        w.write_event(Event::Start(suite))?;
        write_run_properties(w, report)?;
        for check in checks {
            write_testcase(w, check)?;
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }

    if let Some(message) = env_error {
        // prod-smoke itself broke: an <error>, never a <failure> of the site.
        let mut suite = BytesStart::new("testsuite");
        push(&mut suite, "name", "prod-smoke environment");
        for (k, v) in [
            ("tests", "1"),
            ("failures", "0"),
            ("errors", "1"),
            ("skipped", "0"),
            ("time", "0.000"),
        ] {
            push(&mut suite, k, v);
        }
        w.write_event(Event::Start(suite))?;
        write_run_properties(w, report)?;
        let mut case = BytesStart::new("testcase");
        push(&mut case, "name", "prod-smoke could run the suite");
        push(&mut case, "classname", "prod-smoke environment");
        push(&mut case, "time", "0.000");
        w.write_event(Event::Start(case))?;
        let mut error = BytesStart::new("error");
        push(&mut error, "message", &crate::explain::one_line(message));
        push(&mut error, "type", "environment");
        w.write_event(Event::Start(error))?;
        w.write_event(Event::Text(BytesText::new(&xml_safe(message))))?;
        w.write_event(Event::End(BytesEnd::new("error")))?;
        w.write_event(Event::End(BytesEnd::new("testcase")))?;
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }

    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    Ok(())
}

fn write_run_properties(w: &mut Xml, report: &RunReport) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new("properties")))?;
    let retried = report.retried.to_string();
    for (name, value) in [
        ("app", report.app.as_str()),
        ("url", report.url.as_str()),
        ("tag", report.tag.as_str()),
        ("verdict", report.verdict.as_str()),
        ("run_id", report.run_id.as_str()),
        ("retried", retried.as_str()),
    ] {
        write_property(w, name, value)?;
    }
    w.write_event(Event::End(BytesEnd::new("properties")))
}

fn write_property(w: &mut Xml, name: &str, value: &str) -> std::io::Result<()> {
    let mut prop = BytesStart::new("property");
    push(&mut prop, "name", name);
    push(&mut prop, "value", value);
    w.write_event(Event::Empty(prop))
}

fn write_testcase(w: &mut Xml, check: &CheckResult) -> std::io::Result<()> {
    let mut case = BytesStart::new("testcase");
    push(&mut case, "name", &check.name);
    push(&mut case, "classname", &check.scenario);
    push(&mut case, "time", &seconds(check.duration_ms));
    w.write_event(Event::Start(case))?;

    if check.status == CheckStatus::Flaky || check.attempts > 1 {
        w.write_event(Event::Start(BytesStart::new("properties")))?;
        if check.status == CheckStatus::Flaky {
            write_property(w, "flaky", "true")?;
        }
        write_property(w, "attempts", &check.attempts.to_string())?;
        w.write_event(Event::End(BytesEnd::new("properties")))?;
    }

    let sentence = explain(check).unwrap_or_default();
    match check.status {
        CheckStatus::Failed => {
            let mut failure = BytesStart::new("failure");
            push(&mut failure, "message", &sentence);
            push(&mut failure, "type", "assertion");
            w.write_event(Event::Start(failure))?;
            w.write_event(Event::Text(BytesText::new(&xml_safe(&details(check)))))?;
            w.write_event(Event::End(BytesEnd::new("failure")))?;
        }
        CheckStatus::Skipped => {
            let mut skipped = BytesStart::new("skipped");
            push(&mut skipped, "message", &sentence);
            w.write_event(Event::Empty(skipped))?;
        }
        CheckStatus::Passed | CheckStatus::Flaky => {}
    }

    let mut out = String::new();
    if check.status == CheckStatus::Flaky {
        out.push_str(&format!("flaky: {sentence}\n"));
    }
    if check.status != CheckStatus::Failed {
        out.push_str(&evidence(check));
    }
    if let Some(shot) = &check.screenshot {
        // The attachment convention Jenkins and GitLab both read.
        out.push_str(&format!("[[ATTACHMENT|{}]]\n", slash_path(shot)));
    }
    if !out.is_empty() {
        w.write_event(Event::Start(BytesStart::new("system-out")))?;
        w.write_event(Event::Text(BytesText::new(&xml_safe(out.trim_end()))))?;
        w.write_event(Event::End(BytesEnd::new("system-out")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testcase")))
}

/// The failure body: the full error, then the evidence.
fn details(check: &CheckResult) -> String {
    let mut text = String::new();
    if let Some(error) = &check.error {
        text.push_str(error.trim_end());
        text.push('\n');
    }
    text.push_str(&evidence(check));
    text.trim_end().to_string()
}

fn evidence(check: &CheckResult) -> String {
    let mut text = String::new();
    if let Some(status) = check.http_status {
        text.push_str(&format!("HTTP status: {status}\n"));
    }
    for b in &check.blocked_requests {
        text.push_str(&format!(
            "blocked {} {} (from {}, via {})\n",
            b.method, b.url, b.page, b.channel
        ));
    }
    for e in &check.page_errors {
        text.push_str(&format!(
            "{}: {} (on {})\n",
            page_error_kind(e.kind),
            e.message,
            e.page
        ));
    }
    text
}

fn group_by_scenario(checks: &[CheckResult]) -> Vec<(&str, Vec<&CheckResult>)> {
    let mut groups: Vec<(&str, Vec<&CheckResult>)> = Vec::new();
    for check in checks {
        match groups.iter_mut().find(|(s, _)| *s == check.scenario) {
            Some((_, list)) => list.push(check),
            None => groups.push((&check.scenario, vec![check])),
        }
    }
    groups
}

fn count(checks: &[CheckResult], status: CheckStatus) -> usize {
    checks.iter().filter(|c| c.status == status).count()
}

fn count_refs(checks: &[&CheckResult], status: CheckStatus) -> usize {
    checks.iter().filter(|c| c.status == status).count()
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// Adds an attribute; quick-xml escapes the value.
fn push(start: &mut BytesStart<'_>, key: &str, value: &str) {
    start.push_attribute((key, xml_safe(value).as_str()));
}

/// XML 1.0 forbids most control characters even when escaped; page text
/// can hold them, so they become U+FFFD.
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(xml_safe("a\u{0}b\u{1b}c\n"), "a\u{FFFD}b\u{FFFD}c\n");
    }

    #[test]
    fn seconds_keep_milliseconds() {
        assert_eq!(seconds(1234), "1.234");
        assert_eq!(seconds(5), "0.005");
    }
}
