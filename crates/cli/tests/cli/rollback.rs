//! The rollback dry run through the binary: a red run shows the proof in
//! stderr, results.json, report.html and the Discord payload, and
//! `prod-smoke rollback` exits 0/1/2/3; the repo is never touched.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use prod_smoke_fixture_site::Fault;
use prod_smoke_testkit::MockDiscord;

use crate::support::{BIN, Smoke, site};

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repo whose HEAD is a --no-ff release merge; `conflicting` adds a later
/// hotfix on the merged line. Returns (repo, merge sha).
fn hub_repo(dir: &Path, conflicting: bool) -> (PathBuf, String) {
    let repo = dir.join("hub");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("app.rb"), "one\ntwo\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "init"]);
    git(&repo, &["checkout", "-qb", "feature"]);
    std::fs::write(repo.join("app.rb"), "one\nTWO\n").unwrap();
    git(&repo, &["commit", "-qam", "feature"]);
    git(&repo, &["checkout", "-q", "main"]);
    git(
        &repo,
        &["merge", "-q", "--no-ff", "feature", "-m", "release"],
    );
    let merge = git(&repo, &["rev-parse", "HEAD"]);
    if conflicting {
        std::fs::write(repo.join("app.rb"), "one\nTWO hotfix\n").unwrap();
        git(&repo, &["commit", "-qam", "hotfix"]);
    }
    (repo, merge)
}

/// HEAD, refs, index, stash, worktrees and status: what the operator owns.
fn state(repo: &Path) -> String {
    let index = std::fs::read(repo.join(".git/index")).unwrap_or_default();
    let head = std::fs::read_to_string(repo.join(".git/HEAD")).unwrap();
    [
        head,
        format!("{index:?}"),
        git(repo, &["for-each-ref"]),
        git(repo, &["stash", "list"]),
        git(repo, &["worktree", "list", "--porcelain"]),
        git(repo, &["status", "--porcelain", "--untracked-files=all"]),
    ]
    .join("\n")
}

