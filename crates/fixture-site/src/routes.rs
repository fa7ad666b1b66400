//! Which answer each request gets under the active faults.

use std::collections::BTreeSet;
use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use crate::Fault;
use crate::pages::{self, Chrome};
use crate::request_log::LoggedRequest;
use crate::server::{ConnControl, SiteState};

type Body = Full<Bytes>;

/// Beacons are tiny; anything bigger is read no further.
const MAX_BODY: usize = 64 * 1024;

pub(crate) async fn handle(
    state: &SiteState,
    conn: &ConnControl,
    req: Request<Incoming>,
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
        at: SystemTime::now(),
    });
    // Drain small bodies so the connection stays usable for the next request.
    let _ = Limited::new(req.into_body(), MAX_BODY).collect().await;

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
    route(state, &faults, &method, &path)
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
            html(StatusCode::OK, pages::home(title, chrome))
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
        "/tasks" if on(Fault::LateText) => html(
            StatusCode::OK,
            pages::late_tasks(state.options.late_text_delay, chrome),
        ),
        "/tasks" => html(StatusCode::OK, pages::tasks(chrome)),
        "/up" if on(Fault::Up503) => text(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable"),
        "/up" => text(StatusCode::OK, "OK"),
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
        _ => html(StatusCode::NOT_FOUND, pages::NOT_FOUND.into()),
    }
}

fn respond(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Body> {
    let mut res = Response::new(Full::new(body));
    *res.status_mut() = status;
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Faults switch at run time; a cached page would hide the switch.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::SERVER,
        HeaderValue::from_static("prod-smoke-fixture-site"),
    );
    res
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

fn redirect(location: &'static str) -> Response<Body> {
    let mut res = text(StatusCode::FOUND, "Found");
    res.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(location));
    res
}

fn method_not_allowed(allow: &'static str) -> Response<Body> {
    let mut res = text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
    res.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    res
}
