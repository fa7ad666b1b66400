//! `hidden: locator`: Playwright's `toBeHidden`.

use super::{ElementState, Observation, StateCheck};

pub type Hidden = StateCheck<IsHidden>;

#[derive(Debug, Clone)]
pub struct IsHidden;

impl ElementState for IsHidden {
    const IS: &'static str = "hidden";

    fn saw(selector: &str, _: &Observation) -> String {
        format!("`{selector}` visible")
    }
}

/// Passes when nothing matches (InjectedScript.expect), or when the one
/// match is not visible.
pub(crate) const PROBE: &str = r#"
(args) => single(args, (el) => ({ pass: !isElementVisible(el) }), { count: 0, pass: true })
"#;
