//! Which answer each request gets under the active faults.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited, StreamBody};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use crate::fault::Fault;
use crate::pages::{self, Chrome};
use crate::request_log::{LoggedRequest, WS_FRAME, WS_OPEN};
use crate::response::{Body, respond};
use crate::state::{ConnControl, SiteState};
use futures::StreamExt;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

/// Beacons are tiny; anything bigger is read no further.
const MAX_BODY: usize = 64 * 1024;

pub(crate) async fn handle(
    state: &Arc<SiteState>,
    conn: &ConnControl,
    mut req: Request<Incoming>,
) -> Response<Body> {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    if state.options.echo_requests {
        eprintln!("{method} {}", req.uri());
    }
    state.log.push(LoggedRequest {
        method: method.to_string(),
        path: path.clone(),
        query: req.uri().query().map(str::to_string),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        sec_purpose: req
            .headers()
            .get("sec-purpose")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        over_http2: req.version() == hyper::Version::HTTP_2,
        at: SystemTime::now(),
    });
    if path == "/attack/ws" {
        return websocket(state, &mut req);
    }
    if let Some(res) = crate::guard_pages::route(state, &method, &path, req.headers()) {
        let _ = Limited::new(req.into_body(), MAX_BODY).collect().await;
        return res;
    }
    if let Some(res) = crate::context_pages::route(state, &method, &path, req.headers()) {
        return res;
    }
    let query = req.uri().query().unwrap_or_default().to_string();
    // Drain small bodies so the connection stays usable for the next request.
    let _ = Limited::new(req.into_body(), MAX_BODY).collect().await;
    if let Some(res) = attack(&method, &path, &query) {
        return res;
    }
    if let Some(res) = crate::interaction_pages::route(&state.faults(), &method, &path, &query) {
        return res;
    }

    let faults = state.faults();
    if faults.contains(&Fault::Slow) {
        tokio::time::sleep(state.options.slow_delay).await;
    }
    if faults.contains(&Fault::Reset) && path == "/" {
        conn.reset();
        return std::future::pending().await;
    }
    if faults.contains(&Fault::Hang) && path == "/tasks" {
        // Dropped with the connection, by the client or by shutdown.
        return std::future::pending().await;
    }
    if faults.contains(&Fault::Trickle) && path == "/tasks" {
        return trickle();
    }
    route(state, &faults, &method, &path)
}

/// The hostile page's helpers: every POST under `/attack/` is taken (and
/// logged as a write), and the iframes, workers and popup are served.
fn attack(method: &Method, path: &str, query: &str) -> Option<Response<Body>> {
    let rest = path.strip_prefix("/attack/")?;
    if method == Method::POST {
        return Some(respond(StatusCode::NO_CONTENT, "text/plain", Bytes::new()));
    }
    if method != Method::GET {
        return None;
    }
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .filter(|v| v.chars().all(|c| c.is_ascii_alphanumeric()))
            .unwrap_or("unknown")
            .to_string()
    };
    match rest {
        "frame" => Some(html(
            StatusCode::OK,
            pages::attack_page(&format!("{}-iframe", param("site"))),
        )),
        "popup" => Some(html(StatusCode::OK, pages::attack_page("popup"))),
        "worker.js" => Some(respond(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            Bytes::from(pages::attack_worker(&param("kind"))),
        )),
        _ => None,
    }
}

/// A real WebSocket endpoint: completes the handshake and logs the opening
/// and every frame the client sends as writes, as an ActionCable server
/// would act on them.
fn websocket(state: &Arc<SiteState>, req: &mut Request<Incoming>) -> Response<Body> {
    let from = req.uri().query().map(str::to_string);
    let key = req
        .headers()
        .get(header::SEC_WEBSOCKET_KEY)
        .map(|k| derive_accept_key(k.as_bytes()));
    let wants_upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let Some(accept) = key.filter(|_| wants_upgrade) else {
        return text(StatusCode::BAD_REQUEST, "WebSocket only");
    };
    let upgrade = hyper::upgrade::on(req);
    let state = state.clone();
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else { return };
        let log = |method: &str, query: Option<String>| {
            state.log.push(LoggedRequest {
                method: method.to_string(),
                path: "/attack/ws".to_string(),
                query,
                user_agent: None,
                sec_purpose: None,
                // Sockets take an HTTP/1.1 connection of their own.
                over_http2: false,
                at: SystemTime::now(),
            });
        };
        log(WS_OPEN, from);
        let mut ws =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        while let Some(Ok(msg)) = ws.next().await {
            if msg.is_close() {
                break;
            }
            let text = msg.into_text().map(|t| t.to_string()).unwrap_or_default();
            log(WS_FRAME, Some(text));
        }
    });
    let mut res = respond(StatusCode::SWITCHING_PROTOCOLS, "text/plain", Bytes::new());
    let h = res.headers_mut();
    h.remove(header::CONTENT_TYPE);
    h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(v) = HeaderValue::from_str(&accept) {
        h.insert(header::SEC_WEBSOCKET_ACCEPT, v);
    }
    res
}

