//! The release notes end with the verdict line: add it, or replace the one
//! already there, never duplicate it.

use prod_smoke_model::Verdict;

use crate::config::SealConfig;
use crate::discord_webhook::{DiscordError, Webhook};
use crate::discord_webhook::limits::MAX_CONTENT as MAX_CONTENT_CHARS;
use crate::errors::{DeliveryError, SealError, SinkFailure};
use crate::ledger::RunRecord;
use crate::settings::{EnvVar, Settings};
use crate::sinks::adapter::{Attempt, Done, Initial, Job, SinkAdapter, retry_logged};
use crate::sinks::discord::{DiscordConfig, WEBHOOK_NOT_SET};
use crate::summary::{GREEN_SEAL_PREFIX, RED_SEAL_PREFIX};

/// What only the release notes can get wrong.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotesError {
    #[error(
        "the release-notes message would exceed Discord's {}-character limit with the verdict \
         line added",
        MAX_CONTENT_CHARS
    )]
    TooLong,
}

impl SinkFailure for NotesError {
    fn is_transient(&self) -> bool {
        false
    }
}

/// Is this line a seal line (green or red)?
pub fn is_seal_line(line: &str) -> bool {
    let line = line.trim_start();
    line.starts_with(GREEN_SEAL_PREFIX) || line.starts_with(RED_SEAL_PREFIX)
}

/// The notes `body` ending with `line`. An existing seal line at the end is
/// replaced where it stands; seal lines elsewhere are removed and the new
/// line is appended after a blank line. Applying the same line twice gives
/// the same body.
pub fn apply_verdict_line(body: &str, line: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let last_text = lines.iter().rposition(|l| !l.trim().is_empty());
    if let Some(last) = last_text
        && is_seal_line(lines[last])
    {
        let mut kept: Vec<&str> = lines[..last]
            .iter()
            .copied()
            .filter(|l| !is_seal_line(l))
            .collect();
        kept.push(line);
        return kept.join("\n");
    }
    let kept: Vec<&str> = lines.into_iter().filter(|l| !is_seal_line(l)).collect();
    let kept = kept.join("\n");
    let kept = kept.trim_end();
    if kept.is_empty() {
        line.to_string()
    } else {
        format!("{kept}\n\n{line}")
    }
}

/// What happened to the release-notes message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotesEdit {
    /// The message now ends with the verdict line.
    Updated,
    /// It already did; nothing was sent.
    Unchanged,
}

/// Reads the release-notes message `message_id` (posted by the same
/// webhook), applies the verdict line and writes it back. Mentions are
/// disabled on the edit: the notes are page- and person-written text.
async fn edit_notes_message(
    webhook: &Webhook<'_>,
    message_id: &str,
    line: &str,
) -> Result<NotesEdit, DeliveryError> {
    let message = webhook.get(message_id).await?;
    let content = apply_verdict_line(&message.content, line);
    if content == message.content {
        return Ok(NotesEdit::Unchanged);
    }
    if content.chars().count() > MAX_CONTENT_CHARS {
        return Err(NotesError::TooLong.into());
    }
    let payload = serde_json::json!({
        "content": content,
        "allowed_mentions": serenity::builder::CreateAllowedMentions::new(),
    });
    webhook.edit(message_id, &payload, &[]).await?;
    Ok(NotesEdit::Updated)
}

/// The release-notes sink (`--notes-message-id`): the notes message ends
/// with the verdict line. A run without a notes message has no row.
pub(crate) struct Notes;

const INCONCLUSIVE: &str = "inconclusive run: the release notes keep their seal line";

impl SinkAdapter for Notes {
    const NAME: &'static str = "notes";
    // The notes line repeats Discord's verdict line.
    const HISTORY_COLUMN: Option<&'static str> = None;
    const LABEL: &'static str = "Release notes";
    const HELP: &'static str = "--notes-message-id ID, through the same Discord webhook";
    // Discord's variables, which the Discord sink declares.
    const ENV: &'static [EnvVar] = &[];

    type Config = DiscordConfig;

    fn config(settings: &Settings) -> DiscordConfig {
        DiscordConfig::read(settings)
    }

