use std::time::Duration;

use serde::de;

use super::Fields;

/// The only methods a spec can send. There is no way to spell a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Head,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Head => "HEAD",
        }
    }
}

/// A plain-HTTP request outside the browser (Playwright's `request.get`),
/// answered with an exact status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpCheck {
    pub method: HttpMethod,
    /// A path on the app, such as `/up`.
    pub path: String,
    pub status: u16,
    pub timeout: Option<Duration>,
}

/// `get: /path` or `head: /path`, with `status` and `timeout`.
pub(super) fn check<E: de::Error>(method: HttpMethod, f: &mut Fields) -> Result<HttpCheck, E> {
    let key = if method == HttpMethod::Get {
        "get"
    } else {
        "head"
    };
    let path = super::navigation::checked_path::<E>(f.require_str(key)?)?;
    Ok(HttpCheck {
        method,
        path,
        status: f.take_u16("status")?.unwrap_or(200),
        timeout: f.take_timeout()?,
    })
}

impl HttpCheck {
    pub fn describe(&self) -> String {
        format!(
            "{} {} returns {}",
            self.method.as_str(),
            self.path,
            self.status
        )
    }
}
