//! Pages that read the browser a scenario's `use:` and `--storage-state`
//! set up:
//! - `/phone`: a "Menu" button that only a narrow viewport shows;
//! - `/theme`: `#theme` says "dark" under `prefers-color-scheme: dark`,
//!   and the page shows what the browser reports (width, language, time
//!   zone, user agent, touch, whether the window has focus) and the
//!   `Accept-Language` the server saw;
//! - `/account`: answers only with the session cookie
//!   ([`SESSION_COOKIE`]), else redirects to the sign-in page; it shows
//!   the `prefs` localStorage item the session carries.
//!
//! [`Fault::ContextBroken`] breaks all three the way a regression would:
//! the phone menu's media query no longer matches a phone, the theme
//! ignores the colour scheme, and the session cookie is refused.

use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, StatusCode};

use crate::fault::Fault;
use crate::response::{Body, respond};
use crate::state::SiteState;

/// The cookie `/account` asks for: name and value.
pub const SESSION_COOKIE: (&str, &str) = ("fixture_session", "ada-s3ss10n-t0ken-7f3a");

/// The widest viewport that shows `/phone`'s menu button, in CSS pixels.
pub const PHONE_MAX_WIDTH: u32 = 600;

fn page(title: &str, head: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title}</title>
{head}
</head>
<body>
{body}
</body>
</html>
"#
    )
}

fn html(status: StatusCode, body: String) -> hyper::Response<Body> {
    respond(status, "text/html; charset=utf-8", Bytes::from(body))
}

/// Answers `/phone`, `/theme` and `/account`, or `None` for any other path.
pub(crate) fn route(
    state: &SiteState,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Option<hyper::Response<Body>> {
    if !matches!(path, "/phone" | "/theme" | "/account") {
        return None;
    }
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    let broken = state.faults().contains(&Fault::ContextBroken);
    Some(match path {
        "/phone" => html(StatusCode::OK, phone(broken)),
        "/theme" => html(StatusCode::OK, theme(broken, accept_language(headers))),
        _ if broken || !has_session(headers) => {
            let mut res = respond(
                StatusCode::FOUND,
                "text/plain",
                Bytes::from_static(b"Found"),
            );
            res.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_static("/signin?return_to=/account"),
            );
            res
        }
        _ => html(StatusCode::OK, account()),
    })
}

fn has_session(headers: &HeaderMap) -> bool {
    let (name, value) = SESSION_COOKIE;
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(n, v)| n == name && v == value)
}

/// The header, shown as text: only letters, digits and `-,;=.` survive.
fn accept_language(headers: &HeaderMap) -> String {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-,;=.".contains(*c))
        .collect()
}

fn phone(broken: bool) -> String {
    // The regression: a breakpoint no phone is narrow enough for.
    let breakpoint = if broken { 200 } else { PHONE_MAX_WIDTH };
    page(
        "Phone — McRitchie Studio",
        &format!(
            r#"<style>
#menu-button {{ display: none; }}
@media (max-width: {breakpoint}px) {{
  #menu-button {{ display: inline-block; }}
  .desktop-nav {{ display: none; }}
}}
</style>"#
        ),
        r#"<header>
<nav class="desktop-nav" aria-label="Main"><a href="/">Home</a> <a href="/tasks">Board</a></nav>
<button id="menu-button" aria-label="Menu">☰</button>
</header>
<main><h1>On the go</h1><p>Width: <span id="width"></span></p></main>
<script>document.getElementById("width").textContent = String(window.innerWidth);</script>"#,
    )
}

fn theme(broken: bool, accept_language: String) -> String {
    let query = if broken {
        // The regression: the page reads a media feature no browser has.
        "(prefers-colour-scheme: dark)"
    } else {
        "(prefers-color-scheme: dark)"
    };
    page(
        "Theme — McRitchie Studio",
        r#"<style>
@media (prefers-color-scheme: dark) { body { background: #111; color: #eee; } }
</style>"#,
        &format!(
            r#"<h1>Theme</h1>
<p>Theme: <span id="theme">unknown</span></p>
<ul>
<li>Width: <span id="width"></span></li>
<li>Scale: <span id="scale"></span></li>
<li>Language: <span id="lang"></span></li>
<li>Time zone: <span id="tz"></span></li>
<li>Touch points: <span id="touch"></span></li>
<li>User agent: <span id="ua"></span></li>
<li>Window: <span id="focus"></span></li>
<li>Accept-Language the server saw: <span id="accept-language">{accept_language}</span></li>
</ul>
<script>
const set = (id, v) => {{ document.getElementById(id).textContent = String(v); }};
set("theme", matchMedia("{query}").matches ? "dark" : "light");
set("width", window.innerWidth);
set("scale", window.devicePixelRatio);
set("lang", navigator.language);
set("tz", Intl.DateTimeFormat().resolvedOptions().timeZone);
set("touch", navigator.maxTouchPoints);
set("ua", navigator.userAgent);
const focus = () => set("focus", document.hasFocus() ? "has focus" : "has no focus");
focus();
addEventListener("focus", focus);
addEventListener("blur", focus);
setInterval(focus, 100);
</script>"#
        ),
    )
}

fn account() -> String {
    page(
        "Your account — McRitchie Studio",
        "",
        r#"<h1>Your account</h1>
<p id="who">Signed in as Ada</p>
<p>Preferences: <span id="prefs">none</span></p>
<script>
const prefs = localStorage.getItem("prefs");
if (prefs !== null) document.getElementById("prefs").textContent = prefs;
</script>"#,
    )
}
