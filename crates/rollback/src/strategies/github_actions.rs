//! `github_actions`: a workflow deploys on every push to the branch it
//! builds from, so the way back is a revert pushed there. There is no
//! Heroku (or other platform) command to print: the workflow does the
//! redeploy, and `prod_deploy.workflow` names it.

use prod_smoke_model::RollbackEvidence;

use super::StrategyAdapter;
use crate::target::{DeployTarget, quoted, revert_command};

pub(crate) struct GithubActions;

/// The branch pushed to when config names none: the contract's `main`.
pub(crate) const DEFAULT_BRANCH: &str = "main";

impl StrategyAdapter for GithubActions {
    const NAME: &'static str = "github_actions";

    fn commands(target: &DeployTarget<'_>, evidence: &RollbackEvidence) -> Vec<String> {
        let (revert, repo) = revert_command(target, &evidence.revert);
        let branch = quoted(target.branch).unwrap_or_else(|| DEFAULT_BRANCH.to_string());
        let what = if evidence.revert.parents == Some(1) {
            "the commit"
        } else {
            "the merge"
        };
        let redeploy = match target.workflow.map(str::trim).filter(|w| !w.is_empty()) {
            Some(workflow) => format!("the push runs the {workflow} workflow, which redeploys"),
            None => format!(
                "the push runs the deploy workflow, which redeploys (name it: set apps.{}.prod_deploy.workflow)",
                target.app
            ),
        };
        vec![format!(
            "{revert} && git -C {repo} push origin {branch}   # durable: revert {what}; {redeploy}"
        )]
    }
}
