//! `use:` on a scenario: the browser it runs in, as Playwright's
//! `test.use({ viewport, colorScheme, locale, userAgent, timezoneId,
//! ...devices['iPhone 13'] })`. The spec only reads and checks what was
//! written; the runner applies it to the scenario's browser context before
//! the first visit (crates/runner/src/emulation.rs).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_yaml::Value;

use crate::devices::{Device, device, device_names};
use prod_smoke_input::{EXCERPT_CHARS, excerpt};
use prod_smoke_suggest::did_you_mean;

/// Every key `use:` takes, in the order docs/spec.md lists them.
pub const USE_KEYS: &[&str] = &[
    "viewport",
    "device",
    "color_scheme",
    "locale",
    "user_agent",
    "timezone",
];

/// The largest viewport side accepted: larger is a typo (Chromium itself
/// refuses past 10,000,000).
pub const MAX_VIEWPORT_SIDE: u32 = 10_000;

/// A scenario's browser, as its `use:` wrote it. Every field is optional;
/// an empty one runs in the default 1280×720 desktop browser.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BrowserSettings {
    pub viewport: Option<Viewport>,
    pub device: Option<&'static Device>,
    pub color_scheme: Option<ColorScheme>,
    /// A BCP 47 tag such as `es-ES`: `navigator.language`, `Intl`, and
    /// the `Accept-Language` header.
    pub locale: Option<String>,
    pub user_agent: Option<String>,
    /// An IANA zone such as `Europe/Paris`.
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScheme {
    Light,
    Dark,
}

impl ColorScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            ColorScheme::Light => "light",
            ColorScheme::Dark => "dark",
        }
    }
}

/// What the browser is set to once a device and the keys that override it
/// are combined: a later key wins over the device, as a key written after
/// `...devices['iPhone 13']` does in Playwright.
#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    pub width: u32,
    pub height: u32,
    pub scale: f64,
    pub mobile: bool,
    pub touch: bool,
}

impl BrowserSettings {
    pub fn is_empty(&self) -> bool {
        *self == BrowserSettings::default()
    }

    /// The screen to emulate, when the spec changed it.
    pub fn screen(&self) -> Option<Screen> {
        let base = match (self.device, self.viewport) {
            (None, None) => return None,
            (Some(d), _) => Screen {
                width: d.width,
                height: d.height,
                scale: d.scale,
                mobile: d.mobile,
                touch: d.touch,
            },
            (None, Some(_)) => Screen {
                width: 0,
                height: 0,
                scale: 1.0,
                mobile: false,
                touch: false,
            },
        };
        Some(match self.viewport {
            Some(v) => Screen {
                width: v.width,
                height: v.height,
                ..base
            },
            None => base,
        })
    }

    /// The user agent: `user_agent`, else the device's.
    pub fn effective_user_agent(&self) -> Option<&str> {
        self.user_agent
            .as_deref()
            .or(self.device.map(|d| d.user_agent))
    }
}

impl<'de> Deserialize<'de> for BrowserSettings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(SettingsVisitor)
    }
}

struct SettingsVisitor;

impl<'de> Visitor<'de> for SettingsVisitor {
    type Value = BrowserSettings;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "a mapping of browser settings such as `{{viewport: {{width: 360, height: 780}}}}`"
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BrowserSettings, A::Error> {
        let mut out = BrowserSettings::default();
        while let Some(key) = map.next_key::<Value>()? {
            let Value::String(key) = key else {
                return Err(de::Error::custom(
                    "the keys of `use` are words such as `viewport` or `device`",
                ));
            };
            let value: Value = map.next_value()?;
            match key.as_str() {
                "viewport" => out.viewport = Some(viewport(value)?),
                "device" => out.device = Some(named_device(value)?),
                "color_scheme" => out.color_scheme = Some(color_scheme(value)?),
                "locale" => out.locale = Some(locale(value)?),
                "user_agent" => out.user_agent = Some(user_agent(value)?),
                "timezone" => out.timezone = Some(timezone(value)?),
                other => {
                    let hint = match did_you_mean(other, USE_KEYS) {
                        Some(s) => format!("; did you mean `{s}`?"),
                        None => format!("; `use` takes {}", list(USE_KEYS)),
                    };
                    return Err(de::Error::custom(format!(
                        "unknown key `{}` in `use`{hint}",
                        excerpt(other, EXCERPT_CHARS)
                    )));
                }
            }
        }
        Ok(out)
    }
}

fn list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn string<E: de::Error>(key: &str, value: Value, example: &str) -> Result<String, E> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Value::String(_) => Err(E::custom(format!(
            "`{key}` in `use` is empty; give one such as {example}"
        ))),
        other => Err(E::custom(format!(
            "`{key}` in `use` must be a string such as {example}, found {}",
            kind(&other)
        ))),
    }
}

