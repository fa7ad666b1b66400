//! What every page of a scenario's browser context starts with, before it
//! navigates: focus emulation, the scenario's `use:` (emulation.rs) and
//! the signed-in session (storage_state.rs). A step that opens another page in the
//! context (a new tab) applies the same setup to it, so every page of the
//! scenario sees the same browser.

use std::sync::Arc;

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::emulation::SetFocusEmulationEnabledParams;
use prod_smoke_spec::{BrowserSettings, Scenario};

use crate::storage_state::AppSession;

#[derive(Debug, Clone)]
pub(crate) struct PageSetup {
    settings: BrowserSettings,
    signed_in: Option<Arc<AppSession>>,
}

impl PageSetup {
    pub(crate) fn new(scenario: &Scenario, signed_in: Option<Arc<AppSession>>) -> Self {
        PageSetup {
            settings: scenario.browser.clone(),
            signed_in,
        }
    }

    /// Applies the setup to `page`, which has not navigated yet.
    pub(crate) async fn apply(&self, page: &Page) -> Result<(), String> {
        // A headless page is never the focused window, and scenarios run
        // side by side, so without this a click may move focus in one page
        // and not another: `document.activeElement`, `focus` events and
        // `:focus-visible` would depend on which page Chromium deems
        // active. Playwright turns focus emulation on for every page for
        // the same reason; each page then behaves as a focused window.
        page.execute(SetFocusEmulationEnabledParams::new(true))
            .await
            .map_err(|e| format!("cannot turn on focus emulation: {e}"))?;
        crate::emulation::apply(page, &self.settings).await?;
        if let Some(signed_in) = &self.signed_in {
            signed_in.apply(page).await?;
        }
        Ok(())
    }
}
