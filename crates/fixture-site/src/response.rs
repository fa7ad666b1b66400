//! The one shape of the site's answers: a boxed body, and a response with
//! the headers every answer carries. Below both routes.rs and
//! guard_pages.rs, which answer with it.

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

/// Whole bodies, and the one that never ends (`Fault::Trickle`).
pub(crate) type Body = UnsyncBoxBody<Bytes, std::convert::Infallible>;

pub(crate) fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
) -> Response<Body> {
    let mut res = Response::new(Full::new(body).boxed_unsync());
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
