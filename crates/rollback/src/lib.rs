//! The rollback dry run. On red, prod-smoke prints rollback commands; this
//! crate proves, without running them, whether they would work:
//!
//! - [`prove_revert`]: would `git revert -m1 <sha>` apply cleanly on the
//!   repo's HEAD? Computed with `git merge-tree --write-tree` (git 2.40+),
//!   else in a throwaway `git worktree` that is always removed. Branches,
//!   HEAD, the index, the working tree, stashes and the worktree list are
//!   left byte-identical; new objects go to a temporary object directory.
//! - [`heroku_rollback_target`]: which release `heroku rollback` would
//!   return to, read with `heroku releases --json` (read-only).

mod command;
mod heroku;
mod revert;

pub use heroku::heroku_rollback_target;
pub use revert::{METHOD_MERGE_TREE, METHOD_WORKTREE, RevertRequest, is_sha, prove_revert};

/// Said on every revert proof: the dry run changes nothing.
pub const NOTHING_CHANGED: &str = "dry run: nothing pushed, committed or checked out";
