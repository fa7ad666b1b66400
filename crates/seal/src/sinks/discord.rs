//! The seal in Discord: the verdict line as the message content, an embed
//! listing every check, and on red the failure screenshots, the rollback
//! block and the operator mention. A re-run for the same release edits the
//! earlier message instead of posting a second one.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use prod_smoke_model::text::{duration, truncate};
use prod_smoke_model::{CheckResult, CheckStatus, RunReport, Verdict};
use serde_json::{Value, json};
use serenity::builder::{
    CreateAllowedMentions, CreateEmbed, CreateEmbedFooter, EditWebhookMessage, ExecuteWebhook,
};
use serenity::model::Timestamp;
use serenity::model::id::{RoleId, UserId};

use crate::config::SealConfig;
use crate::discord_webhook::limits::{
    MAX_CONTENT, MAX_DESCRIPTION, MAX_FIELD, MAX_FILES, MAX_TITLE, MAX_UPLOAD_BYTES,
};
use crate::discord_webhook::{PostedMessage, Upload, Webhook, webhook_token};
use crate::errors::{DeliveryError, SealError};
use crate::ledger::RunRecord;
use crate::rollback::rollback_for;
use crate::settings::{EnvVar, Need, Secrecy, Settings};
use crate::sinks::adapter::{Attempt, Done, Initial, Job, SinkAdapter};

pub const GREEN: u32 = 0x2ECC71;
pub const RED: u32 = 0xE74C3C;
/// Inconclusive: grey, it is not a verdict on the site.
pub const GREY: u32 = 0x95A5A6;

/// `DISCORD_OPERATOR_MENTION`: a user (`<@123>`, `<@!123>`) or a role
/// (`<@&456>`). Anything else (`@everyone`, a name) is refused, so the only
/// ping a seal can make is the one configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorMention {
    User(u64),
    Role(u64),
}

impl OperatorMention {
    pub fn parse(text: &str) -> Option<Self> {
        let inner = text.trim().strip_prefix("<@")?.strip_suffix('>')?;
        let (role, id) = match inner.strip_prefix('&') {
            Some(id) => (true, id),
            None => (false, inner.strip_prefix('!').unwrap_or(inner)),
        };
        let id = id.parse::<u64>().ok().filter(|id| *id != 0)?;
        Some(if role {
            OperatorMention::Role(id)
        } else {
            OperatorMention::User(id)
        })
    }

    pub fn tag(self) -> String {
        match self {
            OperatorMention::User(id) => format!("<@{id}>"),
            OperatorMention::Role(id) => format!("<@&{id}>"),
        }
    }
}

/// Mentions allowed in a seal message: none parsed from the text (so a page
/// title `@everyone` pings nobody), and only the configured operator.
pub(crate) fn allowed_mentions(mention: Option<OperatorMention>) -> CreateAllowedMentions {
    match mention {
        None => CreateAllowedMentions::new(),
        Some(OperatorMention::User(id)) => CreateAllowedMentions::new().users([UserId::new(id)]),
        Some(OperatorMention::Role(id)) => CreateAllowedMentions::new().roles([RoleId::new(id)]),
    }
}

/// Everything one seal message carries.
#[derive(Debug, Clone)]
pub(crate) struct SealMessage {
    pub content: String,
    pub embed: CreateEmbed,
    pub allowed: CreateAllowedMentions,
    pub files: Vec<Upload>,
}

impl SealMessage {
    fn attachments(&self) -> Value {
        Value::Array(
            self.files
                .iter()
                .enumerate()
                .map(|(id, f)| json!({ "id": id, "filename": f.filename }))
                .collect(),
        )
    }

    fn execute_payload(&self) -> Value {
        let builder = ExecuteWebhook::new()
            .content(self.content.clone())
            .embed(self.embed.clone())
            .allowed_mentions(self.allowed.clone());
        let mut payload = serde_json::to_value(builder).expect("builders serialise");
        payload["attachments"] = self.attachments();
        payload
    }

    /// The edit replaces content, embed and attachments (old screenshots go).
    fn edit_payload(&self) -> Value {
        let builder = EditWebhookMessage::new()
            .content(self.content.clone())
            .embeds(vec![self.embed.clone()])
            .allowed_mentions(self.allowed.clone());
        let mut payload = serde_json::to_value(builder).expect("builders serialise");
        payload["attachments"] = self.attachments();
        payload
    }
}

/// Inputs for a seal message beyond the run itself.
#[derive(Debug, Clone, Default)]
pub(crate) struct MessageContext<'a> {
    pub rollback: Option<&'a str>,
    pub mention: Option<OperatorMention>,
    pub run_link: Option<&'a str>,
    pub release_slug: Option<&'a str>,
}

