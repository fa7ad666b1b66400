//! How a failure shows what it saw: counts in words, page text quoted and
//! cut, so a huge page or body stays one sentence.

use super::pattern::normalise_ws;

/// How much of a seen value a failure shows.
const SHOWN_CHARS: usize = 120;

/// The first [`SHOWN_CHARS`] characters of `s`, and whether any were cut.
pub fn shorten(s: &str) -> (String, bool) {
    let shown: String = s.chars().take(SHOWN_CHARS).collect();
    let was_cut = shown.len() < s.len();
    (shown, was_cut)
}

/// Page text as a failure quotes it: whitespace-normalised, in quotes,
/// cut with a trailing `…`.
pub fn quote(s: &str) -> String {
    match shorten(&normalise_ws(s)) {
        (s, true) => format!("{s:?}…"),
        (s, false) => format!("{s:?}"),
    }
}

/// "1 element", "3 elements".
pub fn elements(n: usize) -> String {
    if n == 1 {
        "1 element".into()
    } else {
        format!("{n} elements")
    }
}
