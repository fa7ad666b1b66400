//! Keeps the prod-smoke runs xtask starts (bench, parity, pool, smoke)
//! away from real sinks and CI summaries, whatever the developer's
//! environment holds.

use std::process::Command;

/// Environment beside the seal's own that could make prod-smoke touch a
/// real CI summary.
const CI_VARS: &[&str] = &["GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS"];

/// Every variable the seal reads (its ledger and each sink's, from the
/// seal's registry), then [`CI_VARS`].
fn scrubbed() -> impl Iterator<Item = &'static str> {
    prod_smoke_seal::ENV_VARS
        .iter()
        .map(|var| var.name)
        .chain(CI_VARS.iter().copied())
}

pub fn keep_off_real_sinks(cmd: &mut Command) {
    for var in scrubbed() {
        cmd.env_remove(var);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the hand-kept list here used to hold is still removed.
    #[test]
    fn scrubs_every_sink_variable_and_the_ledger() {
        let scrubbed: Vec<&str> = scrubbed().collect();
        for var in [
            "DATABASE_URL",
            "PGPASSWORD",
            "DISCORD_RELEASE_NOTES_WEBHOOK_URL",
            "DISCORD_DEPLOY_WEBHOOK_URL",
            "DISCORD_RELEASE_NOTES_THREAD_ID",
            "DISCORD_OPERATOR_MENTION",
            "PROD_SMOKE_WEBHOOK_URL",
            "PROD_SMOKE_WEBHOOK_SECRET",
            "PROD_SMOKE_LEDGER",
            "GITHUB_STEP_SUMMARY",
            "GITHUB_ACTIONS",
            "GITHUB_TOKEN",
            "GITHUB_REPOSITORY",
            "GITHUB_API_URL",
            "GITHUB_EVENT_NAME",
            "GITHUB_EVENT_PATH",
        ] {
            assert!(scrubbed.contains(&var), "{var} is left to the child");
        }
    }
}
