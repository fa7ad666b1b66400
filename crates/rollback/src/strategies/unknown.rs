//! A `prod_deploy.strategy` that names no registered strategy: the block
//! says so, with the config key to set and the values known, and prints
//! only the revert, which holds whatever the platform.

use prod_smoke_model::RollbackEvidence;

use super::Strategy;
use crate::target::{DeployTarget, revert_command};

pub(crate) fn commands(
    strategy: &str,
    target: &DeployTarget<'_>,
    evidence: &RollbackEvidence,
) -> Vec<String> {
    let (revert, _) = revert_command(target, &evidence.revert);
    let shown: String = strategy
        .chars()
        .filter(|c| !c.is_control())
        .take(60)
        .collect();
    vec![
        format!(
            "<rollback-command>   # prod_deploy.strategy `{shown}` is not one prod-smoke knows: set apps.{}.prod_deploy.strategy in config/release_repos.yml to one of {}",
            target.app,
            Strategy::known()
        ),
        format!(
            "{revert}   # durable: revert the release, then redeploy it the way this app deploys"
        ),
    ]
}
