//! A Discord webhook: execute (`?wait=true`, optionally into a thread), and
//! GET / PATCH of one of its messages.
//!
//! Endpoint paths come from serenity's [`Route`] and are re-based onto
//! `PROD_SMOKE_DISCORD_API_BASE` the same way serenity's `HttpBuilder::proxy`
//! does. The requests themselves go out through our own `reqwest` client
//! rather than serenity's `Http`, because:
//! - serenity's ratelimiter ignores `HttpBuilder::proxy` (it would talk to the
//!   real discord.com), so it has to be disabled, and then
//! - `Http::request` turns every non-2xx answer into an `ErrorResponse` that
//!   drops the headers, so a 429's `retry-after` is lost; and
//! - serenity numbers multipart files from `CreateAttachment`'s crate-private
//!   id, so more than one screenshot cannot be sent through its primitives.
//!
//! Bounded retries (429 and 5xx) live in [`crate::retry`].

use std::time::Duration;

use prod_smoke_redact::Redactor;
use reqwest::multipart::{Form, Part};
use serde::Deserialize;
use serenity::http::Route;
use serenity::model::id::{MessageId, WebhookId};

use crate::errors::{Cause, DeliveryError, SinkFailure};

/// Discord's limits for one webhook message (on a server without boosts),
/// in one place: the seal message, the release-notes edit and their errors
/// all read them from here.
pub(crate) mod limits {
    pub const MAX_FILES: usize = 10;
    pub const MAX_UPLOAD_BYTES: u64 = 8 * 1024 * 1024;
    /// A message's content, in characters.
    pub const MAX_CONTENT: usize = 2000;
    pub const MAX_DESCRIPTION: usize = 4096;
    pub const MAX_FIELD: usize = 1024;
    pub const MAX_TITLE: usize = 256;
}

/// How errors name this service.
const SERVICE: &str = "Discord";

/// What only a Discord webhook can get wrong; none of it is helped by a
/// retry.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DiscordError {
    #[error(
        "the Discord webhook URL does not look like .../api/webhooks/<id>/<token> \
         (check DISCORD_RELEASE_NOTES_WEBHOOK_URL or DISCORD_DEPLOY_WEBHOOK_URL)"
    )]
    WebhookUrl,

    #[error("DISCORD_RELEASE_NOTES_THREAD_ID must be a numeric Discord id")]
    ThreadId,

    #[error("`{id}` is not a Discord message id")]
    MessageId { id: String },
}

impl SinkFailure for DiscordError {
    fn is_transient(&self) -> bool {
        false
    }
}

/// Where serenity's routes point; replaced by the configured API base.
const DISCORD_ORIGIN: &str = "https://discord.com";

/// A file to upload with a message.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// What we keep from Discord's message object.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PostedMessage {
    pub id: String,
    #[serde(default)]
    pub content: String,
}

/// A parsed webhook URL plus where and how to reach it.
pub(crate) struct Webhook<'a> {
    id: WebhookId,
    token: String,
    thread_id: Option<u64>,
    api_base: String,
    client: reqwest::Client,
    redactor: &'a Redactor,
}

impl<'a> Webhook<'a> {
    /// `https://discord.com/api[/v10]/webhooks/<id>/<token>`; any host is
    /// accepted, requests go to `api_base`.
    pub fn new(
        url: &str,
        thread_id: Option<&str>,
        api_base: &str,
        timeout: Duration,
        redactor: &'a Redactor,
    ) -> Result<Self, DeliveryError> {
        let (id, token) = parse_webhook_url(url).ok_or(DiscordError::WebhookUrl)?;
        let thread_id = match thread_id.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => Some(t.parse::<u64>().map_err(|_| DiscordError::ThreadId)?),
            None => None,
        };
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("prod-smoke/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DeliveryError::Unreachable {
                service: SERVICE,
                cause: Cause::new(redactor, &e.without_url()),
            })?;
        Ok(Webhook {
            id,
            token,
            thread_id,
            api_base: api_base.trim_end_matches('/').to_string(),
            client,
            redactor,
        })
    }

    /// Posts a message and returns it (`wait=true`, so Discord sends it back
    /// with its id).
    pub async fn execute(
        &self,
        payload: &serde_json::Value,
        files: &[Upload],
    ) -> Result<PostedMessage, DeliveryError> {
        let route = Route::WebhookWithToken {
            webhook_id: self.id,
            token: &self.token,
        };
        let mut url = self.url(route)?;
        url.query_pairs_mut().append_pair("wait", "true");
        self.add_thread(&mut url);
        let request = self.client.post(url);
        self.send(with_body(request, payload, files)?).await
    }

    /// Replaces a message's content, embeds and attachments.
    pub async fn edit(
        &self,
        message_id: &str,
        payload: &serde_json::Value,
        files: &[Upload],
    ) -> Result<PostedMessage, DeliveryError> {
        let mut url = self.message_url(message_id)?;
        self.add_thread(&mut url);
        let request = self.client.patch(url);
        self.send(with_body(request, payload, files)?).await
    }

    pub async fn get(&self, message_id: &str) -> Result<PostedMessage, DeliveryError> {
        let mut url = self.message_url(message_id)?;
        self.add_thread(&mut url);
        self.send(self.client.get(url)).await
    }

    fn message_url(&self, message_id: &str) -> Result<url::Url, DeliveryError> {
        let message_id = message_id
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|id| *id != 0)
            .map(MessageId::new)
            .ok_or_else(|| DiscordError::MessageId {
                id: self.redactor.redact(message_id),
            })?;
        self.url(Route::WebhookMessage {
            webhook_id: self.id,
            token: &self.token,
            message_id,
        })
    }

    fn url(&self, route: Route<'_>) -> Result<url::Url, DeliveryError> {
        let path = route.path().replacen(DISCORD_ORIGIN, &self.api_base, 1);
        url::Url::parse(&path).map_err(|e| DeliveryError::Unreachable {
            service: SERVICE,
            cause: Cause::new(self.redactor, &e),
        })
    }

    fn add_thread(&self, url: &mut url::Url) {
        if let Some(thread_id) = self.thread_id {
            url.query_pairs_mut()
                .append_pair("thread_id", &thread_id.to_string());
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<PostedMessage, DeliveryError> {
        let response = request
            .send()
            .await
            .map_err(|e| DeliveryError::Unreachable {
                service: SERVICE,
                cause: Cause::new(self.redactor, &e.without_url()),
            })?;
        let status = response.status();
        let retry_after = crate::retry::header_retry_after(response.headers());
        let body = response
            .bytes()
            .await
            .map_err(|e| DeliveryError::Response {
                service: SERVICE,
                cause: Cause::new(self.redactor, &e.without_url()),
            })?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| DeliveryError::Response {
                service: SERVICE,
                cause: Cause::new(self.redactor, &e),
            });
        }
        let error: DiscordErrorBody = serde_json::from_slice(&body).unwrap_or_default();
        let retry_after = retry_after.or(error.retry_after.and_then(crate::retry::seconds));
        Err(DeliveryError::status(
            SERVICE,
            status,
            error.message,
            &body,
            retry_after,
            self.redactor,
        ))
    }
}

