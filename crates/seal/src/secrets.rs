//! Masking a setting as its [`Secrecy`] says, so every secret the seal may
//! touch is in one [`Redactor`] before any output exists.

use prod_smoke_redact::{Redactor, url_credentials};

use crate::settings::Secrecy;

/// Masks `value` as `secrecy` says: a secret whole, a URL whole and each
/// credential in it (see [`url_credentials`]), or whole and each part its
/// sink names.
pub(crate) fn mask_setting(redactor: &mut Redactor, secrecy: Secrecy, value: &str) {
    let value = value.trim();
    match secrecy {
        Secrecy::Plain => {}
        Secrecy::Secret => add_with_decoded(redactor, value),
        Secrecy::Url => {
            redactor.add(value);
            for credential in url_credentials(value) {
                redactor.add(credential);
            }
        }
        Secrecy::WithParts(parts) => {
            if value.is_empty() {
                return;
            }
            for part in parts(value) {
                add_with_decoded(redactor, &part);
            }
            redactor.add(value);
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
    fn each_secrecy_masks_what_it_says() {
        let mut r = Redactor::new();
        mask_setting(&mut r, Secrecy::Plain, "plain-value-shown");
        mask_setting(&mut r, Secrecy::Secret, " s3cr%40t-pass ");
        mask_setting(
            &mut r,
            Secrecy::Url,
            "https://hook-user:hook-pass@hooks.example/in?token=tok-abcdef",
        );
        mask_setting(
            &mut r,
            Secrecy::WithParts(|v| vec![v.rsplit('/').next().unwrap().to_string()]),
            "https://discord.com/api/webhooks/123/TOKEN-abcdef",
        );
        let out = r.redact(
            "plain-value-shown s3cr@t-pass s3cr%40t-pass hook-pass tok-abcdef TOKEN-abcdef \
             https://discord.com/api/webhooks/123/TOKEN-abcdef",
        );
        assert!(out.starts_with("plain-value-shown "), "{out}");
        for secret in [
            "s3cr",
            "hook-pass",
            "tok-abcdef",
            "TOKEN-abcdef",
            "webhooks/123",
        ] {
            assert!(!out.contains(secret), "{secret} leaked: {out}");
        }
    }
}
