//! The secrets the seal knows about, gathered into one [`Redactor`].

use prod_smoke_model::{Redactor, url_credentials};

use crate::discord_webhook::webhook_token;
use crate::sinks::Secrecy;

/// A redactor for everything secret the seal may touch: the whole webhook
/// URLs and their tokens, the whole `DATABASE_URL` and its password (raw and
/// percent-decoded), `PGPASSWORD`, and any extra (`--secret`) values.
pub fn seal_redactor<'a>(
    database_url: Option<&str>,
    webhook_urls: impl IntoIterator<Item = &'a str>,
    pg_password: Option<&str>,
    extra: impl IntoIterator<Item = String>,
) -> Redactor {
    let mut redactor = Redactor::new();
    for url in webhook_urls {
        let url = url.trim();
        if url.is_empty() {
            continue;
        }
        if let Some(token) = webhook_token(url) {
            add_with_decoded(&mut redactor, &token);
        }
        redactor.add(url);
    }
    if let Some(url) = database_url.map(str::trim).filter(|u| !u.is_empty()) {
        redactor.add(url);
        if let Some(password) = url_password(url) {
            add_with_decoded(&mut redactor, &password);
        }
    }
    if let Some(password) = pg_password {
        redactor.add(password);
    }
    for secret in extra {
        redactor.add(secret);
    }
    redactor
}

/// Masks a sink's own setting as its [`Secrecy`] says: a secret whole, a
/// URL whole and each credential in it (see [`url_credentials`]).
pub(crate) fn add_sink_secret(redactor: &mut Redactor, secrecy: Secrecy, value: &str) {
    match secrecy {
        Secrecy::Plain => {}
        Secrecy::Secret => add_with_decoded(redactor, value.trim()),
        Secrecy::Url => {
            redactor.add(value.trim());
            for credential in url_credentials(value) {
                redactor.add(credential);
            }
        }
    }
}

fn add_with_decoded(redactor: &mut Redactor, value: &str) {
    redactor.add(value);
    if let Ok(decoded) = percent_decode(value)
        && decoded != value
    {
        redactor.add(decoded);
    }
}

/// The password in `scheme://user:password@host/...` as written (encoded).
fn url_password(url: &str) -> Option<String> {
    if let Ok(parsed) = url::Url::parse(url) {
        return parsed.password().map(str::to_string);
    }
    // Not a URL the parser accepts (odd characters): find it by hand.
    let rest = url.split_once("://")?.1;
    let userinfo = rest.rsplit_once('@')?.0;
    userinfo
        .split_once(':')
        .map(|(_, p)| p.to_string())
        .filter(|p| !p.is_empty())
}

fn percent_decode(value: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes: Vec<u8> =
        url::form_urlencoded::parse(format!("x={}", value.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())
            .unwrap_or_default();
    String::from_utf8(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_tokens_passwords_and_extras() {
        let r = seal_redactor(
            Some("postgres://app:s3cr%40t-pass@db.example:5432/hub"),
            ["https://discord.com/api/webhooks/123/TOKEN-abcdef"],
            None,
            vec!["extra-secret".to_string()],
        );
        let text = "postgres://app:s3cr%40t-pass@db.example:5432/hub s3cr@t-pass s3cr%40t-pass \
                    https://discord.com/api/webhooks/123/TOKEN-abcdef TOKEN-abcdef extra-secret";
        let out = r.redact(text);
        for secret in ["s3cr", "TOKEN-abcdef", "extra-secret", "webhooks/123"] {
            assert!(!out.contains(secret), "{secret} leaked: {out}");
        }
    }
}
