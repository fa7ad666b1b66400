//! docs/spec.md is the reference for the format: its "Steps" section has
//! one heading per registry entry, in registry order, each naming the
//! step's modifiers and showing it in an example, and every YAML example
//! on the page loads through the spec loader.

use prod_smoke_spec::steps::locator_keys;
use prod_smoke_spec::{Step, StepKind, Suite};

pub(crate) const DOC: &str = include_str!("../../../../docs/spec.md");

/// The ```yaml blocks of `text`, whose first line is line `first_line`,
/// with the line each block's YAML starts on.
pub(crate) fn yaml_blocks(text: &str, first_line: usize) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.trim_end()) {
            (None, "```yaml") => open = Some((first_line + i + 1, String::new())),
            (Some(_), "```") => blocks.extend(open.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(open.is_none(), "docs/spec.md has an unclosed ```yaml block");
    blocks
}

/// The "## Steps" section, split at its `### ` headings: (heading, line, body).
fn step_sections() -> Vec<(String, usize, String)> {
    let start = DOC
        .find("\n## Steps\n")
        .expect("docs/spec.md has a `## Steps` section");
    let rest = &DOC[start + 1..];
    let end = rest[1..].find("\n## ").map_or(rest.len(), |e| e + 2);
    let first = DOC[..start + 1].lines().count() + 1;
    let mut sections: Vec<(String, usize, String)> = Vec::new();
    for (line, l) in (first..).zip(rest[..end].lines()) {
        if let Some(h) = l.strip_prefix("### ") {
            sections.push((h.to_string(), line, String::new()));
        } else if let Some((_, _, body)) = sections.last_mut() {
            body.push_str(l);
            body.push('\n');
        }
    }
    sections
}

/// Names an example in a loader error, whose own line and column count
/// from the example's first line.
fn example(line: usize) -> String {
    format!("the docs/spec.md example from line {line}")
}

#[test]
fn every_yaml_example_in_the_reference_loads() {
    let blocks = yaml_blocks(DOC, 1);
    assert!(
        blocks.len() > StepKind::ALL.len(),
        "only {} examples",
        blocks.len()
    );
    for (line, yaml) in blocks {
        if let Err(e) = Suite::parse(&example(line), &yaml) {
            panic!("the example at docs/spec.md:{line} does not load:\n{e}");
        }
    }
}

#[test]
fn the_reference_documents_exactly_the_registry_in_its_order() {
    let documented: Vec<String> = step_sections().into_iter().map(|(h, _, _)| h).collect();
    let registry: Vec<String> = StepKind::ALL
        .iter()
        .map(|k| format!("`{}`", k.info().key))
        .collect();
    assert_eq!(
        documented, registry,
        "docs/spec.md \"## Steps\" headings and crates/spec/src/steps/registry.rs disagree"
    );
}

#[test]
fn each_step_section_names_its_modifiers_and_shows_the_step() {
    for (kind, (heading, line, body)) in StepKind::ALL.iter().zip(step_sections()) {
        let info = kind.info();
        for m in info.modifiers {
            assert!(
                body.contains(&format!("`{m}`")),
                "docs/spec.md:{line} {heading} does not name its modifier `{m}`"
            );
        }
        let shown = yaml_blocks(&body, line + 1).into_iter().any(|(at, yaml)| {
            Suite::parse(&example(at), &yaml)
                .map(|s| {
                    s.scenarios
                        .iter()
                        .flat_map(|sc| &sc.steps)
                        .any(|st| st.kind() == *kind)
                })
                .unwrap_or(false)
        });
        assert!(
            shown,
            "docs/spec.md:{line} {heading} has no example using it"
        );
    }
}

/// A locator the step reads, if it reads one.
fn locator_of(step: &Step) -> Option<&prod_smoke_spec::Locator> {
    match step {
        Step::Assert(a) => a.locator(),
        _ => None,
    }
}

#[test]
fn the_locators_section_names_every_key_and_shows_a_mapping() {
    let start = DOC
        .find("\n## Locators\n")
        .expect("docs/spec.md has a `## Locators` section");
    let rest = &DOC[start + 1..];
    let section = &rest[..rest[1..].find("\n## ").map_or(rest.len(), |e| e + 1)];
    for key in locator_keys() {
        assert!(
            section.contains(&format!("`{key}`")),
            "docs/spec.md \"## Locators\" does not name the locator key `{key}`"
        );
    }
    let line = DOC[..start + 1].lines().count() + 1;
    let mappings = yaml_blocks(section, line)
        .into_iter()
        .flat_map(|(at, yaml)| {
            Suite::parse(&example(at), &yaml)
                .unwrap_or_else(|e| panic!("{e}"))
                .scenarios
        })
        .flat_map(|sc| sc.steps)
        .filter(|st| locator_of(st).is_some_and(|l| l.is_mapping()))
        .count();
    assert!(
        mappings >= 3,
        "docs/spec.md \"## Locators\" shows {mappings} locator mappings"
    );
}

#[test]
fn the_use_section_names_every_key_and_its_examples_set_each_one() {
    let start = DOC
        .find("\n## Browser settings (`use:`)\n")
        .expect("docs/spec.md has a `## Browser settings (`use:`)` section");
    let rest = &DOC[start + 1..];
    let section = &rest[..rest[1..].find("\n## ").map_or(rest.len(), |e| e + 1)];
    for key in prod_smoke_spec::USE_KEYS {
        assert!(
            section.contains(&format!("`{key}`")),
            "docs/spec.md's `use:` section does not name `{key}`"
        );
    }
    for device in prod_smoke_spec::device_names() {
        assert!(
            section.contains(device),
            "docs/spec.md's `use:` section does not list the device {device}"
        );
    }
    let line = DOC[..start + 1].lines().count() + 1;
    let settings: Vec<_> = yaml_blocks(section, line)
        .into_iter()
        .flat_map(|(at, yaml)| {
            Suite::parse(&example(at), &yaml)
                .unwrap_or_else(|e| panic!("{e}"))
                .scenarios
        })
        .map(|sc| sc.browser)
        .collect();
    let set = |what: &str, is_set: fn(&prod_smoke_spec::BrowserSettings) -> bool| {
        assert!(
            settings.iter().any(is_set),
            "no example in docs/spec.md's `use:` section sets `{what}`"
        );
    };
    set("viewport", |b| b.viewport.is_some());
    set("device", |b| b.device.is_some());
    set("color_scheme", |b| b.color_scheme.is_some());
    set("locale", |b| b.locale.is_some());
    set("user_agent", |b| b.user_agent.is_some());
    set("timezone", |b| b.timezone.is_some());
}
