//! What every page of a scenario's browser context starts with, before it
//! navigates: the scenario's `use:` (emulation.rs) and the signed-in
//! session (storage_state.rs). A step that opens another page in the
//! context (a new tab) applies the same setup to it, so every page of the
//! scenario sees the same browser.

use std::sync::Arc;

use chromiumoxide::Page;
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
        crate::emulation::apply(page, &self.settings).await?;
        if let Some(signed_in) = &self.signed_in {
            signed_in.apply(page).await?;
        }
        Ok(())
    }
}
