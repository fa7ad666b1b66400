//! The page-side half of the page checks: one script, assembled from the
//! shared prelude (`prelude.js`) and the probe each registry entry names,
//! keyed by the step's YAML key. The runner evaluates it with the
//! arguments a check gives ([`super::PageCheck::reads`]); `args.probe`
//! picks the entry, and only the registry writes that table, so a probe
//! without a step, or a step calling a probe nobody wrote, cannot be
//! spelt (the spec's `probes` test checks the second at run time).

use std::sync::LazyLock;

use serde::Deserialize;

use crate::steps::StepKind;

/// Playwright's text, visibility and locator definitions, shared by every
/// probe.
const PRELUDE: &str = include_str!("prelude.js");

/// `(args) => { prelude; const probes = { key: probe, ... }; ... }`.
static SCRIPT: LazyLock<String> = LazyLock::new(|| {
    let mut js = String::from("(args) => {\n");
    js.push_str(PRELUDE);
    js.push_str("\nconst probes = {\n");
    for kind in StepKind::ALL {
        if let Some(probe) = kind.probe() {
            let key = serde_json::to_string(kind.info().key).expect("a key is a string");
            js.push_str(&format!("{key}: {},\n", probe.trim()));
        }
    }
    js.push_str("};\nreturn probes[args.probe](args);\n}");
    js
});

/// The shared helpers alone (`locate`, `isElementVisible`, ...), for page
/// code that is not a check's probe: an action's actionability check. It
/// expects `args` in scope.
pub fn prelude() -> &'static str {
    PRELUDE
}

/// The script one poll evaluates, as a JavaScript function of its
/// arguments.
pub fn probe_script() -> &'static str {
    &SCRIPT
}

/// What one look at the page saw: a probe's answer, or what the runner
/// watched (page errors).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Observation {
    /// Elements the locator matched (1 for a title or URL probe).
    pub count: usize,
    #[serde(default)]
    pub pass: bool,
    /// What was read: a title, a URL, an element's text or attribute.
    pub text: Option<String>,
    /// Why the locator could not be resolved (no such frame, ...).
    #[serde(default)]
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_has_one_probe_per_registered_key_and_no_free_dispatch() {
        let script = probe_script();
        for kind in StepKind::ALL {
            let entry = format!("\n\"{}\": ", kind.info().key);
            let expected = usize::from(kind.probe().is_some());
            assert_eq!(
                script.matches(&entry).count(),
                expected,
                "`{}` in the probe table",
                kind.info().key
            );
        }
        // The prelude holds shared helpers only: a branch on a step's name
        // there would be a probe the registry does not know.
        for free in ["args.kind", "args.probe"] {
            assert!(!PRELUDE.contains(free), "prelude.js reads `{free}`");
        }
    }
}
