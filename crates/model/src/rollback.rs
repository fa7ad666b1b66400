//! What the rollback dry run proved. Filled in on red only; every place that
//! shows the rollback block (stderr, Discord, report.html, results.json)
//! shows these same lines.

use serde::{Deserialize, Serialize};

/// The strategy a block follows when config names none: the contract's.
pub const DEFAULT_STRATEGY: &str = "git_push_heroku";

fn default_strategy() -> String {
    DEFAULT_STRATEGY.to_string()
}

/// The rollback block and the dry-run proofs printed right under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackEvidence {
    /// The deploy strategy the block follows (`prod_deploy.strategy`), as
    /// configured; an unknown value is kept so the block can name it.
    #[serde(default = "default_strategy")]
    pub strategy: String,
    /// The rollback block, as printed. Text for a person: nothing runs it.
    pub block: String,
    pub revert: RevertProof,
    /// `git_push_heroku`: which release `heroku rollback` would return to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heroku: Option<HerokuProof>,
    /// `fly`: the image of the release to go back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fly: Option<FlyProof>,
}

impl RollbackEvidence {
    /// The proof lines shown right under the block, revert first, then the
    /// platform's (a strategy without a platform CLI has none).
    pub fn lines(&self) -> Vec<&str> {
        let mut lines = vec![self.revert.line.as_str()];
        if let Some(h) = &self.heroku {
            lines.push(h.line.as_str());
        }
        if let Some(f) = &self.fly {
            lines.push(f.line.as_str());
        }
        lines
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevertStatus {
    AppliesCleanly,
    Conflict,
    NotChecked,
}

/// Whether the revert of the release's commit applies cleanly on the
/// repo's HEAD: `git revert -m1 <sha>` for a merge commit, `git revert
/// <sha>` for a squash merge or a direct commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevertProof {
    pub status: RevertStatus,
    /// The one line shown under the block.
    pub line: String,
    pub repo: Option<String>,
    /// The commit checked (full sha), when it was found.
    pub sha: Option<String>,
    /// How many parents that commit has: 2 or more is a merge (`-m1`), 1 a
    /// squash merge or direct commit (plain `git revert`). `None` when the
    /// commit was not found or the clone is too shallow to tell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parents: Option<usize>,
    /// The HEAD checked against (full sha) and its branch.
    pub head: Option<String>,
    pub head_ref: Option<String>,
    /// `git merge-tree` or `throwaway git worktree`.
    pub method: Option<String>,
    /// Files the revert changes, when it applies cleanly.
    pub files_changed: Option<usize>,
    #[serde(default)]
    pub conflicts: Vec<String>,
    /// Why it was not checked.
    pub reason: Option<String>,
}

impl RevertProof {
    /// The `git revert` options the block prints: `-m1 ` for a merge and
    /// whenever the commit's shape is unknown (the contract's block), none
    /// for a commit with one parent.
    pub fn revert_options(&self) -> &'static str {
        if self.parents == Some(1) { "" } else { "-m1 " }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HerokuStatus {
    Checked,
    NotChecked,
}

/// Which release `heroku rollback --app <production_app>` would return to,
/// read with `heroku releases --json` (read-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HerokuProof {
    pub status: HerokuStatus,
    pub line: String,
    pub app: Option<String>,
    pub current_version: Option<u64>,
    pub rollback_version: Option<u64>,
    pub rollback_description: Option<String>,
    pub reason: Option<String>,
}

/// The release `fly deploy --image` would go back to, read with `fly
/// releases --app <production_app> --json` (read-only). Fly has no rollback
/// command: the way back is redeploying the previous release's image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlyProof {
    /// `checked` or `not_checked`, as for Heroku.
    pub status: HerokuStatus,
    pub line: String,
    pub app: Option<String>,
    pub current_version: Option<u64>,
    pub previous_version: Option<u64>,
    /// The previous release's image reference, put into the block's
    /// `fly deploy --image` command when it was read.
    pub previous_image: Option<String>,
    pub reason: Option<String>,
}