fn route(
    state: &SiteState,
    faults: &BTreeSet<Fault>,
    method: &Method,
    path: &str,
) -> Response<Body> {
    let chrome = Chrome {
        beacons: state.options.beacons,
        throws: faults.contains(&Fault::Throws),
        hostile: state.options.hostile,
    };
    let on = |f: Fault| faults.contains(&f);

    if method == Method::OPTIONS {
        let mut res = respond(StatusCode::NO_CONTENT, "text/plain", Bytes::new());
        res.headers_mut().insert(
            header::ALLOW,
            HeaderValue::from_static("GET, HEAD, OPTIONS, POST"),
        );
        return res;
    }
    if path == "/beacon" {
        return if method == Method::POST {
            respond(StatusCode::NO_CONTENT, "text/plain", Bytes::new())
        } else {
            method_not_allowed("POST")
        };
    }
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed("GET, HEAD");
    }

    match path {
        "/" if on(Fault::Page500) => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::SERVER_ERROR.into(),
        ),
        "/" => {
            let title = if on(Fault::WrongTitle) {
                pages::WRONG_TITLE
            } else if on(Fault::HostileTitle) {
                pages::HOSTILE_TITLE
            } else {
                pages::HOME_TITLE
            };
            html(
                StatusCode::OK,
                pages::home(title, on(Fault::Restyled), chrome),
            )
        }
        "/signin" => html(
            StatusCode::OK,
            pages::signin(on(Fault::HiddenElement), on(Fault::ClosedDetails), chrome),
        ),
        "/tasks" if on(Fault::RedirectLoop) => redirect("/tasks"),
        "/tasks" if on(Fault::RedirectSignin) => redirect("/signin?return_to=/tasks"),
        "/tasks" if on(Fault::Empty404) => respond(
            StatusCode::NOT_FOUND,
            "text/html; charset=utf-8",
            Bytes::new(),
        ),
        "/tasks" if on(Fault::NoContent) => respond(
            StatusCode::NO_CONTENT,
            "text/html; charset=utf-8",
            Bytes::new(),
        ),
        "/tasks" if on(Fault::ScriptOnlyText) => {
            html(StatusCode::OK, pages::script_only_tasks(chrome))
        }
        "/tasks" if on(Fault::HugePage) => html(
            StatusCode::OK,
            pages::huge_tasks(state.options.huge_page_bytes, chrome),
        ),
        "/tasks" if on(Fault::ForgedAlert) => html(StatusCode::OK, pages::forged_alert(chrome)),
        "/tasks" if on(Fault::TallPage) => html(StatusCode::OK, pages::tall_tasks(chrome)),
        "/tasks" if on(Fault::LateText) => html(
            StatusCode::OK,
            pages::late_tasks(state.options.late_text_delay, chrome),
        ),
        "/tasks" => html(StatusCode::OK, pages::tasks(chrome)),
        "/up" if on(Fault::Up503) => text(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
        "/up" => text(StatusCode::OK, "OK"),
        // The status endpoint `header` and `json` steps read.
        "/up.json" => respond(
            StatusCode::OK,
            "application/json",
            Bytes::from_static(pages::UP_JSON.as_bytes()),
        ),
        // A moved page: `url` steps see where the redirect lands.
        "/board" => redirect_permanent("/tasks"),
        "/devops" | "/devops/cycle" if on(Fault::Admin200) => {
            html(StatusCode::OK, pages::devops(path, chrome))
        }
        "/assets/application.css" => respond(
            StatusCode::OK,
            "text/css; charset=utf-8",
            Bytes::from_static(pages::STYLESHEET.as_bytes()),
        ),
        "/assets/application.js" => respond(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            Bytes::from_static(pages::SCRIPT.as_bytes()),
        ),
        "/favicon.ico" => respond(
            StatusCode::OK,
            "image/x-icon",
            Bytes::from(pages::favicon()),
        ),
        // Pages for locators by role, label and text, frames and scrolling.
        "/people" => html(
            StatusCode::OK,
            pages::people(on(Fault::LocatorsBroken), chrome),
        ),
        "/embed" => html(StatusCode::OK, pages::embed(chrome)),
        "/embed/inner" => html(
            StatusCode::OK,
            pages::embed_inner(on(Fault::LocatorsBroken)),
        ),
        "/long" => html(
            StatusCode::OK,
            pages::long(on(Fault::LocatorsBroken), chrome),
        ),
        // A soft 404: the error page, answered as a success.
        _ if on(Fault::LocatorsBroken) => html(StatusCode::OK, pages::NOT_FOUND.into()),
        _ => html(StatusCode::NOT_FOUND, pages::NOT_FOUND.into()),
    }
}

fn html(status: StatusCode, body: String) -> Response<Body> {
    respond(status, "text/html; charset=utf-8", Bytes::from(body))
}

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    respond(
        status,
        "text/plain; charset=utf-8",
        Bytes::from_static(body.as_bytes()),
    )
}

/// `200 OK` at once, then the start of a page, then one byte every
/// [`TRICKLE_EVERY`], never finishing: a response that is arriving, slowly.
fn trickle() -> Response<Body> {
    use hyper::body::Frame;
    // Over the 1 KiB Chromium sniffs before it commits to a document.
    let mut head =
        b"<!doctype html><html><head><title>Tasks</title></head><body><h1>Tasks</h1><p>".to_vec();
    head.resize(4096, b' ');
    let head = Bytes::from(head);
    let drip = futures::stream::unfold(0u64, |n| async move {
        if n > 0 {
            tokio::time::sleep(TRICKLE_EVERY).await;
        }
        Some((Ok(Frame::data(Bytes::from_static(b"."))), n + 1))
    });
    let body = futures::stream::once(async move { Ok(Frame::data(head)) }).chain(drip);
    let mut res = Response::new(StreamBody::new(body).boxed_unsync());
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// How often [`Fault::Trickle`] sends its next byte.
pub const TRICKLE_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

fn redirect(location: &'static str) -> Response<Body> {
    let mut res = text(StatusCode::FOUND, "Found");
    res.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(location));
    res
}

fn redirect_permanent(location: &'static str) -> Response<Body> {
    let mut res = redirect(location);
    *res.status_mut() = StatusCode::MOVED_PERMANENTLY;
    res
}

fn method_not_allowed(allow: &'static str) -> Response<Body> {
    let mut res = text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    res.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    res
}
