//! The rollback dry run: on a red run, and as `prod-smoke rollback`. It
//! proves whether the printed rollback commands would work and runs none
//! of them: there is no flag that executes anything.

use std::path::PathBuf;

use prod_smoke_config::{AppTarget, check_url, resolve};
use prod_smoke_model::{RevertStatus, RollbackEvidence, host_of};
use prod_smoke_rollback::{RevertRequest, heroku_rollback_target, is_sha, prove_revert};
use prod_smoke_seal::{RollbackTarget, block_with_proof, rollback_block};

use crate::args::RollbackArgs;
use crate::exit;

/// `PROD_SMOKE_GIT`: the git binary for the dry run (default `git` on PATH).
pub const GIT_ENV: &str = "PROD_SMOKE_GIT";

/// The rollback block for `target` and what its dry run proved.
/// `repo_flag` wins over config; `sha` is the release's merge commit.
pub fn evidence(
    target: &AppTarget,
    repo_flag: Option<&str>,
    sha: Option<&str>,
) -> RollbackEvidence {
    let repo = repo_flag
        .map(str::to_string)
        .or_else(|| target.repo.clone());
    let host = host_of(&target.url);
    let block = rollback_block(
        &host,
        RollbackTarget {
            production_app: target.production_app.as_deref(),
            repo: repo.as_deref(),
            deployed_sha: sha,
        },
    );
    let git = std::env::var_os(GIT_ENV)
        .filter(|g| !g.is_empty())
        .map(PathBuf::from);
    let repo_hint = target.repo_key();
    let revert = prove_revert(&RevertRequest {
        git: git.as_deref(),
        repo: repo.as_deref(),
        repo_hint: &repo_hint,
        sha,
        sha_hint: "pass --sha with the release's merge commit",
    });
    let heroku = heroku_rollback_target(
        target.production_app.as_deref(),
        &target.production_app_key(),
        None,
    );
    RollbackEvidence {
        block,
        revert,
        heroku,
    }
}

/// `prod-smoke rollback [APP] --sha SHA [--repo PATH]`: prints the block
/// and its proof; exits 0 clean, 1 conflict, 2 bad input, 3 not checked.
pub fn run(args: &RollbackArgs) -> u8 {
    if let Some(sha) = &args.sha
        && !is_sha(sha)
    {
        eprintln!("prod-smoke: --sha `{sha}` is not a commit sha (4 to 64 hex digits)");
        return exit::BAD_INPUT;
    }
    if let Some(repo) = &args.repo
        && !std::path::Path::new(repo).is_dir()
    {
        eprintln!("prod-smoke: --repo {repo}: no such folder");
        return exit::BAD_INPUT;
    }
    let (dir, explicit) = match &args.config_dir {
        Some(d) => (d.clone(), true),
        None => (PathBuf::from("config"), false),
    };
    let target = match resolve(&args.app, args.url.as_deref(), &dir, explicit).and_then(|mut t| {
        t.url = check_url(&t.url, true)?;
        Ok(t)
    }) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("prod-smoke: {e}");
            return exit::BAD_INPUT;
        }
    };
    let proof = evidence(&target, args.repo.as_deref(), args.sha.as_deref());
    if args.json {
        match serde_json::to_string(&proof) {
            Ok(json) => println!("{json}"),
            Err(e) => eprintln!("prod-smoke: {e}"),
        }
    } else {
        println!("{}", block_with_proof(&proof.block, Some(&proof)));
    }
    match proof.revert.status {
        RevertStatus::AppliesCleanly => exit::REVERT_APPLIES,
        RevertStatus::Conflict => exit::REVERT_CONFLICTS,
        RevertStatus::NotChecked => exit::NOT_CHECKED,
    }
}
