//! The rollback block and its dry run. On red, prod-smoke prints rollback
//! commands that follow the app's deploy strategy (`prod_deploy.strategy`);
//! this crate builds them and proves, without running them, whether they
//! would work:
//!
//! - [`prove_revert`]: would the revert of the release's commit (`git
//!   revert -m1 <sha>` for a merge, `git revert <sha>` for a squash merge
//!   or a direct commit) apply cleanly on the repo's HEAD? Computed with
//!   `git merge-tree --write-tree` (git 2.40+), else in a throwaway `git
//!   worktree` that is always removed. Branches, HEAD, the index, the
//!   working tree, stashes and the worktree list are left byte-identical;
//!   new objects go to a temporary object directory.
//! - [`heroku_rollback_target`] (`git_push_heroku`): which release `heroku
//!   rollback` would return to, read with `heroku releases --json`.
//! - [`fly_previous_release`] (`fly`): which image `fly deploy --image`
//!   would go back to, read with `fly releases --json`.
//! - [`prove_rollback`]: both, for the configured strategy, and the block.

mod block;
mod command;
mod heroku;
mod revert;
mod strategies;
mod target;

pub use block::{Tools, block_with_proof, prove_rollback, rollback_block, unproved_block};
pub use heroku::heroku_rollback_target;
pub use revert::{METHOD_MERGE_TREE, METHOD_WORKTREE, RevertRequest, is_sha, prove_revert};
pub use strategies::Strategy;
pub use strategies::fly::previous_release as fly_previous_release;
pub use target::{DeployTarget, UNKNOWN_APP, UNKNOWN_REPO, UNKNOWN_SHA};

/// Said on every revert proof: the dry run changes nothing.
pub const NOTHING_CHANGED: &str = "dry run: nothing pushed, committed or checked out";
