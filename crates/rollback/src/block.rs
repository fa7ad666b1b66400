//! The rollback block printed (and posted) on red, and the dry run that
//! proves it. The block is text for a person: nothing in prod-smoke ever
//! runs it. Its header and its last line (`Release#abandon!`) are the same
//! for every deploy strategy; the commands between them come from the
//! strategy config names (`strategies/`).

use std::ffi::OsStr;
use std::path::Path;

use prod_smoke_model::{RevertProof, RevertStatus, RollbackEvidence};

use crate::revert::{RevertRequest, prove_revert};
use crate::strategies::{Strategy, unknown};
use crate::target::DeployTarget;

/// How the dry run looks for its tools.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tools<'a> {
    /// The git binary (default `git` on PATH).
    pub git: Option<&'a Path>,
    /// The `PATH` to find platform CLIs (`heroku`, `fly`) on; `None`: the
    /// process's own.
    pub path: Option<&'a OsStr>,
}

/// Proves the rollback for `target` and builds the block that names what
/// the proof found (the revert's form, the image to go back to).
/// `repo_hint` and `sha_hint` say what to do when the repo or sha is
/// unknown. Runs git and the platform CLI as child processes: call it off
/// an async runtime's threads.
pub fn prove_rollback(
    host: &str,
    target: &DeployTarget<'_>,
    tools: Tools<'_>,
    repo_hint: &str,
    sha_hint: &str,
) -> RollbackEvidence {
    let revert = prove_revert(&RevertRequest {
        git: tools.git,
        repo: target.repo,
        repo_hint,
        sha: target.sha,
        sha_hint,
    });
    let mut evidence = RollbackEvidence {
        strategy: target.strategy_name().to_string(),
        block: String::new(),
        revert,
        heroku: None,
        fly: None,
    };
    if let Some(strategy) = Strategy::parse(target.strategy_name()) {
        strategy.prove(target, tools.path, &mut evidence);
    }
    evidence.block = rollback_block(host, target, &evidence);
    evidence
}

/// The block for a red seal on `host`, naming what `evidence` proved.
pub fn rollback_block(
    host: &str,
    target: &DeployTarget<'_>,
    evidence: &RollbackEvidence,
) -> String {
    let commands = match Strategy::parse(target.strategy_name()) {
        Some(strategy) => strategy.commands(target, evidence),
        None => unknown::commands(target.strategy_name(), target, evidence),
    };
    let mut block = format!(
        "🔴 PRODUCTION SMOKE SEAL FAILED — {host}\n\
         \x20  The deploy already landed; this is a post-ship SEAL, so the ship is NOT aborted.\n\
         \x20  Roll back ONLY if you decide to (the seal never auto-rolls-back):"
    );
    for line in commands {
        block.push_str("\n     ");
        block.push_str(&line);
    }
    block.push_str(
        "\n     Release#abandon!   # board-side: pull the RC's members back to reviewed (only while still active)",
    );
    block
}

/// The block when no dry run ran (the seal rebuilding it from the ledger):
/// the shape of the release's commit is unknown, so the revert keeps the
/// contract's `-m1`.
pub fn unproved_block(host: &str, target: &DeployTarget<'_>) -> String {
    let evidence = RollbackEvidence {
        strategy: target.strategy_name().to_string(),
        block: String::new(),
        revert: RevertProof {
            status: RevertStatus::NotChecked,
            line: String::new(),
            repo: None,
            sha: None,
            parents: None,
            head: None,
            head_ref: None,
            method: None,
            files_changed: None,
            conflicts: Vec::new(),
            reason: None,
        },
        heroku: None,
        fly: None,
    };
    rollback_block(host, target, &evidence)
}

/// The block with the dry-run proof lines right under it, indented like
/// the block's own lines.
pub fn block_with_proof(block: &str, proof: Option<&RollbackEvidence>) -> String {
    let mut text = block.to_string();
    for line in proof.map(|p| p.lines()).into_iter().flatten() {
        text.push_str("\n   ");
        text.push_str(line);
    }
    text
}