fn stub_heroku(dir: &Path) -> String {
    let bin = dir.join("stub-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("heroku");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf '%s\\n' '[{\"version\":7,\"status\":\"succeeded\",\"current\":true,\"description\":\"Deploy new\"},{\"version\":6,\"status\":\"succeeded\",\"description\":\"Deploy old\"}]'\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[tokio::test]
async fn a_red_run_shows_the_revert_proof_in_all_four_places() {
    let broken = site(&[Fault::WrongTitle]).await;
    let discord = MockDiscord::start().await.unwrap();
    let mut s = Smoke::against(&broken.base_url());
    let (repo, merge) = hub_repo(s.scratch.path(), false);
    let before = state(&repo);
    let config = s.scratch.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(
        config.join("qa_environments.yml"),
        "qa_environments:\n  mcritchie-studio:\n    production_app: mcritchie-prod\n",
    )
    .unwrap();
    s.args(["--repo", repo.to_str().unwrap(), "--sha", &merge]);
    s.args([
        "--config-dir",
        config.to_str().unwrap(),
        "--delivery-attempts",
        "1",
    ]);
    s.env("DISCORD_RELEASE_NOTES_WEBHOOK_URL", &discord.webhook_url());
    s.env("PROD_SMOKE_DISCORD_API_BASE", &discord.api_base());
    s.env("GITHUB_SERVER_URL", "https://github.com");
    s.env("GITHUB_REPOSITORY", "mcritchie/hub");
    s.env("GITHUB_RUN_ID", "4242");
    s.env("PATH", &stub_heroku(s.scratch.path()));
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");

    // stderr: the proof lines right under the block.
    let lines: Vec<&str> = f.stderr.lines().collect();
    let abandon = lines
        .iter()
        .position(|l| l.contains("Release#abandon!"))
        .expect("the block");
    assert!(
        lines[abandon + 1].starts_with("   revert dry run: applies cleanly — `git revert -m1 "),
        "{f}"
    );
    assert!(lines[abandon + 1].contains("changes 1 file on HEAD"), "{f}");
    assert!(
        lines[abandon + 1].contains("nothing pushed, committed or checked out"),
        "{f}"
    );
    assert!(
        lines[abandon + 2].contains("`heroku rollback --app mcritchie-prod` would return to v6"),
        "{f}"
    );

    let results = f.results(&s.artifacts());
    assert_eq!(
        results["rollback"]["revert"]["status"], "applies_cleanly",
        "{results:#}"
    );
    assert_eq!(results["rollback"]["revert"]["sha"], merge.as_str());
    assert_eq!(results["rollback"]["heroku"]["rollback_version"], 6);
    let html = std::fs::read_to_string(s.artifacts().join("report.html")).unwrap();
    assert!(
        html.contains("revert dry run: applies cleanly"),
        "report.html"
    );

    let posts = discord.delivered_posts();
    assert_eq!(posts.len(), 1);
    let payload = posts[0].json.clone().unwrap().to_string();
    assert!(
        payload.contains("revert dry run: applies cleanly"),
        "{payload}"
    );
    assert!(
        payload.contains("https://github.com/mcritchie/hub/actions/runs/4242"),
        "the red message links the CI run: {payload}"
    );
    assert_eq!(state(&repo), before, "the operator's repo is untouched");
}

fn rollback(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("rollback")
        .args(args)
        .current_dir(dir)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env_remove("PROD_SMOKE_GIT")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_rollback_command_exits_by_what_it_proved() {
    let dir = tempfile::tempdir().unwrap();
    let (clean_repo, clean_sha) = hub_repo(dir.path(), false);
    let other = tempfile::tempdir().unwrap();
    let (conflict_repo, conflict_sha) = hub_repo(other.path(), true);
    let before = (state(&clean_repo), state(&conflict_repo));
    let url = ["--url", "https://turf.example"];

    let (code, out, _) = rollback(
        dir.path(),
        &[
            &[
                "turf-monster",
                "--sha",
                &clean_sha,
                "--repo",
                clean_repo.to_str().unwrap(),
            ],
            &url[..],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("   revert dry run: applies cleanly"), "{out}");
    // Not in config: placeholders and the key that would fill them.
    assert!(
        out.contains("heroku rollback --app <production_app>"),
        "{out}"
    );
    assert!(
        out.contains("no production_app: set qa_environments.turf-monster.production_app"),
        "{out}"
    );

    let (code, out, _) = rollback(
        dir.path(),
        &[
            &[
                "turf-monster",
                "--sha",
                &conflict_sha,
                "--repo",
                conflict_repo.to_str().unwrap(),
            ],
            &url[..],
        ]
        .concat(),
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("revert dry run: conflict — ") && out.contains("conflicts in app.rb"),
        "{out}"
    );

    let (code, out, _) = rollback(
        dir.path(),
        &[&["turf-monster", "--sha", &clean_sha], &url[..]].concat(),
    );
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("git -C <repo> revert -m1"), "{out}");
    assert!(
        out.contains(
            "not checked — no repo: set apps.turf-monster.repo in config/release_repos.yml"
        ),
        "{out}"
    );

    let (code, _, err) = rollback(
        dir.path(),
        &[&["turf-monster", "--sha", "main; rm -rf /"], &url[..]].concat(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not a commit sha"), "{err}");

    assert_eq!((state(&clean_repo), state(&conflict_repo)), before);
}

/// A hub database whose active release deployed `sha`.
async fn release_with_sha(sha: &str) -> prod_smoke_testkit::TestPostgres {
    let db = prod_smoke_testkit::TestPostgres::create().await.unwrap();
    db.run_script(prod_smoke_testkit::fixtures::HUB_SCHEMA)
        .await
        .unwrap();
    let mut conn = db.connect().await.unwrap();
    sqlx::query(
        "INSERT INTO releases (slug, state, deployed_sha, production_url, branch, created_at, updated_at) \
         VALUES ('2026-12-03-rc1', 'assembled', $1, 'https://mcritchie.studio', 'main', now(), now())",
    )
    .bind(sha)
    .execute(&mut conn)
    .await
    .unwrap();
    let _ = sqlx::Connection::close(conn).await;
    db
}

#[tokio::test]
async fn without_sha_the_proof_reverts_the_releases_deployed_sha() {
    let broken = site(&[Fault::WrongTitle]).await;
    let discord = MockDiscord::start().await.unwrap();
    let mut s = Smoke::against(&broken.base_url());
    let (repo, merge) = hub_repo(s.scratch.path(), false);
    let before = state(&repo);
    let db = release_with_sha(&merge).await;
    s.args(["--repo", repo.to_str().unwrap(), "--delivery-attempts", "1"]);
    s.env("DATABASE_URL", db.url());
    s.env("DISCORD_RELEASE_NOTES_WEBHOOK_URL", &discord.webhook_url());
    s.env("PROD_SMOKE_DISCORD_API_BASE", &discord.api_base());
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");

    // All four places name the release's sha and the clean proof.
    let revert = format!("revert -m1 {merge} && git");
    assert!(f.stderr.contains(&revert), "stderr block: {f}");
    assert!(
        f.stderr.contains("   revert dry run: applies cleanly"),
        "{f}"
    );
    let results = f.results(&s.artifacts());
    assert_eq!(results["rollback"]["revert"]["status"], "applies_cleanly");
    assert_eq!(results["rollback"]["revert"]["sha"], merge.as_str());
    assert!(
        results["rollback"]["block"]
            .as_str()
            .unwrap()
            .contains(&revert)
    );
    let html = std::fs::read_to_string(s.artifacts().join("report.html")).unwrap();
    assert!(html.contains("revert dry run: applies cleanly"));
    let payload = discord.delivered_posts()[0]
        .json
        .clone()
        .unwrap()
        .to_string();
    assert!(payload.contains(&merge), "{payload}");
    let beat = std::fs::read_to_string(s.artifacts().join("heartbeat.log")).unwrap();
    assert!(
        beat.contains(&format!(
            "rollback sha: {merge} — deployed_sha of release 2026-12-03-rc1 (the active release)"
        )),
        "{beat}"
    );

    // The lookup is read-only: the release row is as it was, but for the
    // seal the delivery wrote.
    let mut conn = db.connect().await.unwrap();
    let (sha, count): (String, i64) =
        sqlx::query_as("SELECT max(deployed_sha), count(*) FROM releases")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!((sha.as_str(), count), (merge.as_str(), 1));
    assert_eq!(state(&repo), before, "the operator's repo is untouched");

    // `prod-smoke rollback` without --sha takes the same sha.
    let out = Command::new(BIN)
        .args(["rollback", "--url", "https://mcritchie.studio", "--repo"])
        .arg(&repo)
        .current_dir(s.scratch.path())
        .env("DATABASE_URL", db.url())
        .env("XDG_STATE_HOME", s.scratch.path().join("state"))
        .env_remove("PROD_SMOKE_GIT")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(&revert), "{stdout}");
    assert_eq!(state(&repo), before);
}

#[tokio::test]
async fn an_unreachable_database_leaves_the_proof_not_checked_and_the_seal_kept() {
    let broken = site(&[Fault::WrongTitle]).await;
    let mut s = Smoke::against(&broken.base_url());
    let (repo, _) = hub_repo(s.scratch.path(), false);
    // Nothing listens on port 9 of loopback: the connection is refused.
    s.env("DATABASE_URL", "postgres://postgres@127.0.0.1:9/hub");
    s.args(["--repo", repo.to_str().unwrap(), "--delivery-attempts", "1"]);
    let f = s.run().await;
    assert_eq!(f.code, 1, "{f}");
    let results = f.results(&s.artifacts());
    let revert = &results["rollback"]["revert"];
    assert_eq!(revert["status"], "not_checked", "{results:#}");
    let line = revert["line"].as_str().unwrap();
    assert!(
        line.contains("not checked")
            && line.contains("the release's deployed_sha could not be looked up"),
        "{line}"
    );
    assert!(f.stderr.contains(line), "the same line on stderr: {f}");
    assert!(f.stderr.contains("<release-merge-sha>"), "{f}");
    // The seal is still recorded, with Postgres left pending for replay.
    assert!(f.stderr.contains("  seal: ledger "), "{f}");
    assert!(f.stderr.contains("🔴 Production smoke seal: FAILED"), "{f}");
}

/// `prod-smoke rollback` with `bin` first on PATH (stub platform CLIs).
fn rollback_with_path(dir: &Path, bin: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("rollback")
        .args(args)
        .current_dir(dir)
        .env(
            "PATH",
            format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display()),
        )
        .env_remove("PROD_SMOKE_GIT")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_block_follows_the_configured_strategy_and_a_shallow_clone_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = hub_repo(dir.path(), false);
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(
        config.join("release_repos.yml"),
        format!(
            "apps:\n  studio:\n    repo: {repo}\n    prod_deploy:\n      strategy: github_actions\n      workflow: deploy.yml\n      smoke_url: https://studio.example\n  flyer:\n    repo: {repo}\n    prod_deploy:\n      strategy: fly\n      smoke_url: https://flyer.example\n",
            repo = repo.display()
        ),
    )
    .unwrap();
    std::fs::write(
        config.join("qa_environments.yml"),
        "qa_environments:\n  flyer:\n    production_app: flyer-prod\n",
    )
    .unwrap();
    // A stub `fly` and a `heroku` that must never be asked.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let asked = dir.path().join("asked");
    for (name, json) in [
        (
            "fly",
            r#"[{"Version":2,"Status":"complete","ImageRef":"registry.fly.io/flyer:deployment-2"},{"Version":1,"Status":"complete","ImageRef":"registry.fly.io/flyer:deployment-1"}]"#,
        ),
        ("heroku", "[]"),
    ] {
        let script = bin.join(name);
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\necho \"{name} $@\" >> '{}'\nprintf '%s\\n' '{json}'\n",
                asked.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let config_arg = config.to_str().unwrap();

    let (code, out, err) = rollback_with_path(
        dir.path(),
        &bin,
        &["studio", "--config-dir", config_arg, "--sha", &merge],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "git -C {} revert -m1 {merge} && git -C {} push origin main   # durable: revert the merge; the push runs the deploy.yml workflow",
            repo.display(),
            repo.display()
        )),
        "{out}"
    );
    assert!(!out.contains("heroku"), "{out}");

    let (code, out, err) = rollback_with_path(
        dir.path(),
        &bin,
        &[
            "flyer",
            "--config-dir",
            config_arg,
            "--sha",
            &merge,
            "--json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let proof: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(proof["strategy"], "fly");
    assert_eq!(
        proof["fly"]["previous_image"],
        "registry.fly.io/flyer:deployment-1"
    );
    assert!(
        proof["block"]
            .as_str()
            .unwrap()
            .contains("fly deploy --image registry.fly.io/flyer:deployment-1 --app flyer-prod"),
        "{proof:#}"
    );
    let asked_text = std::fs::read_to_string(&asked).unwrap();
    assert_eq!(asked_text.trim(), "fly releases --app flyer-prod --json");

    // GitHub Actions' default checkout: depth 1. Not checked, exit 3, and
    // the fetch that fixes it.
    let shallow = dir.path().join("shallow");
    git(
        dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &format!("file://{}", repo.display()),
            shallow.to_str().unwrap(),
        ],
    );
    let (code, out, err) = rollback_with_path(
        dir.path(),
        &bin,
        &[
            "studio",
            "--config-dir",
            config_arg,
            "--sha",
            &merge,
            "--repo",
            shallow.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("not checked — shallow clone"), "{out}");
    assert!(out.contains("fetch --unshallow"), "{out}");
    assert!(!out.contains("not a merge commit"), "{out}");
}
