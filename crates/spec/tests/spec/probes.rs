//! The page-side probes and the registry agree: every check that polls the
//! page has a probe registered under its key, no other step does, and the
//! assembled script calls probes only through that table.

use std::collections::BTreeSet;

use prod_smoke_spec::steps::{Reads, probe_script};
use prod_smoke_spec::{Step, StepKind, Suite};

use crate::reference::{DOC, yaml_blocks};

/// Every page check docs/spec.md shows (it shows every step).
fn documented_checks() -> Vec<prod_smoke_spec::Assertion> {
    yaml_blocks(DOC, 1)
        .into_iter()
        .flat_map(|(line, yaml)| {
            Suite::parse(&format!("docs/spec.md:{line}"), &yaml)
                .unwrap()
                .scenarios
        })
        .flat_map(|sc| sc.steps)
        .filter_map(|st| match st {
            Step::Assert(a) => Some(a),
            _ => None,
        })
        .collect()
}

#[test]
fn a_check_that_polls_the_page_has_a_registered_probe_and_no_other_does() {
    let mut probed = BTreeSet::new();
    for check in documented_checks() {
        let key = check.kind().info().key;
        match (check.reads(), check.kind().probe()) {
            (Reads::Probe(_), Some(_)) => {
                let args = check.probe_args().expect("a probe has arguments");
                assert_eq!(args["probe"], key, "`{key}` calls its own probe");
                probed.insert(key);
            }
            (Reads::Probe(_), None) => panic!("`{key}` polls the page but registers no probe"),
            (Reads::PageErrors, Some(_)) => {
                panic!("`{key}` reads no page, yet registers a probe")
            }
            (Reads::PageErrors, None) => assert!(check.probe_args().is_none()),
        }
    }
    let registered: BTreeSet<&str> = StepKind::ALL
        .iter()
        .filter(|k| k.probe().is_some())
        .map(|k| k.info().key)
        .collect();
    assert_eq!(
        probed, registered,
        "a registered probe no documented check calls, or the reverse"
    );
}

#[test]
fn the_script_dispatches_only_through_the_registry_table() {
    let script = probe_script();
    assert!(
        script.starts_with("(args) => {"),
        "a function of its arguments"
    );
    assert!(script.ends_with("return probes[args.probe](args);\n}"));
    assert_eq!(script.matches("args.probe").count(), 1, "one dispatch");
    assert!(!script.contains("args.kind"), "no free-form kind strings");
}