#[derive(Debug, Default, Deserialize)]
struct DiscordErrorBody {
    message: Option<String>,
    retry_after: Option<f64>,
}

fn with_body(
    request: reqwest::RequestBuilder,
    payload: &serde_json::Value,
    files: &[Upload],
) -> Result<reqwest::RequestBuilder, DeliveryError> {
    if files.is_empty() {
        return Ok(request.json(payload));
    }
    // Discord's multipart shape: `payload_json` plus `files[n]`, where n is
    // the `id` given to the file in `payload_json.attachments`.
    let mut form = Form::new().text("payload_json", payload.to_string());
    for (n, file) in files.iter().enumerate() {
        let part = Part::bytes(file.bytes.clone())
            .file_name(file.filename.clone())
            .mime_str(mime_for(&file.filename))
            .expect("static mime types parse");
        form = form.part(format!("files[{n}]"), part);
    }
    Ok(request.multipart(form))
}

fn mime_for(filename: &str) -> &'static str {
    let lower = filename.to_ascii_lowercase();
    if lower.ends_with(".png") {
        "image/png"
    } else if lower.ends_with(".jpg") || lower.ends_with(".jpeg") {
        "image/jpeg"
    } else if lower.ends_with(".webp") {
        "image/webp"
    } else {
        "application/octet-stream"
    }
}

/// The webhook id and token from a webhook URL. Lenient about host and API
/// version (serenity's own parser only accepts discord.com without a version).
pub(crate) fn parse_webhook_url(url: &str) -> Option<(WebhookId, String)> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let segments: Vec<&str> = parsed.path_segments()?.filter(|s| !s.is_empty()).collect();
    let at = segments.iter().position(|s| *s == "webhooks")?;
    let id = segments
        .get(at + 1)?
        .parse::<u64>()
        .ok()
        .filter(|id| *id != 0)?;
    let token = segments.get(at + 2)?;
    if token.is_empty() {
        return None;
    }
    Some((WebhookId::new(id), token.to_string()))
}

/// The token part of a webhook URL, for the redactor.
pub(crate) fn webhook_token(url: &str) -> Option<String> {
    parse_webhook_url(url).map(|(_, token)| token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_webhook_urls() {
        let (id, token) =
            parse_webhook_url("https://discord.com/api/webhooks/123456789012345678/abc-DEF_ghi")
                .unwrap();
        assert_eq!(id.get(), 123456789012345678);
        assert_eq!(token, "abc-DEF_ghi");
        assert!(
            parse_webhook_url("https://discord.com/api/v10/webhooks/1/tok?wait=true").is_some()
        );
        assert!(parse_webhook_url("https://discord.com/api/channels/1").is_none());
        assert!(parse_webhook_url("not a url").is_none());
    }

    #[test]
    fn routes_are_rebased_like_serenitys_proxy() {
        let redactor = Redactor::new();
        let hook = Webhook::new(
            "https://discord.com/api/webhooks/42/tok",
            Some("77"),
            "http://127.0.0.1:9/",
            Duration::from_secs(1),
            &redactor,
        )
        .unwrap();
        let mut url = hook.message_url("5").unwrap();
        hook.add_thread(&mut url);
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/api/v10/webhooks/42/tok/messages/5?thread_id=77"
        );
    }
}
