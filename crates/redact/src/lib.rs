//! Masks secrets in every output. Whatever prod-smoke writes (stderr,
//! reports, the ledger, Discord, the webhook, GitHub statuses, watch.log)
//! passes through a [`Redactor`] first, so a secret the operator handed
//! over never leaves in plain text.
//!
//! The policy:
//! - A secret is any value the run was given as one: webhook tokens,
//!   database passwords, `--secret` values, and the credentials inside a
//!   browser URL. Every occurrence in the text becomes `***`, longest
//!   secret first, so one that contains another is masked whole.
//! - A value shorter than [`SHORTEST_SECRET`] (4) characters is not masked
//!   on its own: starring every `7` or `ab` would mangle ordinary words
//!   and counts ("7 passed").
//! - URL credentials become secrets ([`url_credentials`]): the `user:pass`
//!   pair and its password, and the values of token-like query keys
//!   (`token`, `apiKey`, `sig`, …), both as written and percent-decoded.
//!   A short one is kept together with its key or `@`, so it is masked
//!   only where it sits in the URL.
//! - A URL named in an error goes through [`mask_url`], which also hides
//!   whatever sits where a password would when the text does not parse.

use serde::Serialize;

/// The shortest value a [`Redactor`] masks on its own.
pub const SHORTEST_SECRET: usize = 4;

/// Masks secret values (webhook tokens, database passwords, `--secret`
/// values) as `***` in any text prod-smoke writes.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret. Values shorter than [`SHORTEST_SECRET`] characters are
    /// ignored, because masking them would mangle ordinary words.
    pub fn add(&mut self, secret: impl Into<String>) {
        let secret = secret.into();
        if secret.len() >= SHORTEST_SECRET && !self.secrets.contains(&secret) {
            self.secrets.push(secret);
            // Longest first, so a secret that contains another is masked whole.
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        out
    }

    /// Redacts every string inside a serialisable value. Meant for the
    /// run's own data types (reports, checks), whose serialisation cannot
    /// fail: plain structs with string keys, no maps keyed by non-strings.
    pub fn redact_value<T>(&self, value: &T) -> T
    where
        T: Serialize + serde::de::DeserializeOwned + Clone,
    {
        if self.secrets.is_empty() {
            return value.clone();
        }
        let mut json = serde_json::to_value(value).expect("a plain data type serialises to JSON");
        self.redact_json(&mut json);
        serde_json::from_value(json).expect("redaction keeps the shape")
    }

    fn redact_json(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => *s = self.redact(s),
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| self.redact_json(x)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|x| self.redact_json(x)),
            _ => {}
        }
    }
}

/// Query keys whose values are credentials in a browser-pool URL
/// (browserless `token`, `apiKey`, signed `sig`, …), compared lowercase.
const SECRET_QUERY_KEYS: &[&str] = &[
    "token",
    "key",
    "secret",
    "auth",
    "pass",
    "sig",
    "credential",
    "session",
];

/// The credentials inside a browser URL (`--cdp-url`): `user:pass@` and
/// token- or key-like query values, both as written and percent-decoded,
/// so a [`Redactor`] can mask them wherever the URL is echoed.
///
/// A value shorter than [`Redactor`]'s 4 characters is still a secret, but
/// masked bare it would mangle unrelated text (a token `7` would star every
/// 7 in a report). It is returned with its key instead, `token=ab`, so the
/// URL shows as `…/chromium?***`: only where it sits in a URL is it masked.
pub fn url_credentials(raw: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(url) = url::Url::parse(raw.trim()) else {
        return found;
    };
    if let Some(password) = url.password() {
        let pair = format!("{}:{password}", url.username());
        if pair.len() < SHORTEST_SECRET {
            found.push(format!("{pair}@"));
        }
        found.push(pair);
        found.push(password.to_string());
        if let Ok(decoded) = percent_decode(password) {
            found.push(decoded);
        }
    }
    // The raw query, so the values are masked exactly as they are printed.
    if let Some(query) = url.query() {
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = key.to_ascii_lowercase();
            if value.is_empty() || !SECRET_QUERY_KEYS.iter().any(|k| key.contains(k)) {
                continue;
            }
            if value.len() < SHORTEST_SECRET {
                found.push(pair.to_string());
            }
            found.push(value.to_string());
            if let Ok(decoded) = percent_decode(value) {
                found.push(decoded);
            }
        }
    }
    found.dedup();
    found
}

