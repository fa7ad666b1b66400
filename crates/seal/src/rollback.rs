//! The rollback block printed (and posted) on red. It is text for a person
//! to read: nothing in prod-smoke ever runs it.

/// Shown when the Heroku app, the repo or the sha is unknown.
pub const UNKNOWN_APP: &str = "<production_app>";
pub const UNKNOWN_REPO: &str = "<repo>";
pub const UNKNOWN_SHA: &str = "<release-merge-sha>";

/// What the block names. Any part may be unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct RollbackTarget<'a> {
    /// The Heroku app (`qa_environments.<app>.production_app`).
    pub production_app: Option<&'a str>,
    /// The app's git checkout.
    pub repo: Option<&'a str>,
    /// The release's merge commit (`releases.deployed_sha`).
    pub deployed_sha: Option<&'a str>,
}

/// The block, exactly as the contract gives it, for a red seal on `host`.
pub fn rollback_block(host: &str, target: RollbackTarget<'_>) -> String {
    let app = known(target.production_app).unwrap_or(UNKNOWN_APP.to_string());
    let repo = known(target.repo).unwrap_or(UNKNOWN_REPO.to_string());
    let sha = known(target.deployed_sha).unwrap_or(UNKNOWN_SHA.to_string());
    format!(
        "🔴 PRODUCTION SMOKE SEAL FAILED — {host}\n\
         \x20  The deploy already landed; this is a post-ship SEAL, so the ship is NOT aborted.\n\
         \x20  Roll back ONLY if you decide to (the seal never auto-rolls-back):\n\
         \x20    heroku rollback --app {app}   # fastest: revert the dyno to the prior release\n\
         \x20    git -C {repo} revert -m1 {sha} && git -C {repo} push heroku main   # durable: revert the merge + redeploy\n\
         \x20    Release#abandon!   # board-side: pull the RC's members back to reviewed (only while still active)"
    )
}

/// The block with the dry-run proof lines right under it, indented like
/// the block's own lines.
pub fn block_with_proof(block: &str, proof: Option<&prod_smoke_model::RollbackEvidence>) -> String {
    let mut text = block.to_string();
    for line in proof.map(|p| p.lines()).into_iter().flatten() {
        text.push_str("\n   ");
        text.push_str(line);
    }
    text
}

/// The block for a red run, naming what the run knows (the sha given by
/// the caller, else the release's `deployed_sha` from Postgres); `None`
/// on green and inconclusive.
pub(crate) fn rollback_for(run: &crate::ledger::RunRecord) -> Option<String> {
    (run.report.verdict == prod_smoke_model::Verdict::Red).then(|| {
        let block = rollback_block(
            &run.report.host(),
            RollbackTarget {
                production_app: run.production_app.as_deref(),
                repo: run.repo.as_deref(),
                deployed_sha: run.sha.as_deref().or(run.deployed_sha.as_deref()),
            },
        );
        block_with_proof(&block, run.report.rollback.as_ref())
    })
}

/// The value, quoted for a POSIX shell when it needs it; `None` when blank.
fn known(value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-~+:@%=,".contains(c));
    Some(if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_matches_the_contract() {
        let block = rollback_block(
            "mcritchie.studio",
            RollbackTarget {
                production_app: Some("mcritchie-studio-prod"),
                repo: Some("/srv/mcritchie-studio"),
                deployed_sha: Some("abc1234"),
            },
        );
        let expected = "🔴 PRODUCTION SMOKE SEAL FAILED — mcritchie.studio
   The deploy already landed; this is a post-ship SEAL, so the ship is NOT aborted.
   Roll back ONLY if you decide to (the seal never auto-rolls-back):
     heroku rollback --app mcritchie-studio-prod   # fastest: revert the dyno to the prior release
     git -C /srv/mcritchie-studio revert -m1 abc1234 && git -C /srv/mcritchie-studio push heroku main   # durable: revert the merge + redeploy
     Release#abandon!   # board-side: pull the RC's members back to reviewed (only while still active)";
        assert_eq!(block, expected);
    }

    #[test]
    fn unknowns_get_placeholders() {
        let block = rollback_block("h", RollbackTarget::default());
        assert!(block.contains("heroku rollback --app <production_app>"));
        assert!(
            block.contains("git -C <repo> revert -m1 <release-merge-sha> && git -C <repo> push")
        );
    }

    #[test]
    fn odd_paths_are_quoted() {
        let block = rollback_block(
            "h",
            RollbackTarget {
                repo: Some("/home/me/my app"),
                ..RollbackTarget::default()
            },
        );
        assert!(block.contains("git -C '/home/me/my app' revert"));
    }
}
