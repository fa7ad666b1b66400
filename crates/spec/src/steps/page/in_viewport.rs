//! `in_viewport: locator`: Playwright's `toBeInViewport`.

use super::{ElementState, Observation, StateCheck};

pub type InViewport = StateCheck<IsInViewport>;

#[derive(Debug, Clone)]
pub struct IsInViewport;

impl ElementState for IsInViewport {
    const IS: &'static str = "in the viewport";

    fn saw(selector: &str, seen: &Observation) -> String {
        format!(
            "`{selector}` outside the viewport ({})",
            seen.text.as_deref().unwrap_or_default()
        )
    }
}

/// Some of the element's box is inside its window's viewport (an
/// intersection ratio above 0).
pub(crate) const PROBE: &str = r#"
(args) => single(args, (el) => {
  const r = el.getBoundingClientRect();
  const win = el.ownerDocument.defaultView;
  const w = Math.min(r.right, win.innerWidth) - Math.max(r.left, 0);
  const h = Math.min(r.bottom, win.innerHeight) - Math.max(r.top, 0);
  const pass = r.width > 0 && r.height > 0 && w > 0 && h > 0;
  return { pass, text: `${Math.round(r.top)}px from the top of a ${win.innerHeight}px viewport` };
})
"#;