/// Async only to read the failed checks' screenshots off the runtime's threads.
pub(crate) async fn build_message(run: &RunRecord, ctx: &MessageContext<'_>) -> SealMessage {
    let report = &run.report;
    let red = report.verdict == Verdict::Red;
    let mention = ctx.mention.filter(|_| red);

    let mut content = run.verdict_line.clone();
    if let Some(m) = mention {
        content.push('\n');
        content.push_str(&m.tag());
    }
    let content = truncate(&content, MAX_CONTENT);

    let (colour, word) = match report.verdict {
        Verdict::Green => (GREEN, "passed"),
        Verdict::Red => (RED, "FAILED"),
        Verdict::Inconclusive => (GREY, "inconclusive"),
    };
    let title = truncate(
        &format!("Production smoke seal: {word} — {}", report.host()),
        MAX_TITLE,
    );

    let (files, screenshot_note) = if red {
        collect_screenshots(report).await
    } else {
        (Vec::new(), None)
    };

    let rollback = ctx
        .rollback
        .filter(|_| red)
        .map(|block| format!("\n```\n{block}\n```"));
    let description = describe_checks(report, rollback.as_deref().unwrap_or_default());

    let mut embed = CreateEmbed::new()
        .title(title)
        .colour(colour)
        .description(description)
        .field("URL", truncate(&report.url, MAX_FIELD), false);
    if let Some(link) = ctx.run_link.filter(|l| is_http_url(l)) {
        embed = embed.url(link);
    } else if is_http_url(&report.url) {
        embed = embed.url(report.url.clone());
    }
    if let Some(slug) = ctx.release_slug {
        embed = embed.field("Release", truncate(slug, MAX_FIELD), true);
    }
    embed = embed
        .field("Duration", duration(report.duration_ms()), true)
        .field("Checks", counts(report), true)
        .field("Scenarios", report.scenario_counts().line(), true);
    if let Some(link) = ctx.run_link {
        embed = embed.field("Run", truncate(link, MAX_FIELD), false);
    }
    if let Some(note) = screenshot_note {
        embed = embed.field("Screenshots", truncate(&note, MAX_FIELD), false);
    }
    if report.verdict == Verdict::Inconclusive
        && let Some(why) = &report.environment_error
    {
        embed = embed.field("Why", truncate(&plain(why), MAX_FIELD), false);
    }
    embed = embed.footer(CreateEmbedFooter::new(format!(
        "prod-smoke run {}",
        report.run_id
    )));
    if let Ok(at) = Timestamp::from_unix_timestamp(report.finished_at.timestamp()) {
        embed = embed.timestamp(at);
    }

    SealMessage {
        content,
        embed,
        allowed: allowed_mentions(mention),
        files,
    }
}

/// One line per check (grouped by scenario), then the rollback block; the
/// check list is cut first when Discord's 4096 characters run out.
fn describe_checks(report: &RunReport, tail: &str) -> String {
    let budget = MAX_DESCRIPTION.saturating_sub(tail.chars().count() + 60);
    let mut out = String::new();
    let mut scenario: Option<&str> = None;
    let mut left_out = 0;
    for (i, check) in report.checks.iter().enumerate() {
        let mut block = String::new();
        if scenario != Some(check.scenario.as_str()) && !check.scenario.is_empty() {
            block.push_str(&format!("**{}**\n", plain(&check.scenario)));
        }
        block.push_str(&check_line(check));
        block.push('\n');
        block.push_str(&cause_lines(report, check));
        if out.chars().count() + block.chars().count() > budget {
            left_out = report.checks.len() - i;
            break;
        }
        scenario = Some(check.scenario.as_str());
        out.push_str(&block);
    }
    if left_out > 0 {
        out.push_str(&format!("… and {left_out} more (see the artifacts)\n"));
    }
    if report.checks.is_empty() {
        out.push_str("No checks ran.\n");
    }
    out.push_str(tail);
    truncate(out.trim_end(), MAX_DESCRIPTION)
}

/// Under a failed check: what the page said in its scenario, short, one
/// `↳` line per item (page text escaped), after the verdict line and the
/// check, never in them.
fn cause_lines(report: &RunReport, check: &CheckResult) -> String {
    report
        .cause_of(check)
        .short_lines(CAUSE_ITEMS)
        .iter()
        .map(|line| format!("  ↳ {}\n", plain(line)))
        .collect()
}

/// Items of a failure's cause in the message; the rest are counted.
const CAUSE_ITEMS: usize = 3;

