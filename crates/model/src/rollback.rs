//! What the rollback dry run proved. Filled in on red only; every place that
//! shows the rollback block (stderr, Discord, report.html, results.json)
//! shows these same lines.

use serde::{Deserialize, Serialize};

/// The rollback block and the dry-run proofs printed right under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollbackEvidence {
    /// The rollback block, as printed. Text for a person: nothing runs it.
    pub block: String,
    pub revert: RevertProof,
    pub heroku: HerokuProof,
}

impl RollbackEvidence {
    /// The proof lines shown right under the block, revert first.
    pub fn lines(&self) -> [&str; 2] {
        [self.revert.line.as_str(), self.heroku.line.as_str()]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevertStatus {
    AppliesCleanly,
    Conflict,
    NotChecked,
}

/// Whether `git revert -m1 <sha>` applies cleanly on the repo's HEAD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevertProof {
    pub status: RevertStatus,
    /// The one line shown under the block.
    pub line: String,
    pub repo: Option<String>,
    /// The merge commit checked (full sha), when it was found.
    pub sha: Option<String>,
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