fn viewport<E: de::Error>(value: Value) -> Result<Viewport, E> {
    const EXAMPLE: &str = "`{width: 360, height: 780}`";
    let Value::Mapping(map) = value else {
        return Err(E::custom(format!(
            "`viewport` in `use` must be a mapping such as {EXAMPLE}, found {}",
            kind(&value)
        )));
    };
    let (mut width, mut height) = (None, None);
    for (k, v) in map {
        let k = match k {
            Value::String(k) => k,
            other => {
                return Err(E::custom(format!(
                    "`viewport` takes `width` and `height`, found {} as a key",
                    kind(&other)
                )));
            }
        };
        let slot = match k.as_str() {
            "width" => &mut width,
            "height" => &mut height,
            other => {
                let hint = match did_you_mean(other, &["width", "height"]) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "it takes `width` and `height`".into(),
                };
                return Err(E::custom(format!(
                    "unknown key `{}` in `viewport`; {hint}",
                    excerpt(other, EXCERPT_CHARS)
                )));
            }
        };
        let n = v
            .as_u64()
            .filter(|n| (1..=u64::from(MAX_VIEWPORT_SIDE)).contains(n))
            .ok_or_else(|| {
                E::custom(format!(
                    "`{k}` in `viewport` must be a whole number of CSS pixels from 1 to {MAX_VIEWPORT_SIDE}"
                ))
            })?;
        *slot = Some(n as u32);
    }
    match (width, height) {
        (Some(width), Some(height)) => Ok(Viewport { width, height }),
        _ => Err(E::custom(format!(
            "`viewport` needs both `width` and `height`, as in {EXAMPLE}"
        ))),
    }
}

fn named_device<E: de::Error>(value: Value) -> Result<&'static Device, E> {
    let name = string::<E>("device", value, "`iPhone 13` or `Pixel 7`")?;
    if let Some(d) = device(&name) {
        return Ok(d);
    }
    let names = device_names();
    let hint = match did_you_mean(&name, &names) {
        Some(s) => format!("did you mean `{s}`?"),
        None => "`prod-smoke devices` lists them".into(),
    };
    Err(E::custom(format!(
        "unknown device `{}`; {hint}",
        excerpt(&name, EXCERPT_CHARS)
    )))
}

fn color_scheme<E: de::Error>(value: Value) -> Result<ColorScheme, E> {
    let s = string::<E>("color_scheme", value, "`dark`")?;
    match s.as_str() {
        "light" => Ok(ColorScheme::Light),
        "dark" => Ok(ColorScheme::Dark),
        other => {
            let hint = match did_you_mean(other, &["light", "dark"]) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "it is `light` or `dark`".into(),
            };
            Err(E::custom(format!(
                "unknown color_scheme `{}`; {hint}",
                excerpt(other, EXCERPT_CHARS)
            )))
        }
    }
}

/// A BCP 47 tag's shape: a 2–3 letter language, then subtags of 1–8
/// letters or digits (`es`, `es-ES`, `zh-Hant-TW`, `de-CH-1996`).
fn locale<E: de::Error>(value: Value) -> Result<String, E> {
    let s = string::<E>("locale", value, "`es-ES`")?;
    let mut parts = s.split('-');
    let language = parts.next().unwrap_or_default();
    let shaped = (2..=3).contains(&language.len())
        && language.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if shaped {
        Ok(s)
    } else {
        Err(E::custom(format!(
            "`locale` `{}` is not a language tag; write one such as `en-US`, `es-ES` or `fr`",
            excerpt(&s, EXCERPT_CHARS)
        )))
    }
}

fn user_agent<E: de::Error>(value: Value) -> Result<String, E> {
    let s = string::<E>("user_agent", value, "`Mozilla/5.0 (…) MyCheck/1.0`")?;
    // A header value: a line break would be refused by the browser, or
    // worse, read as a second header.
    if s.chars().any(char::is_control) {
        return Err(E::custom(
            "`user_agent` in `use` must be one line without control characters",
        ));
    }
    Ok(s)
}

/// An IANA time zone (`UTC`, `Europe/Paris`, `America/Argentina/Salta`,
/// `Etc/GMT+5`, and the old links such as `US/Eastern`), checked against
/// the IANA database's names (chrono-tz) when the spec loads, so a typo is
/// bad input at its line with a "did you mean", not a scenario that
/// cannot start.
fn timezone<E: de::Error>(value: Value) -> Result<String, E> {
    let s = string::<E>("timezone", value, "`Europe/Paris`")?;
    if s.parse::<chrono_tz::Tz>().is_ok() {
        return Ok(s);
    }
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    let hint = prod_smoke_suggest::did_you_mean(&s, &names)
        .map(|name| format!(" (did you mean `{name}`?)"))
        .unwrap_or_default();
    Err(E::custom(format!(
        "`timezone` `{}` is not an IANA time zone{hint}; write one such as `UTC`, `Europe/Paris` or `America/New_York`",
        excerpt(&s, EXCERPT_CHARS)
    )))
}