fn check_line(check: &CheckResult) -> String {
    let name = plain(&check.name);
    let took = duration(check.duration_ms);
    match check.status {
        CheckStatus::Passed => format!("✓ {name} · {took}"),
        CheckStatus::Flaky => format!(
            "✓ {name} · {took} (flaky: passed on attempt {})",
            check.attempts
        ),
        CheckStatus::Skipped => format!("– {name} (skipped)"),
        CheckStatus::Failed => match &check.error {
            Some(error) => format!("✗ {name} · {took}\n  {}", truncate(&plain(error), 300)),
            None => format!("✗ {name} · {took}"),
        },
    }
}

/// Page-derived text on one line that renders as itself: no code block,
/// no bold, no link (see markdown_safe.rs).
fn plain(text: &str) -> String {
    crate::markdown_safe::escape_markdown(text)
}

fn counts(report: &RunReport) -> String {
    let mut text = format!(
        "{} passed, {} failed",
        report.passed_count(),
        report.failed_count()
    );
    if report.flaky_count() > 0 {
        text.push_str(&format!(", {} flaky", report.flaky_count()));
    }
    if report.retried {
        text.push_str(&format!(" (retried after {}s)", report.retry_delay_secs));
    }
    text
}

fn is_http_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// The failed checks' screenshots, within Discord's limits, and a note
/// naming any that were left out (and why).
async fn collect_screenshots(report: &RunReport) -> (Vec<Upload>, Option<String>) {
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut over_limit = Vec::new();
    let mut missing = Vec::new();
    let mut names = HashSet::new();
    for check in report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
    {
        let Some(shot) = &check.screenshot else {
            continue;
        };
        let path = resolve(report.artifacts_dir.as_deref(), shot);
        let shown = shot.display().to_string();
        let Ok(size) = tokio::fs::metadata(&path).await.map(|m| m.len()) else {
            missing.push(shown);
            continue;
        };
        if files.len() >= MAX_FILES || total + size > MAX_UPLOAD_BYTES {
            over_limit.push(shown);
            continue;
        }
        let Ok(bytes) = tokio::fs::read(&path).await else {
            missing.push(shown);
            continue;
        };
        total += size;
        files.push(Upload {
            filename: unique_name(&mut names, shot),
            bytes,
        });
    }
    let mut notes = Vec::new();
    if !files.is_empty() {
        notes.push(format!("{} attached", files.len()));
    }
    if !over_limit.is_empty() {
        notes.push(format!(
            "{} not attached (Discord takes {MAX_FILES} files / {} MiB per message; see the \
             artifacts): {}",
            over_limit.len(),
            MAX_UPLOAD_BYTES / (1024 * 1024),
            over_limit.join(", ")
        ));
    }
    if !missing.is_empty() {
        notes.push(format!(
            "missing from the artifacts: {}",
            missing.join(", ")
        ));
    }
    let note = (!over_limit.is_empty() || !missing.is_empty()).then(|| notes.join("; "));
    (files, note)
}

fn resolve(artifacts: Option<&Path>, shot: &Path) -> PathBuf {
    match artifacts {
        Some(dir) if shot.is_relative() => dir.join(shot),
        _ => shot.to_path_buf(),
    }
}

fn unique_name(taken: &mut HashSet<String>, shot: &Path) -> String {
    let base: String = shot
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "screenshot.png".to_string())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{n}-{base}");
        n += 1;
    }
    name
}

/// The Discord sink: the seal message through the webhook.
pub(crate) struct Discord;

const RELEASE_NOTES_WEBHOOK: &str = "DISCORD_RELEASE_NOTES_WEBHOOK_URL";
const DEPLOY_WEBHOOK: &str = "DISCORD_DEPLOY_WEBHOOK_URL";
const RELEASE_NOTES_THREAD: &str = "DISCORD_RELEASE_NOTES_THREAD_ID";
const OPERATOR_MENTION: &str = "DISCORD_OPERATOR_MENTION";
const API_BASE: &str = "PROD_SMOKE_DISCORD_API_BASE";
/// Discord's API origin; `PROD_SMOKE_DISCORD_API_BASE` replaces it.
pub const DEFAULT_API_BASE: &str = "https://discord.com";

