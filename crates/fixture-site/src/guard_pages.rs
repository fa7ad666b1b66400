//! Pages under `/ro/` that use what production sites use and that collide
//! with prod-smoke's read-only guard: speculation rules, a 300 without
//! `Location`, cached and revalidated documents, `<object>` and `<embed>`,
//! service workers, an app that saves when it opens, the page's own CSP,
//! gzip with latin-1, and a cookie read back on the next visit. Each is
//! healthy (plain Chromium shows no error on it) and each document tries a
//! WebSocket to `/attack/ws`, so any document that reaches a renderer
//! without the guard's policy shows up as a `WS-OPEN` in the request log.
//! Two control pages are broken for real: a refused save followed by a
//! real uncaught error, and the page's own GET answered 500.

use std::io::Write as _;

use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, StatusCode};

use crate::response::{Body, respond};
use crate::state::SiteState;

/// The page's own script nonce on `/ro/csp`.
const NONCE: &str = "r4nd0m-n0nce";

/// Tries a WebSocket named `from`, the way an app opens its live channel.
/// Healthy in plain Chromium: the socket opens and sends one frame.
fn socket(from: &str) -> String {
    format!(
        r#"<script nonce="{NONCE}">
(function () {{
  try {{
    var ws = new WebSocket("ws://" + location.host + "/attack/ws?from={from}");
    ws.onopen = function () {{ ws.send("{from}"); }};
    ws.onerror = function () {{}};
  }} catch (e) {{}}
}})();
</script>"#
    )
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body>\n{body}\n</body></html>\n"
    )
}

/// A script that runs `js` after `ms` milliseconds.
fn later(ms: u32, js: &str) -> String {
    format!("<script>setTimeout(function () {{ {js} }}, {ms});</script>")
}

