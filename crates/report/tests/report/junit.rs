use std::collections::BTreeMap;

use prod_smoke_report::{junit_xml, write_artifacts};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::{HOSTILE_TITLE, folder_with_screenshots, inconclusive_report, read, red_report};

/// An element seen while parsing: its name, attributes and nesting depth.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    depth: usize,
}

/// Parses the whole document with quick-xml, failing on malformed XML, and
/// returns every element plus the unescaped text content.
fn parse(xml: &str) -> (Vec<Element>, String) {
    let mut reader = Reader::from_str(xml);
    let mut elements = Vec::new();
    let mut text = String::new();
    let mut depth = 0;
    let element = |e: &BytesStart<'_>, depth| Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().unwrap().into_owned(),
                )
            })
            .collect(),
        depth,
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                elements.push(element(&e, depth));
                depth += 1;
            }
            Event::Empty(e) => elements.push(element(&e, depth)),
            Event::End(_) => depth -= 1,
            Event::Text(t) => text.push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap();
                text.push_str(&quick_xml::escape::unescape(&format!("&{name};")).unwrap());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    (elements, text)
}

fn named<'a>(elements: &'a [Element], name: &str) -> Vec<&'a Element> {
    elements.iter().filter(|e| e.name == name).collect()
}

#[test]
fn junit_has_a_suite_per_scenario_and_a_case_per_check() {
    let dir = folder_with_screenshots();
    write_artifacts(dir.path(), &red_report()).unwrap();
    let xml = read(dir.path(), "junit.xml");
    assert!(xml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#));
    let (elements, text) = parse(&xml);

    let root = &named(&elements, "testsuites")[0];
    assert_eq!(root.depth, 0);
    assert_eq!(root.attrs["tests"], "5");
    assert_eq!(root.attrs["failures"], "2");
    assert_eq!(root.attrs["errors"], "0");
    assert_eq!(root.attrs["time"], "45.000");

    let suites = named(&elements, "testsuite");
    let names: Vec<&str> = suites.iter().map(|s| s.attrs["name"].as_str()).collect();
    assert_eq!(names, [crate::PUBLIC, crate::DEVOPS]);
    assert_eq!(suites[0].attrs["tests"], "3");
    assert_eq!(suites[0].attrs["failures"], "1");
    assert_eq!(suites[1].attrs["tests"], "2");

    let cases = named(&elements, "testcase");
    assert_eq!(cases.len(), 5);
    assert_eq!(cases[1].attrs["classname"], crate::PUBLIC);
    assert_eq!(cases[1].attrs["time"], "5.012");

    let failures = named(&elements, "failure");
    assert_eq!(failures.len(), 2);
    assert!(
        failures[0].attrs["message"].contains(HOSTILE_TITLE),
        "the hostile title survives escaping intact: {:?}",
        failures[0].attrs["message"]
    );
    assert!(!xml.contains("<img"), "never raw in the file");
    assert!(!failures[1].attrs["message"].contains('\n'));

    let props: Vec<(&str, &str)> = named(&elements, "property")
        .iter()
        .map(|p| (p.attrs["name"].as_str(), p.attrs["value"].as_str()))
        .collect();
    assert!(props.contains(&("flaky", "true")));
    assert!(props.contains(&("attempts", "2")));
    assert!(props.contains(&("url", "https://mcritchie.studio")));

    assert!(text.contains("[[ATTACHMENT|screenshots/02-home.png]]"));
    assert!(text.contains("blocked POST https://mcritchie.studio/beacon?a=1&b=<2>"));
    assert!(text.contains("Uncaught Error: boom | `rm -rf` <b>bold</b>"));
    assert!(text.contains("flaky: Passed on attempt 2"));
}

#[test]
fn junit_reports_a_broken_environment_as_an_error() {
    let xml = junit_xml(&inconclusive_report()).unwrap();
    let (elements, _) = parse(&xml);
    assert_eq!(named(&elements, "testsuites")[0].attrs["errors"], "1");
    assert_eq!(named(&elements, "failure").len(), 0);
    let errors = named(&elements, "error");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].attrs["message"].starts_with("Chromium was not found"));
}

#[test]
fn junit_survives_control_characters() {
    let mut report = red_report();
    report.checks[1].error = Some("bell \u{7} nul \u{0} esc \u{1b}".into());
    let xml = junit_xml(&report).unwrap();
    parse(&xml);
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(junit_xml(&red_report()).unwrap());
}