/// The settings of the Discord webhook, which the release notes use too.
#[derive(Debug, Clone)]
pub(crate) struct DiscordConfig {
    /// `DISCORD_RELEASE_NOTES_WEBHOOK_URL`, else `DISCORD_DEPLOY_WEBHOOK_URL`;
    /// `None` skips Discord and the release notes.
    pub webhook_url: Option<String>,
    /// `DISCORD_RELEASE_NOTES_THREAD_ID`: post into this thread.
    pub thread_id: Option<String>,
    /// `DISCORD_OPERATOR_MENTION` (`<@123>` or `<@&456>`): pinged on red.
    pub operator_mention: Option<String>,
    /// `PROD_SMOKE_DISCORD_API_BASE`, default [`DEFAULT_API_BASE`].
    pub api_base: String,
}

impl DiscordConfig {
    pub fn read(settings: &Settings) -> Self {
        DiscordConfig {
            webhook_url: settings
                .raw(RELEASE_NOTES_WEBHOOK)
                .or_else(|| settings.raw(DEPLOY_WEBHOOK))
                .map(str::to_string),
            thread_id: settings.trimmed(RELEASE_NOTES_THREAD).map(str::to_string),
            operator_mention: settings.trimmed(OPERATOR_MENTION).map(str::to_string),
            api_base: settings
                .trimmed(API_BASE)
                .map(|b| b.trim_end_matches('/').to_string())
                .unwrap_or_else(|| DEFAULT_API_BASE.to_string()),
        }
    }

    /// The configured webhook (in the configured thread), reached through
    /// the configured API base. The seal message and the release-notes edit
    /// both go through here, so they can never disagree on where or how
    /// long to wait.
    pub fn webhook<'a>(&self, cfg: &'a SealConfig) -> Result<Webhook<'a>, DeliveryError> {
        Webhook::new(
            self.webhook_url.as_deref().unwrap_or_default(),
            self.thread_id.as_deref(),
            &self.api_base,
            cfg.request_timeout,
            &cfg.redactor,
        )
    }

    /// Why a pending Discord or release-notes delivery waits.
    pub fn not_configured(&self) -> Option<&'static str> {
        self.webhook_url
            .is_none()
            .then_some("no Discord webhook URL is set")
    }
}

/// Why Discord and the release notes are skipped on a run.
pub(crate) const WEBHOOK_NOT_SET: &str =
    "not configured (DISCORD_RELEASE_NOTES_WEBHOOK_URL / DISCORD_DEPLOY_WEBHOOK_URL not set)";

/// The token part of a webhook URL, for the redactor.
fn token_of(url: &str) -> Vec<String> {
    webhook_token(url).into_iter().collect()
}

