//! The seal: turns a [`RunReport`](prod_smoke_model::RunReport) into the
//! records an operator and the hub app read, and never loses one.
//!
//! 1. The **ledger** (SQLite, local) gets every run first, with the state of
//!    each delivery.
//! 2. **Postgres** (`DATABASE_URL`): `releases.smoke_seal`, `release_events`
//!    and prod-smoke's own history in the `prod_smoke` schema.
//! 3. **Discord** (webhook): the verdict line and an embed of the checks;
//!    the **release notes** message gets the verdict line at its end.
//! 4. **GitHub** (`GITHUB_TOKEN`): a commit status on the release sha, and a
//!    deployment status when a deployment started the run.
//!
//! Every sink has one shape and one registry (`src/sinks/mod.rs`). A sink
//! that is down leaves its delivery pending; [`deliver_pending`] replays it
//! later. Nothing here changes the site's verdict.
//!
//! Each sink declares the variables it reads in its own file; [`ENV_VARS`]
//! lists them all, with the seal's own, for `--help`, docs and tests.
//!
//! Imports point down, from the registry to the sinks to the machinery
//! they share: `deliver`/`history` → `sinks` (the registry) → each sink →
//! `sinks/adapter` → `ledger`, `config` → `secrets`, `settings`, `errors`.
//!
//! The CLI calls [`SealConfig::from_env`], then [`seal_run`],
//! [`deliver_pending`] or [`history`] + [`format_history`].

mod config;
mod deliver;
mod discord_webhook;
mod errors;
mod fallback;
mod history;
mod http;
mod ledger;
mod markdown_safe;
mod retry;
mod rollback;
mod secrets;
mod settings;
mod sinks;
mod summary;
mod watch;

pub use config::{DeliveryLog, SealConfig, SealOverrides, env, ledger_path};
pub use deliver::{
    DeliverReport, HistoryRead, ReplayedDelivery, SealOutcome, SinkOutcome, SinkReport,
    deliver_pending, history, seal_pass, seal_run,
};
pub use errors::{Cause, DeliveryError, SealError, SinkError, SinkFailure, chain};
pub use fallback::{FALLBACK_FOLDER, LedgerPlace, fallback_ledgers};
pub use history::{DeliveryRecord, HistoryEntry, WatchSpan, format_history};
pub use ledger::{APPLICATION_ID, DeliveryState, Ledger};
pub use markdown_safe::escape_markdown;
pub use retry::RetryPolicy;
pub use rollback::{
    RollbackTarget, UNKNOWN_APP, UNKNOWN_REPO, UNKNOWN_SHA, block_with_proof, rollback_block,
};
pub use settings::{EnvVar, Need, Secrecy};
pub use sinks::discord::{
    DEFAULT_API_BASE as DEFAULT_DISCORD_API_BASE, GREEN as DISCORD_GREEN, GREY as DISCORD_GREY,
    OperatorMention, RED as DISCORD_RED,
};
pub use sinks::github::{
    CONTEXT as GITHUB_STATUS_CONTEXT, DEPLOYMENT_STATUS_MARKER as GITHUB_DEPLOYMENT_STATUS_MARKER,
};
pub use sinks::notes::{NotesEdit, apply_verdict_line, is_seal_line, update_release_notes};
pub use sinks::postgres::{
    ReleasePick, ReleaseSha, SCHEMA as POSTGRES_SCHEMA, migrator as postgres_migrator, release_sha,
};
pub use sinks::{ENV_VARS, Sink, sinks_help};
pub use summary::{
    GREEN_SEAL_PREFIX, RED_SEAL_PREFIX, SmokeSeal, checked_at, format_checked_at, short_reason,
    summary, summary_markdown, verdict_line,
};
pub use watch::{PassRecord, WatchPass, amended_summary};
