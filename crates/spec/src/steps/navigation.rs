use prod_smoke_input::{EXCERPT_CHARS, excerpt};
use serde::de;

use super::Fields;

/// Open a page in the browser. Like Playwright's `expect(response.ok())`,
/// the document must answer 2xx; with `status`, that status instead, so an
/// error page (`/does-not-exist`, 404) can be opened and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub path: String,
    /// The status the document must answer; `None` means any 2xx.
    pub status: Option<u16>,
}

/// `visit: /path`, optionally `status: N`.
pub(super) fn visit<E: de::Error>(f: &mut Fields) -> Result<Visit, E> {
    Ok(Visit {
        path: checked_path(f.require_str("visit")?)?,
        status: f.take_u16("status")?,
    })
}

impl Visit {
    pub fn describe(&self) -> String {
        match self.status {
            None => format!("visit {}", self.path),
            Some(s) => format!("visit {} ({s})", self.path),
        }
    }
}

/// Paths are relative to the app's URL, so a spec can never be pointed at
/// another host.
pub(super) fn checked_path<E: de::Error>(path: String) -> Result<String, E> {
    let shown = || excerpt(&path, EXCERPT_CHARS);
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(E::custom(format!(
            "`{}` must be a path on the app that starts with `/`, such as `/up`",
            shown()
        )));
    }
    if path.chars().any(|c| c.is_control() || c == ' ') {
        return Err(E::custom(format!(
            "`{}` contains spaces or control characters",
            shown()
        )));
    }
    Ok(path)
}
