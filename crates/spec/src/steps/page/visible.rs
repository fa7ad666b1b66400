//! `visible: locator`: Playwright's `toBeVisible`.

use super::{ElementState, Observation, StateCheck};

pub type Visible = StateCheck<IsVisible>;

#[derive(Debug, Clone)]
pub struct IsVisible;

impl ElementState for IsVisible {
    const IS: &'static str = "visible";

    fn saw(selector: &str, _: &Observation) -> String {
        format!("`{selector}` present but hidden")
    }
}

/// Playwright's isElementVisible on the one match.
pub(crate) const PROBE: &str = r#"
(args) => single(args, (el) => ({ pass: isElementVisible(el) }))
"#;
