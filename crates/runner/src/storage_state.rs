//! A signed-in session: Playwright's `storageState` JSON (cookies, and
//! localStorage per origin), handed over with `--storage-state FILE` or as
//! the JSON itself in `PROD_SMOKE_STORAGE_STATE`.
//!
//! Policy:
//! - it is applied to every scenario's browser context before the first
//!   visit, and **only for the app's own host**: a cookie the browser would
//!   not send to the app's host, and localStorage of another origin, is
//!   left out and named in a note (names and domains only);
//! - every cookie and localStorage value is a secret: [`StorageState::secrets`]
//!   gives each value in the forms it can take in an output (as written,
//!   JSON-escaped, percent-decoded, quoted-printable as in an MHTML), for
//!   the redactor; `Debug` never prints a value, and neither does an error;
//! - a bad file is refused before anything runs, with its line and column
//!   but without the offending text, since the text may be a secret.

use std::fmt;
use std::path::Path;

use chromiumoxide::Page;
use chromiumoxide::cdp::browser_protocol::network::{
    CookieParam, CookieSameSite, SetCookiesParams,
};
use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use serde::Deserialize;
use url::Url;

/// The name errors give to the JSON when it came from the variable.
pub const STORAGE_STATE_VAR: &str = "PROD_SMOKE_STORAGE_STATE";

/// The largest state accepted; Playwright's own are a few kilobytes.
const MAX_STATE_BYTES: u64 = prod_smoke_input::MAX_INPUT_BYTES;

/// Why a storage state was refused. Nothing has run yet (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum StorageStateError {
    #[error(
        "{source_name}:{line}:{column}: {message} (Playwright's storageState format: \
         {{\"cookies\": [{{\"name\", \"value\", \"domain\", \"path\", …}}], \"origins\": \
         [{{\"origin\", \"localStorage\": [{{\"name\", \"value\"}}]}}]}})"
    )]
    Invalid {
        source_name: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(transparent)]
    Read(#[from] prod_smoke_input::ReadError),
}

/// A parsed storage state. Values are secrets: `Debug` masks them.
#[derive(Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct StorageState {
    #[serde(default)]
    cookies: Vec<StateCookie>,
    #[serde(default)]
    origins: Vec<OriginState>,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateCookie {
    #[serde(deserialize_with = "non_empty")]
    name: String,
    value: String,
    #[serde(deserialize_with = "non_empty")]
    domain: String,
    #[serde(default = "root_path")]
    path: String,
    /// Seconds since the epoch; -1 for a session cookie.
    #[serde(default = "session")]
    expires: f64,
    #[serde(default)]
    http_only: bool,
    #[serde(default)]
    secure: bool,
    #[serde(default)]
    same_site: Option<SameSite>,
}

#[derive(Clone, Copy, Deserialize)]
enum SameSite {
    Strict,
    Lax,
    None,
}

#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OriginState {
    #[serde(deserialize_with = "origin")]
    origin: Url,
    #[serde(default)]
    local_storage: Vec<StorageItem>,
}

#[derive(Clone, Deserialize)]
struct StorageItem {
    name: String,
    value: String,
}

fn root_path() -> String {
    "/".into()
}

fn session() -> f64 {
    -1.0
}

fn non_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() {
        return Err(serde::de::Error::custom(
            "a cookie's name and domain must not be empty",
        ));
    }
    Ok(s)
}

fn origin<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Url, D::Error> {
    let s = String::deserialize(d)?;
    match Url::parse(&s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u),
        _ => Err(serde::de::Error::custom(
            "an origin must be a URL such as \"https://example.com\"",
        )),
    }
}