/// `raw` with its credentials masked, for an error message that must name
/// a URL it refuses: `https://user:pw@host` shows as `https://***@host`.
/// Text that does not parse as a URL still loses anything between `://`
/// and an `@` before the path, which is where a password would sit.
pub fn mask_url(raw: &str) -> String {
    let mut redactor = Redactor::new();
    url_credentials(raw)
        .into_iter()
        .for_each(|s| redactor.add(s));
    let masked = redactor.redact(raw);
    let Some(start) = masked.find("://").map(|i| i + 3) else {
        return masked;
    };
    let authority_end = masked[start..]
        .find(['/', '?', '#'])
        .map_or(masked.len(), |i| start + i);
    match masked[start..authority_end].rfind('@') {
        Some(at) if &masked[start..start + at] != "***" => {
            format!("{}***{}", &masked[..start], &masked[start + at..])
        }
        _ => masked,
    }
}

fn percent_decode(s: &str) -> Result<String, ()> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).map_err(|_| ())?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_tokens_and_passwords_in_browser_urls() {
        let found = url_credentials("ws://pool:3000/chromium?token=s3cr%2Ft-tok&launch=x");
        assert!(found.contains(&"s3cr%2Ft-tok".to_string()), "{found:?}");
        assert!(found.contains(&"s3cr/t-tok".to_string()), "{found:?}");
        assert!(!found.iter().any(|f| f == "x"), "{found:?}");
        let found = url_credentials("http://alice:pa55word@pool:9222/?apiKey=k-123456");
        assert!(found.contains(&"alice:pa55word".to_string()), "{found:?}");
        assert!(found.contains(&"pa55word".to_string()), "{found:?}");
        assert!(found.contains(&"k-123456".to_string()), "{found:?}");
        assert!(url_credentials("ws://127.0.0.1:9222/devtools/browser/abc").is_empty());
        assert!(url_credentials("not a url").is_empty());
        let mut r = Redactor::new();
        url_credentials("ws://h/chromium?token=abcdef")
            .into_iter()
            .for_each(|s| r.add(s));
        assert_eq!(
            r.redact("ws://h/chromium?token=abcdef"),
            "ws://h/chromium?token=***"
        );
    }

    #[test]
    fn a_url_in_an_error_keeps_no_credentials() {
        assert_eq!(
            mask_url("https://user:s3cretpw@example.com"),
            "https://***@example.com"
        );
        assert_eq!(
            mask_url("https://u:p@ex ample.com/x"),
            "https://***@ex ample.com/x"
        );
        assert_eq!(
            mask_url("https://h.example/?token=abcdef123&a=1"),
            "https://h.example/?token=***&a=1"
        );
        assert_eq!(mask_url("https://h.example/a@b"), "https://h.example/a@b");
        assert_eq!(mask_url("not a url"), "not a url");
    }

    #[test]
    fn a_short_credential_is_masked_where_it_sits_in_the_url_only() {
        let mut r = Redactor::new();
        url_credentials("ws://u:p@h:3000/chromium?token=7&launch=x")
            .into_iter()
            .for_each(|s| r.add(s));
        assert_eq!(
            r.redact("ws://u:p@h:3000/chromium?token=7&launch=x, 7 passed"),
            "ws://***h:3000/chromium?***&launch=x, 7 passed"
        );
    }

    #[test]
    fn masks_longest_secret_first() {
        let mut r = Redactor::new();
        r.add("abcd");
        r.add("abcdefgh");
        assert_eq!(r.redact("x abcdefgh y abcd"), "x *** y ***");
        r.add("ab");
        assert_eq!(r.redact("ab"), "ab");
    }
}
