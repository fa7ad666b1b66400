//! Which release `heroku rollback --app <app>` would return to. Read with
//! `heroku releases --app <app> --json`, which only lists. The Heroku CLI
//! picks, among the 10 newest releases, the second one whose status is
//! `succeeded` (packages/cli/src/lib/releases/releases.ts,
//! `findByPreviousOrId`); the same rule is applied here.

use std::time::Duration;

use prod_smoke_model::{HerokuProof, HerokuStatus};
use serde_json::Value;

use crate::command::releases_json;

/// The Heroku CLI's network call may be slow; it must never hang a seal.
const HEROKU_LIMIT: Duration = Duration::from_secs(30);

/// `heroku rollback` looks at this many of the newest releases.
const ROLLBACK_WINDOW: usize = 10;

/// `app`: the production Heroku app, `None` when config does not name one
/// (`app_hint` then says which key would). `path`: the `PATH` to find
/// `heroku` on (`None`: the process's own).
pub fn heroku_rollback_target(
    app: Option<&str>,
    app_hint: &str,
    path: Option<&std::ffi::OsStr>,
) -> HerokuProof {
    let mut proof = HerokuProof {
        status: HerokuStatus::NotChecked,
        line: String::new(),
        app: app.map(str::to_string),
        current_version: None,
        rollback_version: None,
        rollback_description: None,
        reason: None,
    };
    match check(app, app_hint, path, &mut proof) {
        Ok(()) => {
            proof.status = HerokuStatus::Checked;
            proof.line = format!(
                "heroku dry run: `heroku rollback --app {}` would return to v{}{} from current v{}; read with `heroku releases --json`, nothing changed",
                app.unwrap_or_default(),
                proof.rollback_version.unwrap_or(0),
                proof
                    .rollback_description
                    .as_deref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default(),
                proof
                    .current_version
                    .map_or_else(|| "?".to_string(), |v| v.to_string()),
            );
        }
        Err(reason) => {
            proof.line = format!("heroku dry run: not checked — {reason}");
            proof.reason = Some(reason);
        }
    }
    proof
}

fn check(
    app: Option<&str>,
    app_hint: &str,
    path: Option<&std::ffi::OsStr>,
    proof: &mut HerokuProof,
) -> Result<(), String> {
    let app = app.ok_or_else(|| format!("no production_app: {app_hint}"))?;
    if !is_app_name(app) {
        return Err(format!("`{app}` is not a Heroku app name"));
    }
    let releases = releases_json("heroku", &["heroku"], app, path, HEROKU_LIMIT)?;
    pick(&releases, proof)
}

fn pick(releases: &[Value], proof: &mut HerokuProof) -> Result<(), String> {
    let mut releases: Vec<&Value> = releases
        .iter()
        .filter(|r| r["version"].as_u64().is_some())
        .collect();
    releases.sort_by_key(|r| std::cmp::Reverse(r["version"].as_u64()));
    proof.current_version = releases
        .iter()
        .find(|r| r["current"] == Value::Bool(true))
        .or(releases.first())
        .and_then(|r| r["version"].as_u64());
    let target = releases
        .iter()
        .take(ROLLBACK_WINDOW)
        .filter(|r| r["status"] == "succeeded")
        .nth(1)
        .ok_or_else(|| {
            format!(
                "fewer than two succeeded releases among the newest {ROLLBACK_WINDOW}: `heroku rollback` has nothing to return to"
            )
        })?;
    proof.rollback_version = target["version"].as_u64();
    proof.rollback_description = target["description"]
        .as_str()
        .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|d| !d.is_empty());
    Ok(())
}

/// Heroku app names: lowercase letters, digits and dashes, starting with a
/// letter. Checked so the name can never be read as an option.
fn is_app_name(name: &str) -> bool {
    name.len() <= 100
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
