//! The rollback block printed (and posted) on red. It is text for a person
//! to read: nothing in prod-smoke ever runs it. The block itself, one per
//! deploy strategy, is built in the rollback crate; this is the contract's
//! (`git_push_heroku`) form the seal falls back to when a run carries no
//! dry run.

use prod_smoke_rollback::{DeployTarget, unproved_block};
pub use prod_smoke_rollback::{UNKNOWN_APP, UNKNOWN_REPO, UNKNOWN_SHA, block_with_proof};

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

/// The contract's block (`git_push_heroku`), for a red seal on `host`.
pub fn rollback_block(host: &str, target: RollbackTarget<'_>) -> String {
    unproved_block(
        host,
        &DeployTarget {
            production_app: target.production_app,
            repo: target.repo,
            sha: target.deployed_sha,
            ..DeployTarget::default()
        },
    )
}

/// The block for a red run: the one its dry run built (it follows the
/// app's deploy strategy and names what the proof found), else the
/// contract's block naming what the run knows (the sha given by the
/// caller, else the release's `deployed_sha` from Postgres); `None` on
/// green and inconclusive.
pub(crate) fn rollback_for(run: &crate::ledger::RunRecord) -> Option<String> {
    (run.report.verdict == prod_smoke_model::Verdict::Red).then(|| match &run.report.rollback {
        Some(evidence) => block_with_proof(&evidence.block, Some(evidence)),
        None => rollback_block(
            &run.report.host(),
            RollbackTarget {
                production_app: run.production_app.as_deref(),
                repo: run.repo.as_deref(),
                deployed_sha: run.sha.as_deref().or(run.deployed_sha.as_deref()),
            },
        ),
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
