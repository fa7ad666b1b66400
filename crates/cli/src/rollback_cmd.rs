//! `prod-smoke rollback`: the rollback dry run on its own. It proves
//! whether the printed rollback commands would work and runs none of
//! them: there is no flag that executes anything.

use std::path::PathBuf;

use chrono::Utc;
use prod_smoke_config::{check_url, resolve};
use prod_smoke_engine::rollback::{evidence, merge_sha};
use prod_smoke_input::{EXCERPT_CHARS, excerpt};
use prod_smoke_model::RevertStatus;
use prod_smoke_rollback::is_sha;
use prod_smoke_seal::{SealConfig, SealOverrides, block_with_proof};

use crate::args::RollbackArgs;
use crate::exit;

/// `prod-smoke rollback [APP] --sha SHA [--repo PATH]`: prints the block
/// and its proof; exits 0 clean, 1 conflict, 2 bad input, 3 not checked.
/// Without `--sha`, the release's `deployed_sha` is read from
/// `DATABASE_URL` (read-only).
pub async fn run(args: &RollbackArgs) -> u8 {
    if let Some(sha) = &args.sha
        && !is_sha(sha)
    {
        eprintln!(
            "prod-smoke: --sha `{}` is not a commit sha (4 to 64 hex digits)",
            excerpt(sha, EXCERPT_CHARS)
        );
        return exit::BAD_INPUT;
    }
    if let Some(repo) = &args.repo
        && !std::path::Path::new(repo).is_dir()
    {
        eprintln!(
            "prod-smoke: --repo {}: no such folder",
            excerpt(repo, EXCERPT_CHARS)
        );
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
    let cfg = SealConfig::from_env(SealOverrides {
        release_slug: args.release.clone(),
        ..SealOverrides::default()
    });
    let sha = merge_sha(args.sha.as_deref(), cfg.as_ref().ok(), Utc::now()).await;
    let proof = evidence(&target, args.repo.as_deref(), &sha).await;
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