impl fmt::Debug for StorageState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorageState")
            .field(
                "cookies",
                &self
                    .cookies
                    .iter()
                    .map(|c| format!("{}@{}{} = ***", c.name, c.domain, c.path))
                    .collect::<Vec<_>>(),
            )
            .field(
                "origins",
                &self
                    .origins
                    .iter()
                    .map(|o| {
                        format!(
                            "{} ({} localStorage items)",
                            o.origin,
                            o.local_storage.len()
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl StorageState {
    /// Parses the JSON. `source_name` names it in errors (a path, or the
    /// variable); no error quotes the text.
    pub fn parse(source_name: &str, json: &str) -> Result<Self, StorageStateError> {
        serde_json::from_str(json).map_err(|e| StorageStateError::Invalid {
            source_name: source_name.to_string(),
            line: e.line(),
            column: e.column(),
            message: without_quoted_input(&e),
        })
    }

    /// Reads a state file: a regular file of at most 1 MiB (crates/input).
    pub fn load(path: &Path) -> Result<Self, StorageStateError> {
        let text = prod_smoke_input::read_text(path, MAX_STATE_BYTES)?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// What `--storage-state` (or the variable) holds: the JSON itself when
    /// it starts with `{`, else the path of a file.
    pub fn from_flag(value: &str) -> Result<Self, StorageStateError> {
        if value.trim_start().starts_with('{') {
            Self::parse(STORAGE_STATE_VAR, value)
        } else {
            Self::load(Path::new(value))
        }
    }

    /// Every value to mask, in each form an output may show it in.
    pub fn secrets(&self) -> Vec<String> {
        let values = self.cookies.iter().map(|c| c.value.as_str()).chain(
            self.origins
                .iter()
                .flat_map(|o| o.local_storage.iter().map(|i| i.value.as_str())),
        );
        let mut out = Vec::new();
        for v in values.filter(|v| !v.is_empty()) {
            out.push(v.to_string());
            // Inside a JSON string (results.json, the HAR).
            let json = serde_json::to_string(v).unwrap_or_default();
            out.push(json[1..json.len().saturating_sub(1)].to_string());
            // As a page shows a percent-encoded cookie once it decodes it.
            if let Ok(decoded) = urlencoding_decode(v) {
                out.push(decoded);
            }
            // In an MHTML snapshot's quoted-printable text.
            out.push(quoted_printable(v));
        }
        out.sort();
        out.dedup();
        out
    }

    /// The part of the state that belongs to the app at `base_url`, and a
    /// line for each part left out.
    pub(crate) fn for_app(&self, base_url: &str) -> (AppSession, Vec<String>) {
        let Ok(app) = Url::parse(base_url) else {
            return (
                AppSession::default(),
                vec!["the app's URL has no host".into()],
            );
        };
        let host = app.host_str().unwrap_or_default().to_ascii_lowercase();
        let mut skipped = Vec::new();
        let mut cookies = Vec::new();
        for c in &self.cookies {
            if sent_to(&c.domain, &host) {
                cookies.push(cookie_param(c, &app));
            } else {
                skipped.push(format!(
                    "cookie `{}` for {} (not the app's host {host})",
                    c.name, c.domain
                ));
            }
        }
        let mut local_storage = Vec::new();
        for o in &self.origins {
            if o.origin.origin() == app.origin() {
                local_storage.extend(
                    o.local_storage
                        .iter()
                        .map(|i| (i.name.clone(), i.value.clone())),
                );
            } else {
                skipped.push(format!(
                    "localStorage of {} (not the app's origin {})",
                    o.origin.origin().ascii_serialization(),
                    app.origin().ascii_serialization()
                ));
            }
        }
        let session = AppSession {
            cookies,
            origin: app.origin().ascii_serialization(),
            local_storage,
        };
        (session, skipped)
    }
}

/// Whether a browser sends a cookie of `domain` to `host` (RFC 6265 §5.1.3):
/// a leading dot makes it a domain cookie, sent to subdomains too;
/// without one it is the host's own.
fn sent_to(domain: &str, host: &str) -> bool {
    let domain = domain.to_ascii_lowercase();
    match domain.strip_prefix('.') {
        Some(d) => host == d || host.ends_with(&format!(".{d}")),
        None => host == domain,
    }
}

fn cookie_param(c: &StateCookie, app: &Url) -> CookieParam {
    let mut p = CookieParam::new(c.name.clone(), c.value.clone());
    if c.domain.starts_with('.') {
        p.domain = Some(c.domain.clone());
    } else {
        // A host-only cookie is set through a URL: given a domain,
        // Chromium would widen it to a domain cookie.
        p.url = Some(format!("{}{}", app.origin().ascii_serialization(), c.path));
    }
    p.path = Some(c.path.clone());
    p.secure = Some(c.secure);
    p.http_only = Some(c.http_only);
    p.same_site = c.same_site.map(|s| match s {
        SameSite::Strict => CookieSameSite::Strict,
        SameSite::Lax => CookieSameSite::Lax,
        SameSite::None => CookieSameSite::None,
    });
    if c.expires > 0.0 {
        p.expires =
            Some(chromiumoxide::cdp::browser_protocol::network::TimeSinceEpoch::new(c.expires));
    }
    p
}

/// The app's share of a storage state, ready for a browser context.
#[derive(Clone, Default)]
pub(crate) struct AppSession {
    cookies: Vec<CookieParam>,
    /// The app's origin, `https://example.com`.
    origin: String,
    local_storage: Vec<(String, String)>,
}

impl fmt::Debug for AppSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "AppSession({} cookies, {} localStorage items for {})",
            self.cookies.len(),
            self.local_storage.len(),
            self.origin
        )
    }
}

impl AppSession {
    pub(crate) fn is_empty(&self) -> bool {
        self.cookies.is_empty() && self.local_storage.is_empty()
    }

    /// Puts the session into `page`'s browser context before its first
    /// navigation. Cookies belong to the context. localStorage is written
    /// by a script that runs before the page's own in every new document
    /// of the app's origin, and only for keys the page does not already
    /// hold, so it is there at the first load as Playwright's is, and what
    /// the app later writes is kept.
    pub(crate) async fn apply(&self, page: &Page) -> Result<(), String> {
        if !self.cookies.is_empty() {
            page.execute(SetCookiesParams::new(self.cookies.clone()))
                .await
                .map_err(|e| format!("cannot set the storage state's cookies: {e}"))?;
        }
        if !self.local_storage.is_empty() {
            let entries = serde_json::to_string(&self.local_storage).unwrap_or_default();
            let origin = serde_json::to_string(&self.origin).unwrap_or_default();
            let source = format!(
                "(() => {{ if (location.origin !== {origin}) return; try {{ \
                 const s = window.localStorage; \
                 for (const [k, v] of {entries}) if (s.getItem(k) === null) s.setItem(k, v); \
                 }} catch (e) {{}} }})();"
            );
            page.execute(AddScriptToEvaluateOnNewDocumentParams::new(source))
                .await
                .map_err(|e| format!("cannot seed the storage state's localStorage: {e}"))?;
        }
        Ok(())
    }
}

/// serde_json's message without its own "at line L column C" (the error
/// says where already). Its messages quote types and field names, never
/// the input's strings.
fn without_quoted_input(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn urlencoding_decode(v: &str) -> Result<String, ()> {
    if !v.contains('%') {
        return Err(());
    }
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).map_err(|_| ())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

/// `v` as quoted-printable text shows it (RFC 2045 §6.7): `=` and bytes
/// outside printable ASCII as `=XX`. Soft line breaks are not reproduced;
/// trace.rs unfolds them before it masks an MHTML.
fn quoted_printable(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b == b'=' || !(33..=126).contains(&b) {
            out.push_str(&format!("={b:02X}"));
        } else {
            out.push(b as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_goes_only_where_the_browser_would_send_it() {
        assert!(sent_to("shop.example.com", "shop.example.com"));
        assert!(!sent_to("example.com", "shop.example.com"));
        assert!(sent_to(".example.com", "shop.example.com"));
        assert!(sent_to(".example.com", "example.com"));
        assert!(!sent_to(".example.com", "badexample.com"));
        assert!(!sent_to("tracker.net", "shop.example.com"));
        assert!(sent_to("127.0.0.1", "127.0.0.1"));
    }

    #[test]
    fn secrets_cover_every_form_a_value_takes() {
        let s = StorageState::parse(
            "s.json",
            r#"{"cookies":[{"name":"sid","value":"tok%3Den=","domain":"a.com"}],
               "origins":[{"origin":"https://a.com","localStorage":[{"name":"k","value":"{\"jwt\":\"x\"}"}]}]}"#,
        )
        .unwrap();
        let secrets = s.secrets();
        for want in [
            "tok%3Den=",
            "tok=en=",
            "tok%3Den=3D",
            r#"{"jwt":"x"}"#,
            r#"{\"jwt\":\"x\"}"#,
        ] {
            assert!(secrets.iter().any(|x| x == want), "{want} in {secrets:?}");
        }
        let debug = format!("{s:?}");
        assert!(!debug.contains("tok") && !debug.contains("jwt"), "{debug}");
    }

    #[test]
    fn errors_have_line_and_column_and_never_the_text() {
        let e = StorageState::parse(
            "s.json",
            "{\"cookies\": [\n  {\"name\": \"sid\", \"value\": \"hunter22\", \"domain\": \"a.com\", \"sameSite\": \"Loose\"}\n]}",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("s.json:2:"), "{e}");
        assert!(!e.contains("hunter22"), "{e}");
        let e = StorageState::parse("s.json", "{\"cookies\": [{\"value\": \"hunter22\"}]}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing field `name`"), "{e}");
        assert!(!e.contains("hunter22"), "{e}");
        let e = StorageState::parse("s.json", "{\"origins\": [{\"origin\": \"nope\"}]}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("an origin must be a URL"), "{e}");
    }

    #[test]
    fn only_the_apps_share_is_kept_and_the_rest_is_named() {
        let s = StorageState::parse(
            "s.json",
            r#"{"cookies":[{"name":"sid","value":"v1v1","domain":"127.0.0.1"},
                           {"name":"ad","value":"v2v2","domain":".tracker.net"}],
               "origins":[{"origin":"http://127.0.0.1:4010","localStorage":[{"name":"k","value":"v3v3"}]},
                          {"origin":"https://other.example","localStorage":[{"name":"k","value":"v4v4"}]}]}"#,
        )
        .unwrap();
        let (app, skipped) = s.for_app("http://127.0.0.1:4010");
        assert_eq!(app.cookies.len(), 1);
        assert_eq!(app.local_storage, [("k".to_string(), "v3v3".to_string())]);
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(
            skipped[0].contains("cookie `ad` for .tracker.net"),
            "{skipped:?}"
        );
        assert!(skipped[1].contains("https://other.example"), "{skipped:?}");
        assert!(
            skipped
                .iter()
                .all(|l| !l.contains("v2v2") && !l.contains("v4v4"))
        );
    }
}
