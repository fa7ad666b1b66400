//! What a rollback block names (the app, its platform app, repo, commit and
//! deploy settings) and the pieces of shell every strategy writes from it.
//! Below both the block (block.rs) and the strategies (strategies/), which
//! write their commands with it.

use prod_smoke_model::{DEFAULT_STRATEGY, RevertProof};

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
