//! The block follows `prod_deploy.strategy`: one test per strategy, each
//! against a real repo, with stub `heroku` and `fly` CLIs on a private
//! PATH where the real ones would need the network.

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use prod_smoke_model::{HerokuStatus, RevertStatus};
use prod_smoke_rollback::{DeployTarget, Strategy, Tools, block_with_proof, prove_rollback};

use crate::dry_run::{NEW_GIT, git, repo_with_merge, stub_heroku, write};

const HEADER: &str = "🔴 PRODUCTION SMOKE SEAL FAILED — mcritchie.studio
   The deploy already landed; this is a post-ship SEAL, so the ship is NOT aborted.
   Roll back ONLY if you decide to (the seal never auto-rolls-back):";
const ABANDON: &str = "     Release#abandon!   # board-side: pull the RC's members back to reviewed (only while still active)";

/// Fly's `releases --json`, shaped as flyctl renders `[]fly.Release`
/// (Go field names, newest first): v3 is the broken deploy, v2 failed,
/// v1 is the image to go back to.
const FLY_RELEASES: &str = r#"[{"ID":"r3","Version":3,"Stable":false,"InProgress":false,"Reason":"","Description":"Release","Status":"complete","DeploymentStrategy":"rolling","Metadata":null,"User":{"ID":"u","Email":"ops@example.com","Name":"ops"},"EvaluationID":"","CreatedAt":"2026-12-06T20:00:00Z","ImageRef":"registry.fly.io/mcritchie-fly:deployment-03"},{"ID":"r2","Version":2,"Stable":false,"InProgress":false,"Reason":"","Description":"Release","Status":"failed","DeploymentStrategy":"rolling","Metadata":null,"User":{"ID":"u","Email":"ops@example.com","Name":"ops"},"EvaluationID":"","CreatedAt":"2026-12-05T20:00:00Z","ImageRef":"registry.fly.io/mcritchie-fly:deployment-02"},{"ID":"r1","Version":1,"Stable":true,"InProgress":false,"Reason":"","Description":"Release","Status":"complete","DeploymentStrategy":"rolling","Metadata":null,"User":{"ID":"u","Email":"ops@example.com","Name":"ops"},"EvaluationID":"","CreatedAt":"2026-12-04T20:00:00Z","ImageRef":"registry.fly.io/mcritchie-fly:deployment-01"}]"#;

/// A stub `fly` on `dir/bin` that prints `json` and records its arguments.
fn stub_fly(dir: &Path, json: &str) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("fly");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nprintf '%s\\n' '{json}'\n",
            dir.join("fly-args").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

fn target<'a>(strategy: Option<&'a str>, repo: &'a str, sha: &'a str) -> DeployTarget<'a> {
    DeployTarget {
        app: "mcritchie-studio",
        strategy,
        production_app: Some("mcritchie-prod"),
        repo: Some(repo),
        sha: Some(sha),
        ..DeployTarget::default()
    }
}

fn prove(t: &DeployTarget<'_>, path: Option<&OsStr>) -> prod_smoke_model::RollbackEvidence {
    prove_rollback(
        "mcritchie.studio",
        t,
        Tools {
            git: Some(Path::new(NEW_GIT)),
            path,
        },
        "pass --repo",
        "pass --sha",
    )
}

fn commands(block: &str) -> Vec<&str> {
    let body = block
        .strip_prefix(HEADER)
        .unwrap_or_else(|| panic!("header: {block}"));
    let body = body
        .strip_suffix(ABANDON)
        .unwrap_or_else(|| panic!("abandon line: {block}"));
    body.lines().filter(|l| !l.is_empty()).collect()
}