    fn initial(run: &RunRecord, cfg: &SealConfig, own: &DiscordConfig) -> Option<Initial> {
        let target = Some(cfg.notes_message_id.clone()?);
        Some(if run.report.verdict == Verdict::Inconclusive {
            Initial::skipped(INCONCLUSIVE, target)
        } else if own.webhook_url.is_none() {
            Initial::skipped(WEBHOOK_NOT_SET, target)
        } else {
            Initial::pending(target)
        })
    }

    fn not_configured(own: &DiscordConfig) -> Option<&'static str> {
        own.not_configured()
    }

    async fn deliver(job: &mut Job<'_>, own: &DiscordConfig) -> Result<Attempt, SealError> {
        let Some(message_id) = job.target else {
            return Ok(Attempt::skipped("no release-notes message id"));
        };
        if job.run.report.verdict == Verdict::Inconclusive {
            return Ok(Attempt::skipped(INCONCLUSIVE));
        }
        let edit = update_notes(job.cfg, own, message_id, &job.run.verdict_line).await;
        Ok(Attempt::from_retry(edit, |edit| {
            Done::Delivered(match edit {
                NotesEdit::Updated => {
                    format!("release notes {message_id} end with the verdict line")
                }
                NotesEdit::Unchanged => {
                    format!("release notes {message_id} already ended with the verdict line")
                }
            })
        }))
    }
}

async fn update_notes(
    cfg: &SealConfig,
    discord: &DiscordConfig,
    message_id: &str,
    line: &str,
) -> (Result<NotesEdit, DeliveryError>, u32) {
    let webhook = match discord.webhook(cfg) {
        Ok(webhook) => webhook,
        Err(e) => return (Err(e), 1),
    };
    retry_logged(cfg, Notes::NAME, || {
        edit_notes_message(&webhook, message_id, line)
    })
    .await
}

/// Ends the release-notes message `message_id` (posted through the
/// configured webhook) with `verdict_line`, replacing an older seal line.
/// Retries within `cfg.retry`. This is what `--notes-message-id` does as
/// part of [`crate::seal_run`]; it is public for callers that edit notes alone.
pub async fn update_release_notes(
    cfg: &SealConfig,
    message_id: &str,
    verdict_line: &str,
) -> Result<NotesEdit, DeliveryError> {
    let discord = DiscordConfig::read(&cfg.settings);
    if discord.webhook_url.is_none() {
        return Err(DiscordError::WebhookUrl.into());
    }
    update_notes(cfg, &discord, message_id, verdict_line).await.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const GREEN: &str = "🟢 Production smoke seal: passed — @qa-readonly green vs mcritchie.studio";
    const RED: &str =
        "🔴 Production smoke seal: FAILED — @qa-readonly FAILED vs mcritchie.studio — x";

    #[test]
    fn appends_to_a_body_without_a_seal() {
        assert_eq!(
            apply_verdict_line("## rc-42\n- a\n- b\n", GREEN),
            format!("## rc-42\n- a\n- b\n\n{GREEN}")
        );
        assert_eq!(apply_verdict_line("", GREEN), GREEN);
        assert_eq!(apply_verdict_line("  \n", GREEN), GREEN);
    }

    #[test]
    fn replaces_the_last_seal_line_in_place() {
        let body = format!("## rc-42\n- a\n{RED}\n");
        assert_eq!(
            apply_verdict_line(&body, GREEN),
            format!("## rc-42\n- a\n{GREEN}")
        );
    }

    #[test]
    fn never_duplicates() {
        let once = apply_verdict_line("notes", GREEN);
        let twice = apply_verdict_line(&once, GREEN);
        assert_eq!(once, twice);
        let red = apply_verdict_line(&twice, RED);
        assert_eq!(red.matches("Production smoke seal:").count(), 1);
        assert!(red.ends_with(RED));
    }

    #[test]
    fn moves_a_stray_seal_line_to_the_end() {
        let body = format!("{GREEN}\nnotes\nmore");
        let out = apply_verdict_line(&body, RED);
        assert_eq!(out, format!("notes\nmore\n\n{RED}"));
    }
}
