//! `git_push_heroku`: the contract's block (`../shared/CONTRACT.md`),
//! byte for byte for a merge commit. The app ships with `git push heroku
//! main`, so the way back is `heroku rollback` now and a revert pushed the
//! same way for good. Proved with `heroku releases --json` (read-only).

use std::ffi::OsStr;

use prod_smoke_model::RollbackEvidence;

use super::StrategyAdapter;
use crate::target::{DeployTarget, app_or_placeholder, revert_command};
use crate::heroku_rollback_target;

pub(crate) struct GitPushHeroku;

impl StrategyAdapter for GitPushHeroku {
    const NAME: &'static str = "git_push_heroku";

    fn prove(target: &DeployTarget<'_>, path: Option<&OsStr>, evidence: &mut RollbackEvidence) {
        evidence.heroku = Some(heroku_rollback_target(
            target.production_app,
            &target.production_app_key(),
            path,
        ));
    }

    fn commands(target: &DeployTarget<'_>, evidence: &RollbackEvidence) -> Vec<String> {
        let app = app_or_placeholder(target.production_app);
        let (revert, repo) = revert_command(target, &evidence.revert);
        let what = if evidence.revert.parents == Some(1) {
            "the commit"
        } else {
            "the merge"
        };
        vec![
            format!("heroku rollback --app {app}   # fastest: revert the dyno to the prior release"),
            format!(
                "{revert} && git -C {repo} push heroku main   # durable: revert {what} + redeploy"
            ),
        ]
    }
}