#[test]
fn git_push_heroku_is_the_contract_block_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = repo_with_merge(dir.path());
    let bin = stub_heroku(
        dir.path(),
        r#"[{"version":9,"status":"succeeded","current":true,"description":"Deploy b"},{"version":8,"status":"succeeded","description":"Deploy a"}]"#,
    );
    let repo_text = repo.to_str().unwrap();
    for strategy in [None, Some("git_push_heroku"), Some("  ")] {
        let t = target(strategy, repo_text, &merge);
        let ev = prove(&t, Some(bin.as_os_str()));
        assert_eq!(ev.strategy, "git_push_heroku");
        let expected = format!(
            "{HEADER}
     heroku rollback --app mcritchie-prod   # fastest: revert the dyno to the prior release
     git -C {repo_text} revert -m1 {merge} && git -C {repo_text} push heroku main   # durable: revert the merge + redeploy
{ABANDON}"
        );
        assert_eq!(ev.block, expected);
        assert_eq!(ev.heroku.as_ref().unwrap().status, HerokuStatus::Checked);
        assert_eq!(ev.lines().len(), 2, "revert and heroku lines");
        assert!(ev.fly.is_none());
    }
}

#[test]
fn a_squash_release_prints_a_plain_revert_in_the_block_and_its_proof() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("app");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    write(&repo, "a.rb", "a\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "init"]);
    write(&repo, "a.rb", "b\n");
    git(&repo, &["commit", "-qam", "squashed release"]);
    let sha = git(&repo, &["rev-parse", "HEAD"]);
    let repo_text = repo.to_str().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for strategy in ["git_push_heroku", "github_actions", "fly", "repo_script"] {
        let ev = prove(
            &target(Some(strategy), repo_text, &sha),
            Some(empty.as_os_str()),
        );
        assert_eq!(ev.revert.status, RevertStatus::AppliesCleanly, "{ev:#?}");
        assert!(
            ev.block
                .contains(&format!("git -C {repo_text} revert {sha}")),
            "{strategy}: {}",
            ev.block
        );
        assert!(!ev.block.contains("-m1"), "{strategy}: {}", ev.block);
        assert!(
            ev.revert
                .line
                .contains(&format!("`git revert {}`", &sha[..10])),
            "{}",
            ev.revert.line
        );
    }
}

#[test]
fn github_actions_pushes_to_the_workflow_branch_with_no_heroku_line() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = repo_with_merge(dir.path());
    let repo_text = repo.to_str().unwrap();
    let bin = stub_heroku(dir.path(), "[]");
    let t = DeployTarget {
        workflow: Some("deploy.yml"),
        branch: Some("production"),
        ..target(Some("github_actions"), repo_text, &merge)
    };
    let ev = prove(&t, Some(bin.as_os_str()));
    assert_eq!(
        commands(&ev.block),
        vec![format!(
            "     git -C {repo_text} revert -m1 {merge} && git -C {repo_text} push origin production   # durable: revert the merge; the push runs the deploy.yml workflow, which redeploys"
        )]
    );
    assert!(!ev.block.contains("heroku"), "{}", ev.block);
    assert!(ev.heroku.is_none() && ev.fly.is_none());
    assert_eq!(ev.lines(), vec![ev.revert.line.as_str()]);
    assert!(
        !dir.path().join("heroku-args").exists(),
        "heroku must not be asked"
    );

    // Without a branch or a workflow: main, and the key that names it.
    let ev = prove(&target(Some("github_actions"), repo_text, &merge), None);
    let block = &ev.block;
    assert!(block.contains("push origin main   # durable"), "{block}");
    assert!(
        block.contains("set apps.mcritchie-studio.prod_deploy.workflow"),
        "{block}"
    );
}

