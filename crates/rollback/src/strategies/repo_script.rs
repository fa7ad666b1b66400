//! `repo_script`: the app deploys (and rolls back) with its own script.
//! The block prints the script config names, as configured, and never
//! guesses one: a made-up command could do anything.

use prod_smoke_model::RollbackEvidence;

use super::StrategyAdapter;
use crate::target::{DeployTarget, revert_command};

pub(crate) struct RepoScript;

impl StrategyAdapter for RepoScript {
    const NAME: &'static str = "repo_script";

    fn commands(target: &DeployTarget<'_>, evidence: &RollbackEvidence) -> Vec<String> {
        let script = match target
            .rollback_script
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            // One line: a script that spans lines would break the block.
            Some(script) => format!(
                "{}   # the app's own rollback (apps.{}.prod_deploy.rollback_script)",
                script.split_whitespace().collect::<Vec<_>>().join(" "),
                target.app
            ),
            None => format!(
                "<rollback_script>   # not configured: set apps.{}.prod_deploy.rollback_script in config/release_repos.yml (prod-smoke never guesses a script)",
                target.app
            ),
        };
        let (revert, _) = revert_command(target, &evidence.revert);
        vec![
            script,
            format!("{revert}   # durable: revert the release, then deploy it with the app's script"),
        ]
    }
}