fn html(status: StatusCode, body: String) -> hyper::Response<Body> {
    let mut res = respond(status, "text/html; charset=utf-8", Bytes::from(body));
    res.headers_mut().remove(header::CACHE_CONTROL);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Answers `/ro/...`, or `None` for any other path.
pub(crate) fn route(
    state: &SiteState,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Option<hyper::Response<Body>> {
    let rest = path.strip_prefix("/ro/")?;
    if method != Method::GET && method != Method::HEAD {
        // Every write the pages try is taken, as the app's server would.
        return Some(respond(StatusCode::NO_CONTENT, "text/plain", Bytes::new()));
    }
    let ok = StatusCode::OK;
    Some(match rest {
        // Speculation-rules prefetch, then a script navigation that uses it.
        "prefetch" => html(
            ok,
            page(
                "prefetch",
                &format!(
                    r#"<p>Prefetching the next page</p>
<script type="speculationrules">{{"prefetch":[{{"source":"list","urls":["/ro/next"]}}]}}</script>
{}"#,
                    later(1500, "location.href = '/ro/next';")
                ),
            ),
        ),
        "next" => html(
            ok,
            page("next", &format!("<p>Next page ready</p>{}", socket("next"))),
        ),
        // Speculation-rules prerender: the page runs while hidden.
        "prerender" => html(
            ok,
            page(
                "prerender",
                &format!(
                    r#"<p>Prerendering the next page</p>
<script type="speculationrules">{{"prerender":[{{"source":"list","urls":["/ro/prerendered"]}}]}}</script>
{}"#,
                    later(1500, "location.href = '/ro/prerendered';")
                ),
            ),
        ),
        "prerendered" => html(
            ok,
            page(
                "prerendered",
                &format!("<p>Prerendered page ready</p>{}", socket("prerendered")),
            ),
        ),
        // A 300 with a body and no Location is shown as a document.
        "frame300" => html(
            ok,
            page(
                "frame300",
                r#"<p>Frame host ready</p><iframe src="/ro/300" width="400" height="100"></iframe>"#,
            ),
        ),
        "300" => html(
            StatusCode::MULTIPLE_CHOICES,
            page("choices", &format!("<p>Pick one</p>{}", socket("300"))),
        ),
        "embeds" => html(
            ok,
            page(
                "embeds",
                r#"<p>Embeds ready</p>
<object data="/ro/embedded?via=object" type="text/html" width="300" height="80"></object>
<embed src="/ro/embedded?via=embed" type="text/html" width="300" height="80">"#,
            ),
        ),
        // A WebSocket made only by a cross-site (out-of-process) iframe,
        // and one made only by a dedicated worker; the host says it is
        // ready once its child's socket has opened or failed. The child
        // waits 500 ms first: the backstop's session on a child opens just
        // after the child starts (page_watch.rs), and the test is about
        // the watch, not that window.
        "frame-socket" => html(
            ok,
            page(
                "frame-socket",
                r#"<p id="state">Cross-site frame host</p>
<script>
addEventListener("message", function () {
  document.getElementById("state").textContent = "Cross-site frame host ready";
});
var f = document.createElement("iframe");
f.src = location.protocol + "//localhost:" + location.port + "/ro/socket-frame";
document.body.appendChild(f);
</script>"#,
            ),
        ),
        "socket-frame" => html(
            ok,
            page(
                "socket-frame",
                r#"<p>socket frame</p>
<script>
setTimeout(function () {
  var ws = new WebSocket("ws://" + location.host + "/attack/ws?from=cross-site-frame");
  ws.onopen = function () { ws.send("frame"); parent.postMessage("done", "*"); };
  ws.onerror = function () { parent.postMessage("done", "*"); };
}, 500);
</script>"#,
            ),
        ),
        "worker-socket" => html(
            ok,
            page(
                "worker-socket",
                r#"<p id="state">Worker host</p>
<script>
var w = new Worker("/ro/socket-worker.js");
w.onmessage = function () {
  document.getElementById("state").textContent = "Worker host ready";
};
</script>"#,
            ),
        ),
        "socket-worker.js" => respond(
            ok,
            "text/javascript; charset=utf-8",
            Bytes::from_static(
                br#"setTimeout(function () {
  var ws = new WebSocket("ws://" + location.host + "/attack/ws?from=worker");
  ws.onopen = function () { ws.send("worker"); postMessage("done"); };
  ws.onerror = function () { postMessage("done"); };
}, 500);
"#,
            ),
        ),
        "embedded" => html(
            ok,
            page(
                "embedded",
                &format!("<p>embedded</p>{}", socket("embedded")),
            ),
        ),
        // A document the browser keeps: the next visit reads its cache.
        "cached" => {
            let mut res = html(
                ok,
                page(
                    "cached",
                    &format!("<p>Cached page ready</p>{}", socket("cached")),
                ),
            );
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            res
        }
        // A document revalidated on every visit: the next one gets a 304.
        "revalidated" => {
            let etag = "\"ro-v1\"";
            let fresh = headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains(etag));
            let mut res = if fresh {
                state
                    .not_modified
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                respond(
                    StatusCode::NOT_MODIFIED,
                    "text/html; charset=utf-8",
                    Bytes::new(),
                )
            } else {
                html(
                    ok,
                    page(
                        "revalidated",
                        &format!("<p>Revalidated page ready</p>{}", socket("revalidated")),
                    ),
                )
            };
            let h = res.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            h.insert(header::ETAG, HeaderValue::from_static(etag));
            res
        }
        // A service worker whose registration is awaited and caught, and
        // one whose rejection nobody handles.
        "sw-caught" => html(
            ok,
            page(
                "sw-caught",
                r#"<p id="state">Service worker page</p>
<script>
navigator.serviceWorker.register("/ro/sw.js").then(function () {
  document.getElementById("state").textContent = "Service worker page ready";
}).catch(function () {
  document.getElementById("state").textContent = "Service worker page ready";
});
</script>"#,
            ),
        ),
        "sw-uncaught" => html(
            ok,
            page(
                "sw-uncaught",
                &format!(
                    r#"<p id="state">Service worker page</p>
<script>navigator.serviceWorker.register("/ro/sw.js");</script>{}"#,
                    later(
                        1000,
                        "document.getElementById('state').textContent = 'Service worker page ready';"
                    )
                ),
            ),
        ),
        "sw.js" => respond(
            ok,
            "text/javascript; charset=utf-8",
            Bytes::from_static(SERVICE_WORKER.as_bytes()),
        ),
        // An app that saves its state when it opens, and logs the failure.
        "save-on-load" => html(
            ok,
            page("editor", &format!("{SAVE_ON_LOAD}{}", socket("editor"))),
        ),
        // Control: the same refused save, then a real bug.
        "save-then-throw" => html(
            ok,
            page(
                "editor",
                &format!(
                    "{SAVE_ON_LOAD}<p id=\"toolbar\">Toolbar loading</p>{}",
                    later(
                        300,
                        "document.getElementById('toolbar').textContent = 'Toolbar ready'; renderToolbar(document.body);"
                    )
                ),
            ),
        ),
        // Control: the app's own GET fails on the server.
        "own-get-500" => html(
            ok,
            page(
                "board",
                r#"<p id="state">Board loading</p>
<script>
fetch("/ro/api/board").then(function (r) {
  if (!r.ok) { console.error("loading the board failed: HTTP " + r.status); }
  document.getElementById("state").textContent = "Board ready";
});
</script>"#,
            ),
        ),
        "api/board" => respond(
            StatusCode::INTERNAL_SERVER_ERROR,
            "application/json",
            Bytes::from_static(b"{\"error\":\"boom\"}"),
        ),
        // The page's own nonce policy and a report-only policy, which must
        // still apply under the guard's extra policy.
        "csp" => {
            let mut res = html(
                ok,
                page(
                    "csp",
                    &format!(
                        r#"<p id="state">Own policy pending</p>
<script>window.inlineRan = true;</script>
<script nonce="{NONCE}">
document.getElementById("state").textContent =
  window.inlineRan ? "Own policy broken" : "Own policy holds";
</script>{}"#,
                        socket("csp")
                    ),
                ),
            );
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_str(&format!(
                    "script-src 'nonce-{NONCE}'; connect-src 'self' ws: wss:"
                ))
                .expect("ascii"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY_REPORT_ONLY,
                HeaderValue::from_str(&format!(
                    "script-src 'nonce-{NONCE}' 'unsafe-inline'; report-uri /ro/csp-report"
                ))
                .expect("ascii"),
            );
            res
        }
        // gzip over the wire, latin-1 inside.
        "latin1" => {
            let mut body = b"<!DOCTYPE html>\n<html><head><title>latin1</title></head><body><p>Caf\xe9 cr\xe8me ready</p>".to_vec();
            body.extend_from_slice(socket("latin1").as_bytes());
            body.extend_from_slice(b"</body></html>\n");
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(&body).expect("in memory");
            let mut res = respond(
                ok,
                "text/html; charset=iso-8859-1",
                Bytes::from(gz.finish().expect("in memory")),
            );
            res.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            res
        }
        // Sets a cookie on the document and shows, server-side, the cookie
        // the browser sent back.
        "cookie" => {
            let sent = headers
                .get(header::COOKIE)
                .and_then(|v| v.to_str().ok())
                .filter(|c| {
                    c.chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || "=_; ".contains(ch))
                })
                .unwrap_or("none")
                .to_string();
            let mut res = html(ok, page("cookie", &format!("<p>Cookie sent: {sent}</p>")));
            res.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_static("ro_seen=yes; Path=/; SameSite=Lax"),
            );
            res
        }
        _ => return None,
    })
}

/// The service worker writes when it installs and answers every fetch
/// itself; under prod-smoke it never gets to run.
const SERVICE_WORKER: &str = r#"
self.addEventListener("install", function (e) {
  e.waitUntil(fetch("/ro/api/sw-install", { method: "POST", body: "installed" }).catch(function () {}));
});
self.addEventListener("fetch", function (e) {
  e.respondWith(fetch(e.request));
});
"#;

/// Saves the workspace when the page opens, as a notebook app does, and
/// logs the failure the way such apps do; a second save's rejection is
/// left unhandled.
const SAVE_ON_LOAD: &str = r#"<p id="state">Editor loading</p>
<script>
fetch("/ro/api/workspace", { method: "PUT", body: "{}" }).catch(function (e) {
  console.error("Failed to initialize the context", e);
});
fetch("/ro/api/checkpoint", { method: "POST" });
var x = new XMLHttpRequest();
x.open("POST", "/ro/api/session");
x.onerror = function () {};
x.send("{}");
document.getElementById("state").textContent = "Editor ready";
</script>"#;
