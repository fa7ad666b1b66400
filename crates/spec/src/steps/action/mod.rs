//! Interactions: `click`, `hover`, `fill`, `press` and `scroll`. They act
//! on the page as Playwright's actions do (wait until the element is
//! actionable, one element only, real input events), and they are allowed
//! because they cannot write: every request the page sends, whatever
//! caused it, passes the browser-wide read-only guard. Each step lives in
//! its own file here; this one only gathers them for `Step::Act`.

use std::time::Duration;

pub(super) mod click;
pub(super) mod fill;
pub(super) mod hover;
pub(super) mod press;
pub(super) mod scroll;

use super::locator::Locator;

pub use click::Click;
pub use fill::Fill;
pub use hover::Hover;
pub use press::{Key, MODIFIERS, Press, key_def, key_names};
pub use scroll::Scroll;

/// One interaction with the page last visited.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Click(Click),
    Hover(Hover),
    Fill(Fill),
    Press(Press),
    Scroll(Scroll),
}

impl Action {
    pub fn describe(&self) -> String {
        match self {
            Action::Click(a) => a.describe(),
            Action::Hover(a) => a.describe(),
            Action::Fill(a) => a.describe(),
            Action::Press(a) => a.describe(),
            Action::Scroll(a) => a.describe(),
        }
    }

    /// The element acted on; `press` without `in` acts on whatever has
    /// the focus.
    pub fn target(&self) -> Option<&Locator> {
        match self {
            Action::Click(a) => Some(&a.target),
            Action::Hover(a) => Some(&a.target),
            Action::Fill(a) => Some(&a.target),
            Action::Press(a) => a.target.as_ref(),
            Action::Scroll(a) => Some(&a.target),
        }
    }

    /// How long the element may take to become actionable.
    pub fn timeout(&self) -> Option<Duration> {
        match self {
            Action::Click(a) => a.timeout,
            Action::Hover(a) => a.timeout,
            Action::Fill(a) => a.timeout,
            Action::Press(a) => a.timeout,
            Action::Scroll(a) => a.timeout,
        }
    }
}