impl SinkAdapter for Discord {
    const NAME: &'static str = "discord";
    const HISTORY_COLUMN: Option<&'static str> = Some("DISCORD");
    const LABEL: &'static str = "Discord";
    const HELP: &'static str = "DISCORD_RELEASE_NOTES_WEBHOOK_URL, else DISCORD_DEPLOY_WEBHOOK_URL;
DISCORD_RELEASE_NOTES_THREAD_ID posts into a thread,
DISCORD_OPERATOR_MENTION is pinged on red";
    // Both webhook variables are secrets even when only one is used.
    const ENV: &'static [EnvVar] = &[
        EnvVar {
            name: RELEASE_NOTES_WEBHOOK,
            need: Need::Required,
            secrecy: Secrecy::WithParts(token_of),
            help: "the webhook for seals and release notes",
        },
        EnvVar {
            name: DEPLOY_WEBHOOK,
            need: Need::FallbackFor(RELEASE_NOTES_WEBHOOK),
            secrecy: Secrecy::WithParts(token_of),
            help: "the webhook when DISCORD_RELEASE_NOTES_WEBHOOK_URL is unset or blank",
        },
        EnvVar {
            name: RELEASE_NOTES_THREAD,
            need: Need::Optional,
            secrecy: Secrecy::Plain,
            help: "post into this thread of the webhook's channel",
        },
        EnvVar {
            name: OPERATOR_MENTION,
            need: Need::Optional,
            secrecy: Secrecy::Plain,
            help: "<@user-id> or <@&role-id>, pinged on red",
        },
        EnvVar {
            name: API_BASE,
            need: Need::Testing,
            secrecy: Secrecy::Plain,
            help: "Discord's origin, default https://discord.com",
        },
    ];

    type Config = DiscordConfig;

    fn config(settings: &Settings) -> DiscordConfig {
        DiscordConfig::read(settings)
    }

    fn initial(_run: &RunRecord, _cfg: &SealConfig, own: &DiscordConfig) -> Option<Initial> {
        Some(if own.webhook_url.is_none() {
            Initial::skipped(WEBHOOK_NOT_SET, None)
        } else {
            Initial::pending(None)
        })
    }

    fn not_configured(own: &DiscordConfig) -> Option<&'static str> {
        own.not_configured()
    }

    /// Posts (or edits) the seal message, retrying within the policy.
    async fn deliver(job: &mut Job<'_>, own: &DiscordConfig) -> Result<Attempt, SealError> {
        let (cfg, run) = (job.cfg, &*job.run);
        let webhook = match own.webhook(cfg) {
            Ok(webhook) => webhook,
            Err(e) => {
                return Ok(Attempt {
                    attempts: 1,
                    result: Err(e),
                });
            }
        };
        let report = &run.report;
        // Inconclusive runs never take over (or get) the release's message:
        // that message shows the release's seal.
        let key = run
            .release_slug
            .as_deref()
            .filter(|_| report.verdict != Verdict::Inconclusive);
        let earlier = match key {
            Some(slug) => job.ledger.seal_message(&report.app, slug).await?,
            None => None,
        };
        if let Some(earlier) = &earlier
            && earlier.checked_at > run.checked_at
        {
            return Ok(Attempt::skipped(&format!(
                "not sent: message {} already carries a newer seal for this release",
                earlier.message_id
            )));
        }

        let rollback = rollback_for(run);
        let mention = own.operator_mention.as_deref().and_then(|m| {
            let parsed = OperatorMention::parse(m);
            if parsed.is_none() {
                tracing::warn!(
                    "DISCORD_OPERATOR_MENTION is not <@id> or <@&id>; nobody will be pinged"
                );
            }
            parsed
        });
        let message = build_message(
            run,
            &MessageContext {
                rollback: rollback.as_deref(),
                mention,
                run_link: run.run_link.as_deref(),
                release_slug: run.release_slug.as_deref(),
            },
        )
        .await;
        let earlier_id = earlier.map(|e| e.message_id);
        let (result, attempts) = job
            .retry(|| async {
                match &earlier_id {
                    Some(id) => match webhook
                        .edit(id, &message.edit_payload(), &message.files)
                        .await
                    {
                        Ok(posted) => Ok(Sent::Edited(posted.id)),
                        // The earlier message was deleted: post a new one.
                        Err(DeliveryError::Status { status: 404, .. }) => {
                            post(&webhook, &message).await.map(Sent::Posted)
                        }
                        Err(e) => Err(e),
                    },
                    None => post(&webhook, &message).await.map(Sent::Posted),
                }
            })
            .await;
        if let (Ok(Sent::Posted(id) | Sent::Edited(id)), Some(slug)) = (&result, key) {
            job.ledger
                .remember_seal_message(&report.app, slug, id, &report.run_id, &run.checked_at)
                .await?;
        }
        Ok(Attempt::from_retry((result, attempts), |sent| {
            Done::Delivered(match sent {
                Sent::Posted(id) => format!("posted message {id}"),
                Sent::Edited(id) => format!("edited message {id} (re-run for the same release)"),
            })
        }))
    }
}

/// What a Discord delivery sent.
enum Sent {
    Posted(String),
    Edited(String),
}

async fn post(webhook: &Webhook<'_>, message: &SealMessage) -> Result<String, DeliveryError> {
    let PostedMessage { id, .. } = webhook
        .execute(&message.execute_payload(), &message.files)
        .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_parse_strictly() {
        assert_eq!(
            OperatorMention::parse("<@123>"),
            Some(OperatorMention::User(123))
        );
        assert_eq!(
            OperatorMention::parse("<@!123>"),
            Some(OperatorMention::User(123))
        );
        assert_eq!(
            OperatorMention::parse(" <@&456> "),
            Some(OperatorMention::Role(456))
        );
        assert_eq!(OperatorMention::parse("@everyone"), None);
        assert_eq!(OperatorMention::parse("<@here>"), None);
        assert_eq!(OperatorMention::Role(456).tag(), "<@&456>");
    }

    #[test]
    fn allowed_mentions_list_only_the_operator() {
        let none = serde_json::to_value(allowed_mentions(None)).unwrap();
        assert_eq!(none["parse"], json!([]));
        assert_eq!(none["users"], json!([]));
        assert_eq!(none["roles"], json!([]));
        let user = serde_json::to_value(allowed_mentions(Some(OperatorMention::User(7)))).unwrap();
        assert_eq!(user["parse"], json!([]));
        assert_eq!(user["users"], json!(["7"]));
    }

    #[test]
    fn names_are_safe_and_unique() {
        let mut taken = HashSet::new();
        assert_eq!(
            unique_name(&mut taken, Path::new("shots/a b.png")),
            "a_b.png"
        );
        assert_eq!(
            unique_name(&mut taken, Path::new("other/a b.png")),
            "2-a_b.png"
        );
    }
}
