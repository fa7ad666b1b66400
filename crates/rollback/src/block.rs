//! The rollback block printed (and posted) on red, and the dry run that
//! proves it. The block is text for a person: nothing in prod-smoke ever
//! runs it. Its header and its last line (`Release#abandon!`) are the same
//! for every deploy strategy; the commands between them come from the
//! strategy config names (`strategies/`).

use std::ffi::OsStr;
use std::path::Path;

use prod_smoke_model::{DEFAULT_STRATEGY, RevertProof, RevertStatus, RollbackEvidence};

use crate::revert::{RevertRequest, prove_revert};
use crate::strategies::{Strategy, unknown};

/// Shown when the platform app, the repo or the sha is unknown.
pub const UNKNOWN_APP: &str = "<production_app>";
pub const UNKNOWN_REPO: &str = "<repo>";
pub const UNKNOWN_SHA: &str = "<release-merge-sha>";

/// What the block names, from the hub's config and the release. Any part
/// may be unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeployTarget<'a> {
    /// The hub's app slug, for the config keys the block names.
    pub app: &'a str,
    /// `apps.<app>.prod_deploy.strategy`; `None` is the contract's
    /// `git_push_heroku`.
    pub strategy: Option<&'a str>,
    /// The platform app (`qa_environments.<app>.production_app`).
    pub production_app: Option<&'a str>,
    /// The app's git checkout.
    pub repo: Option<&'a str>,
    /// The release's commit (`releases.deployed_sha`).
    pub sha: Option<&'a str>,
    /// `prod_deploy.workflow`: the workflow that deploys (`github_actions`).
    pub workflow: Option<&'a str>,
    /// `prod_deploy.branch`: the branch that workflow builds from.
    pub branch: Option<&'a str>,
    /// `prod_deploy.rollback_script` (`repo_script`).
    pub rollback_script: Option<&'a str>,
}

impl DeployTarget<'_> {
    /// Which config key would name the platform app.
    pub fn production_app_key(&self) -> String {
        format!(
            "set qa_environments.{}.production_app in config/qa_environments.yml",
            self.app
        )
    }

    /// The strategy as configured (blank is the default).
    pub fn strategy_name(&self) -> &str {
        self.strategy
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_STRATEGY)
    }
}

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

/// `git -C <repo> revert [-m1] <sha>` for the release's commit, and the
/// repo as printed.
pub(crate) fn revert_command(target: &DeployTarget<'_>, revert: &RevertProof) -> (String, String) {
    let repo = quoted(target.repo).unwrap_or_else(|| UNKNOWN_REPO.to_string());
    let sha = quoted(target.sha).unwrap_or_else(|| UNKNOWN_SHA.to_string());
    (
        format!("git -C {repo} revert {}{sha}", revert.revert_options()),
        repo,
    )
}

pub(crate) fn app_or_placeholder(app: Option<&str>) -> String {
    quoted(app).unwrap_or_else(|| UNKNOWN_APP.to_string())
}

/// The value, quoted for a POSIX shell when it needs it; `None` when blank.
pub(crate) fn quoted(value: Option<&str>) -> Option<String> {
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
