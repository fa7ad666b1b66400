//! `fly`: the app runs on Fly.io, which has no rollback command. The way
//! back is to find the previous release's image (`fly releases --app <app>
//! --image`) and deploy it again (`fly deploy --image <image> --app <app>`),
//! then revert the release in git so the next deploy does not bring it
//! back. `qa_environments.<app>.production_app` names the Fly app.
//!
//! The proof reads `fly releases --app <app> --json`, which only lists.
//! Its shape, checked in flyctl's source (`internal/command/apps/releases.go`
//! renders `[]fly.Release` with `render.JSON`; `fly.Release` in
//! superfly/fly-go `types.go` has no JSON tags): an array, newest first, of
//! objects keyed by the Go field names, `Version` (number), `Status`
//! (`complete`, `failed`, …), `Description`, `ImageRef`, `CreatedAt`, ….
//! The release to go back to is the newest one older than the current
//! (newest) release whose status is `complete` and whose image differs from
//! the current one: redeploying the same image would change nothing.

use std::ffi::OsStr;
use std::time::Duration;

use prod_smoke_model::{FlyProof, HerokuStatus, RollbackEvidence};
use serde_json::Value;

use super::StrategyAdapter;
use crate::target::{DeployTarget, app_or_placeholder, quoted, revert_command};
use crate::command::releases_json;

pub(crate) struct Fly;

/// Fly's API call may be slow; it must never hang a seal.
const FLY_LIMIT: Duration = Duration::from_secs(30);

/// Shown in `fly deploy --image` when the image could not be read.
pub(crate) const UNKNOWN_IMAGE: &str = "<previous-image>";

impl StrategyAdapter for Fly {
    const NAME: &'static str = "fly";

    fn prove(target: &DeployTarget<'_>, path: Option<&OsStr>, evidence: &mut RollbackEvidence) {
        evidence.fly = Some(previous_release(
            target.production_app,
            &target.production_app_key(),
            path,
        ));
    }

    fn commands(target: &DeployTarget<'_>, evidence: &RollbackEvidence) -> Vec<String> {
        let app = app_or_placeholder(target.production_app);
        let image = evidence
            .fly
            .as_ref()
            .and_then(|f| quoted(f.previous_image.as_deref()))
            .unwrap_or_else(|| UNKNOWN_IMAGE.to_string());
        let (revert, _) = revert_command(target, &evidence.revert);
        vec![
            format!("fly releases --app {app} --image   # find the previous release's image (Fly has no rollback command)"),
            format!("fly deploy --image {image} --app {app}   # fastest: redeploy the previous release's image"),
            format!("{revert}   # durable: revert the release, so the next fly deploy does not ship it again"),
        ]
    }
}

/// Which image `fly deploy --image` would go back to. Never fails: a
/// problem is a `not checked` proof with the reason.
pub fn previous_release(app: Option<&str>, app_hint: &str, path: Option<&OsStr>) -> FlyProof {
    let mut proof = FlyProof {
        status: HerokuStatus::NotChecked,
        line: String::new(),
        app: app.map(str::to_string),
        current_version: None,
        previous_version: None,
        previous_image: None,
        reason: None,
    };
    match check(app, app_hint, path, &mut proof) {
        Ok(()) => {
            proof.status = HerokuStatus::Checked;
            proof.line = format!(
                "fly dry run: `fly deploy --image {} --app {}` would go back to v{} from current v{}; read with `fly releases --json`, nothing changed",
                proof.previous_image.as_deref().unwrap_or_default(),
                app.unwrap_or_default(),
                proof.previous_version.unwrap_or(0),
                proof
                    .current_version
                    .map_or_else(|| "?".to_string(), |v| v.to_string()),
            );
        }
        Err(reason) => {
            proof.line = format!("fly dry run: not checked — {reason}");
            proof.reason = Some(reason);
        }
    }
    proof
}

fn check(
    app: Option<&str>,
    app_hint: &str,
    path: Option<&OsStr>,
    proof: &mut FlyProof,
) -> Result<(), String> {
    let app = app.ok_or_else(|| format!("no production_app: {app_hint}"))?;
    if !is_app_name(app) {
        return Err(format!("`{app}` is not a Fly app name"));
    }
    let releases = releases_json("fly", &["fly", "flyctl"], app, path, FLY_LIMIT)?;
    pick(&releases, proof)
}

fn pick(releases: &[Value], proof: &mut FlyProof) -> Result<(), String> {
    let mut releases: Vec<&Value> = releases
        .iter()
        .filter(|r| r["Version"].as_u64().is_some())
        .collect();
    releases.sort_by_key(|r| std::cmp::Reverse(r["Version"].as_u64()));
    let current = releases
        .first()
        .ok_or_else(|| "`fly releases --json` lists no release".to_string())?;
    proof.current_version = current["Version"].as_u64();
    let current_image = current["ImageRef"].as_str().unwrap_or_default();
    let previous = releases
        .iter()
        .skip(1)
        .find(|r| {
            r["Status"]
                .as_str()
                .is_some_and(|s| s.eq_ignore_ascii_case("complete"))
                && r["ImageRef"]
                    .as_str()
                    .is_some_and(|i| is_image_ref(i) && i != current_image)
        })
        .ok_or_else(|| {
            "no earlier complete release with another image: there is nothing to go back to"
                .to_string()
        })?;
    proof.previous_version = previous["Version"].as_u64();
    proof.previous_image = previous["ImageRef"].as_str().map(str::to_string);
    Ok(())
}

/// Fly app names: lowercase letters, digits and dashes. Checked so the
/// name can never be read as an option.
fn is_app_name(name: &str) -> bool {
    name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// An image reference as registries spell them (`registry.fly.io/app:tag`,
/// `…@sha256:…`): it goes into a printed command, so nothing else passes.
fn is_image_ref(image: &str) -> bool {
    !image.is_empty()
        && image.len() <= 512
        && !image.starts_with('-')
        && image
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "./:_@-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof() -> FlyProof {
        previous_release(None, "hint", None)
    }

    #[test]
    fn the_previous_image_skips_failed_and_same_image_releases() {
        let releases: Vec<Value> = serde_json::from_str(
            r#"[
              {"Version": 7, "Status": "complete", "ImageRef": "registry.fly.io/a:deployment-7"},
              {"Version": 6, "Status": "complete", "ImageRef": "registry.fly.io/a:deployment-7"},
              {"Version": 5, "Status": "failed", "ImageRef": "registry.fly.io/a:deployment-5"},
              {"Version": 4, "Status": "complete", "ImageRef": "registry.fly.io/a:deployment-4"}
            ]"#,
        )
        .unwrap();
        let mut p = proof();
        pick(&releases, &mut p).unwrap();
        assert_eq!(p.current_version, Some(7));
        assert_eq!(p.previous_version, Some(4));
        assert_eq!(
            p.previous_image.as_deref(),
            Some("registry.fly.io/a:deployment-4")
        );
    }

    #[test]
    fn a_hostile_image_is_never_printed() {
        let releases: Vec<Value> = serde_json::from_str(
            r#"[{"Version": 2, "Status": "complete", "ImageRef": "a:2"},
                {"Version": 1, "Status": "complete", "ImageRef": "a:1; rm -rf /"}]"#,
        )
        .unwrap();
        assert!(pick(&releases, &mut proof()).is_err());
    }
}
