//! A scenario's `use:` (viewport, device, colour scheme, locale, user
//! agent, time zone), applied to a page over CDP before it navigates, as
//! Playwright applies a context's options to each of its pages.
//!
//! The Emulation domain and the user-agent override are per target, so
//! [`apply`] runs for every page the scenario's context opens: the first
//! one here (scenario.rs), and any tab a step opens later.

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::browser::GetVersionParams;
use chromiumoxide::cdp::browser_protocol::emulation::{
    MediaFeature, SetDeviceMetricsOverrideParams, SetEmulatedMediaParams, SetLocaleOverrideParams,
    SetTimezoneOverrideParams, SetTouchEmulationEnabledParams,
};
use chromiumoxide::cdp::browser_protocol::network::SetUserAgentOverrideParams;
use prod_smoke_spec::BrowserSettings;

/// Touch points a touch device reports, as Playwright's Chromium does.
const MAX_TOUCH_POINTS: i64 = 1;

/// Applies `settings` to `page`. An empty `use:` sends nothing, so a
/// scenario without one runs exactly as before.
pub(crate) async fn apply(page: &Page, settings: &BrowserSettings) -> Result<(), String> {
    if settings.is_empty() {
        return Ok(());
    }
    let fail = |what: &str, e: chromiumoxide::error::CdpError| format!("cannot set {what}: {e}");
    if let Some(screen) = settings.screen() {
        page.execute(SetDeviceMetricsOverrideParams::new(
            screen.width,
            screen.height,
            screen.scale,
            screen.mobile,
        ))
        .await
        .map_err(|e| fail("the viewport", e))?;
        let mut touch = SetTouchEmulationEnabledParams::new(screen.touch);
        touch.max_touch_points = screen.touch.then_some(MAX_TOUCH_POINTS);
        page.execute(touch)
            .await
            .map_err(|e| fail("touch emulation", e))?;
    }
    if let Some(scheme) = settings.color_scheme {
        let media = SetEmulatedMediaParams {
            features: Some(vec![MediaFeature::new(
                "prefers-color-scheme",
                scheme.as_str(),
            )]),
            ..SetEmulatedMediaParams::default()
        };
        page.execute(media)
            .await
            .map_err(|e| fail("the colour scheme", e))?;
    }
    if let Some(locale) = &settings.locale {
        let params = SetLocaleOverrideParams {
            locale: Some(locale.clone()),
        };
        page.execute(params).await.map_err(|e| {
            format!("cannot set the locale `{locale}` (Chromium does not know it?): {e}")
        })?;
    }
    if let Some(zone) = &settings.timezone {
        page.execute(SetTimezoneOverrideParams::new(zone.clone()))
            .await
            .map_err(|e| {
                format!(
                    "cannot set the time zone `{zone}`: {e}; use an IANA name Chromium knows, such as `Europe/Paris`"
                )
            })?;
    }
    // The header and `navigator.language` follow the locale too, so a
    // locale alone also overrides the agent, keeping the browser's own.
    let agent = settings.effective_user_agent().map(str::to_string);
    if agent.is_some() || settings.locale.is_some() {
        let user_agent = match agent {
            Some(a) => a,
            None => page
                .execute(GetVersionParams::default())
                .await
                .map_err(|e| fail("the locale's Accept-Language", e))?
                .result
                .user_agent
                .clone(),
        };
        let mut params = SetUserAgentOverrideParams::new(user_agent);
        params.accept_language = settings.locale.clone();
        page.execute(params)
            .await
            .map_err(|e| fail("the user agent", e))?;
    }
    Ok(())
}
