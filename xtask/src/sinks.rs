//! Keeps the prod-smoke runs xtask starts (bench, parity) away from real
//! sinks and CI summaries, whatever the developer's environment holds.

use std::process::Command;

/// Environment that could make prod-smoke touch a real sink or CI summary.
const SINK_VARS: &[&str] = &[
    "DATABASE_URL",
    "PGPASSWORD",
    "DISCORD_RELEASE_NOTES_WEBHOOK_URL",
    "DISCORD_DEPLOY_WEBHOOK_URL",
    "DISCORD_RELEASE_NOTES_THREAD_ID",
    "PROD_SMOKE_WEBHOOK_URL",
    "PROD_SMOKE_WEBHOOK_SECRET",
    "PROD_SMOKE_LEDGER",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_ACTIONS",
    // The github sink's.
    "GITHUB_TOKEN",
    "GITHUB_REPOSITORY",
    "GITHUB_API_URL",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
];

pub fn keep_off_real_sinks(cmd: &mut Command) {
    for var in SINK_VARS {
        cmd.env_remove(var);
    }
}
