//! The rollback dry run's evidence: on a red seal, and for `prod-smoke
//! rollback`. It proves whether the printed rollback commands would work
//! and runs none of them: nothing here executes a rollback.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use prod_smoke_config::AppTarget;
use prod_smoke_model::{RollbackEvidence, host_of};
use prod_smoke_rollback::{DeployTarget, Tools, prove_rollback};
use prod_smoke_seal::{SealConfig, release_sha};

/// `PROD_SMOKE_GIT`: the git binary for the dry run (default `git` on PATH).
pub const GIT_ENV: &str = "PROD_SMOKE_GIT";

/// Said when no sha is known, before why the release could not name one.
const SHA_HINT: &str = "pass --sha with the release's merge commit";

/// The merge commit the dry run reverts, and where it came from.
#[derive(Debug, Clone)]
pub struct MergeSha {
    pub sha: Option<String>,
    /// Where the sha came from, or (with none) what to do and why the
    /// release could not name it.
    pub said: String,
}

/// `--sha`, else the `deployed_sha` of the release the seal is recorded
/// against, read (read-only) from the hub's Postgres. A database that is
/// down or slow only leaves the sha unknown: the caller's proof then says
/// `not checked` with the reason, and the seal goes on.
pub async fn merge_sha(
    flag: Option<&str>,
    cfg: Option<&SealConfig>,
    finished_at: DateTime<Utc>,
) -> MergeSha {
    if let Some(sha) = flag.map(str::trim).filter(|s| !s.is_empty()) {
        return MergeSha {
            sha: Some(sha.to_string()),
            said: "--sha".into(),
        };
    }
    let Some(cfg) = cfg else {
        return MergeSha {
            sha: None,
            said: format!("{SHA_HINT} (the seal is not configured, so no release was looked up)"),
        };
    };
    match release_sha(cfg, finished_at).await {
        Ok(found) => match found.deployed_sha {
            Some(sha) => MergeSha {
                sha: Some(sha),
                said: format!(
                    "deployed_sha of release {} ({})",
                    found.slug,
                    found.pick.describe()
                ),
            },
            None => MergeSha {
                sha: None,
                said: format!("{SHA_HINT} (release {} has no deployed_sha)", found.slug),
            },
        },
        Err(why) => MergeSha {
            sha: None,
            said: format!("{SHA_HINT} (the release's deployed_sha could not be looked up: {why})"),
        },
    }
}

/// The rollback block for `target` and what its dry run proved.
/// `repo_flag` wins over config; `sha` is the release's merge commit.
/// The dry run runs git (and heroku) as child processes, so it runs on a
/// blocking thread, off the runtime's.
pub async fn evidence(
    target: &AppTarget,
    repo_flag: Option<&str>,
    sha: &MergeSha,
) -> RollbackEvidence {
    let (target, repo_flag, sha) = (target.clone(), repo_flag.map(str::to_string), sha.clone());
    match tokio::task::spawn_blocking(move || prove(&target, repo_flag.as_deref(), &sha)).await {
        Ok(evidence) => evidence,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

fn prove(target: &AppTarget, repo_flag: Option<&str>, sha: &MergeSha) -> RollbackEvidence {
    let repo = repo_flag
        .map(str::to_string)
        .or_else(|| target.repo.clone());
    let git = std::env::var_os(GIT_ENV)
        .filter(|g| !g.is_empty())
        .map(PathBuf::from);
    let deploy = &target.deploy;
    prove_rollback(
        &host_of(&target.url),
        &DeployTarget {
            app: &target.app,
            strategy: deploy.strategy.as_deref(),
            production_app: target.production_app.as_deref(),
            repo: repo.as_deref(),
            sha: sha.sha.as_deref(),
            workflow: deploy.workflow.as_deref(),
            branch: deploy.branch.as_deref(),
            rollback_script: deploy.rollback_script.as_deref(),
        },
        Tools {
            git: git.as_deref(),
            path: None,
        },
        &target.repo_key(),
        &sha.said,
    )
}

/// `prod-smoke rollback`'s input: the app, and its flags, each defined
/// here once with its help (as [`crate::SealRequest`]'s are).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DryRunRequest {
    /// The app, as named in config.
    #[arg(default_value = prod_smoke_config::DEFAULT_APP)]
    pub app: String,
    /// The release's commit to revert: a merge, a squash merge or a direct
    /// commit (default: the release's deployed_sha, read from DATABASE_URL).
    #[arg(long)]
    pub sha: Option<String>,
    /// The release whose deployed_sha is reverted when --sha is not given
    /// (default: the single active release, else the last shipped).
    #[arg(long)]
    pub release: Option<String>,
    /// The app's git checkout (default: release_repos.yml apps.<app>.repo).
    #[arg(long)]
    pub repo: Option<String>,
    /// Production URL, for the host the block names (default: from config).
    #[arg(long)]
    pub url: Option<String>,
    /// `--config-dir`, the front end's global flag.
    #[arg(skip)]
    pub config_dir: Option<PathBuf>,
}

/// The rollback dry run on its own: checks the input (bad input runs
/// nothing), resolves the app, finds the sha (`--sha`, else the release's
/// `deployed_sha`, read-only) and proves the block.
pub async fn dry_run(req: &DryRunRequest) -> Result<RollbackEvidence, crate::InputError> {
    use prod_smoke_input::{EXCERPT_CHARS, excerpt};
    let bad = |message: String| Err(crate::InputError::new(message));
    if let Some(sha) = &req.sha
        && !prod_smoke_rollback::is_sha(sha)
    {
        return bad(format!(
            "--sha `{}` is not a commit sha (4 to 64 hex digits)",
            excerpt(sha, EXCERPT_CHARS)
        ));
    }
    if let Some(repo) = &req.repo
        && !std::path::Path::new(repo).is_dir()
    {
        return bad(format!(
            "--repo {}: no such folder",
            excerpt(repo, EXCERPT_CHARS)
        ));
    }
    let (dir, explicit) = match &req.config_dir {
        Some(d) => (d.clone(), true),
        None => (PathBuf::from("config"), false),
    };
    let resolved = prod_smoke_config::resolve(&req.app, req.url.as_deref(), &dir, explicit)
        .and_then(|mut t| {
            t.url = prod_smoke_config::check_url(&t.url, true)?;
            Ok(t)
        });
    let target = match resolved {
        Ok(t) => t,
        Err(e) => return bad(e.to_string()),
    };
    let cfg = SealConfig::from_env(prod_smoke_seal::SealOverrides {
        release_slug: req.release.clone(),
        ..Default::default()
    });
    let sha = merge_sha(req.sha.as_deref(), cfg.as_ref().ok(), Utc::now()).await;
    Ok(evidence(&target, req.repo.as_deref(), &sha).await)
}