#[test]
fn fly_reads_the_previous_image_into_the_deploy_command() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = repo_with_merge(dir.path());
    let repo_text = repo.to_str().unwrap();
    let bin = stub_fly(dir.path(), FLY_RELEASES);
    let t = DeployTarget {
        production_app: Some("mcritchie-fly"),
        ..target(Some("fly"), repo_text, &merge)
    };
    let ev = prove(&t, Some(bin.as_os_str()));
    let fly = ev.fly.as_ref().expect("fly proof");
    assert_eq!(fly.status, HerokuStatus::Checked, "{fly:#?}");
    assert_eq!(
        fly.previous_image.as_deref(),
        Some("registry.fly.io/mcritchie-fly:deployment-01")
    );
    assert_eq!(
        (fly.current_version, fly.previous_version),
        (Some(3), Some(1))
    );
    assert_eq!(
        commands(&ev.block),
        vec![
            "     fly releases --app mcritchie-fly --image   # find the previous release's image (Fly has no rollback command)".to_string(),
            "     fly deploy --image registry.fly.io/mcritchie-fly:deployment-01 --app mcritchie-fly   # fastest: redeploy the previous release's image".to_string(),
            format!("     git -C {repo_text} revert -m1 {merge}   # durable: revert the release, so the next fly deploy does not ship it again"),
        ]
    );
    assert!(!ev.block.contains("heroku"), "{}", ev.block);
    assert!(
        fly.line.starts_with("fly dry run: `fly deploy --image registry.fly.io/mcritchie-fly:deployment-01 --app mcritchie-fly` would go back to v1 from current v3"),
        "{}",
        fly.line
    );
    // Read-only: the stub was asked to list, nothing else.
    let args = std::fs::read_to_string(dir.path().join("fly-args")).unwrap();
    assert_eq!(args.trim(), "releases --app mcritchie-fly --json");
    let shown = block_with_proof(&ev.block, Some(&ev));
    assert!(shown.ends_with(&format!("\n   {}", fly.line)), "{shown}");
}

#[test]
fn fly_without_its_cli_says_not_checked_and_keeps_a_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = repo_with_merge(dir.path());
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let ev = prove(
        &target(Some("fly"), repo.to_str().unwrap(), &merge),
        Some(empty.as_os_str()),
    );
    let fly = ev.fly.as_ref().unwrap();
    assert_eq!(fly.status, HerokuStatus::NotChecked);
    assert_eq!(
        fly.line,
        "fly dry run: not checked — the fly CLI is not on PATH"
    );
    assert!(
        ev.block
            .contains("fly deploy --image <previous-image> --app mcritchie-prod"),
        "{}",
        ev.block
    );

    // No Fly app configured: the key to set.
    let t = DeployTarget {
        production_app: None,
        ..target(Some("fly"), repo.to_str().unwrap(), &merge)
    };
    let ev = prove(&t, Some(empty.as_os_str()));
    assert!(ev.block.contains("--app <production_app>"), "{}", ev.block);
    assert!(
        ev.fly
            .unwrap()
            .line
            .contains("no production_app: set qa_environments.mcritchie-studio.production_app")
    );
}

#[test]
fn repo_script_prints_the_configured_script_and_never_guesses() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = repo_with_merge(dir.path());
    let repo_text = repo.to_str().unwrap();
    let t = DeployTarget {
        rollback_script: Some("bin/rollback --to previous"),
        ..target(Some("repo_script"), repo_text, &merge)
    };
    let ev = prove(&t, None);
    let lines = commands(&ev.block);
    assert_eq!(
        lines[0],
        "     bin/rollback --to previous   # the app's own rollback (apps.mcritchie-studio.prod_deploy.rollback_script)"
    );
    assert!(lines[1].contains(&format!("git -C {repo_text} revert -m1 {merge}")));
    assert!(!ev.block.contains("heroku") && !ev.block.contains("fly "));

    let ev = prove(&target(Some("repo_script"), repo_text, &merge), None);
    assert!(
        ev.block.contains(
            "<rollback_script>   # not configured: set apps.mcritchie-studio.prod_deploy.rollback_script in config/release_repos.yml"
        ),
        "{}",
        ev.block
    );
}

#[test]
fn an_unknown_strategy_gets_placeholders_and_the_key_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = repo_with_merge(dir.path());
    let ev = prove(
        &target(Some("kubernetes"), repo.to_str().unwrap(), &merge),
        None,
    );
    assert_eq!(ev.strategy, "kubernetes");
    let block = &ev.block;
    assert!(
        block.contains("<rollback-command>   # prod_deploy.strategy `kubernetes` is not one prod-smoke knows: set apps.mcritchie-studio.prod_deploy.strategy in config/release_repos.yml to one of git_push_heroku, github_actions, fly, repo_script"),
        "{block}"
    );
    assert!(!block.contains("heroku rollback"), "{block}");
    assert_eq!(ev.revert.status, RevertStatus::AppliesCleanly);
    assert_eq!(
        Strategy::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        ["git_push_heroku", "github_actions", "fly", "repo_script"]
    );
}
