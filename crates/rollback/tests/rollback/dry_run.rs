//! The dry run against real git repos made here: a merge that reverts
//! cleanly, one that conflicts with a later commit, and the repo left
//! byte-identical, with both methods (git 2.40+ merge-tree, and the
//! throwaway worktree that older git gets).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use prod_smoke_model::{HerokuStatus, RevertStatus};
use prod_smoke_rollback::{
    METHOD_MERGE_TREE, METHOD_WORKTREE, RevertRequest, heroku_rollback_target, prove_revert,
};
use sha2::{Digest, Sha256};

/// git 2.47 here; Debian's /usr/bin/git is 2.39, which lacks `merge-tree --merge-base`.
pub(crate) const NEW_GIT: &str = "/usr/local/bin/git";
pub(crate) const OLD_GIT: &str = "/usr/bin/git";

pub(crate) fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new(NEW_GIT)
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub(crate) fn write(repo: &Path, file: &str, text: &str) {
    std::fs::write(repo.join(file), text).unwrap();
}

/// A hub-like repo: main, a feature merged with --no-ff (the release's
/// merge commit), returned as (repo, merge sha). The operator also has a
/// stash, a second worktree, a staged change and an untracked file.
pub(crate) fn repo_with_merge(dir: &Path) -> (PathBuf, String) {
    let repo = dir.join("hub");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    write(&repo, "app.rb", "one\ntwo\nthree\n");
    write(&repo, "README", "hub\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "init"]);
    git(&repo, &["checkout", "-qb", "feature"]);
    write(&repo, "app.rb", "one\nTWO\nthree\n");
    write(&repo, "new.rb", "new\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "feature"]);
    git(&repo, &["checkout", "-q", "main"]);
    git(
        &repo,
        &["merge", "-q", "--no-ff", "feature", "-m", "release merge"],
    );
    let merge = git(&repo, &["rev-parse", "HEAD"]);
    (repo, merge)
}

/// The operator's state that must survive: the stash, a worktree, staged
/// and untracked changes.
fn operator_state(repo: &Path, dir: &Path) {
    write(repo, "README", "hub, stashed edit\n");
    git(repo, &["stash", "-q"]);
    let other = dir.join("other-worktree");
    git(
        repo,
        &["worktree", "add", "-q", other.to_str().unwrap(), "feature"],
    );
    write(repo, "README", "hub, staged edit\n");
    git(repo, &["add", "README"]);
    write(repo, "scratch.txt", "untracked\n");
}

/// Everything the operator owns, hashed: HEAD, refs, index, stash list,
/// worktree list, status, every file in the working tree and the object store.
pub(crate) fn fingerprint(repo: &Path) -> String {
    let mut h = Sha256::new();
    let mut files = Vec::new();
    walk(repo, &mut files);
    files.sort();
    for f in files {
        h.update(f.to_string_lossy().as_bytes());
        h.update(std::fs::read(&f).unwrap_or_default());
    }
    for args in [
        &["stash", "list"][..],
        &["worktree", "list", "--porcelain"],
        &["status", "--porcelain"],
        &["for-each-ref"],
    ] {
        h.update(git(repo, args).as_bytes());
    }
    hex::encode(h.finalize())
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

pub(crate) fn request<'a>(git: &'a Path, repo: &'a str, sha: &'a str) -> RevertRequest<'a> {
    RevertRequest {
        git: Some(git),
        repo: Some(repo),
        repo_hint: "pass --repo",
        sha: Some(sha),
        sha_hint: "pass --sha",
    }
}

pub(crate) fn both_methods() -> [(&'static str, &'static str); 2] {
    [(NEW_GIT, METHOD_MERGE_TREE), (OLD_GIT, METHOD_WORKTREE)]
}

#[test]
fn a_merge_that_reverts_cleanly_is_proven_and_the_repo_is_untouched() {
    for (git_bin, method) in both_methods() {
        let dir = tempfile::tempdir().unwrap();
        let (repo, merge) = repo_with_merge(dir.path());
        // A later, unrelated commit: the revert still applies.
        write(&repo, "other.rb", "later\n");
        git(&repo, &["add", "other.rb"]);
        git(&repo, &["commit", "-qm", "unrelated later work"]);
        operator_state(&repo, dir.path());
        let head = git(&repo, &["rev-parse", "HEAD"]);
        let before = fingerprint(&repo);

        let proof = prove_revert(&request(Path::new(git_bin), repo.to_str().unwrap(), &merge));
        assert_eq!(
            proof.status,
            RevertStatus::AppliesCleanly,
            "{git_bin}: {proof:#?}"
        );
        assert_eq!(proof.method.as_deref(), Some(method));
        assert_eq!(
            proof.files_changed,
            Some(2),
            "app.rb and new.rb: {proof:#?}"
        );
        assert_eq!(proof.head.as_deref(), Some(head.as_str()));
        assert_eq!(proof.head_ref.as_deref(), Some("main"));
        assert!(
            proof
                .line
                .starts_with("revert dry run: applies cleanly — `git revert -m1 "),
            "{}",
            proof.line
        );
        assert!(
            proof.line.contains("changes 2 files on HEAD"),
            "{}",
            proof.line
        );
        assert!(
            proof.line.contains(&format!("checked with {method}")),
            "{}",
            proof.line
        );
        assert!(
            proof
                .line
                .contains("nothing pushed, committed or checked out"),
            "{}",
            proof.line
        );
        assert_eq!(fingerprint(&repo), before, "{git_bin}: the repo changed");

        // And the proof is right: a real revert in a copy applies.
        let copy = dir.path().join("copy");
        git(
            dir.path(),
            &[
                "clone",
                "-q",
                repo.to_str().unwrap(),
                copy.to_str().unwrap(),
            ],
        );
        git(&copy, &["revert", "--no-edit", "-m1", &merge]);
    }
}

#[test]
fn a_merge_that_conflicts_with_a_later_commit_names_each_path() {
    for (git_bin, method) in both_methods() {
        let dir = tempfile::tempdir().unwrap();
        let (repo, merge) = repo_with_merge(dir.path());
        // A hotfix on the merged line: reverting the merge now conflicts.
        write(&repo, "app.rb", "one\nTWO, hotfixed\nthree\n");
        git(&repo, &["commit", "-qam", "hotfix on the merged line"]);
        operator_state(&repo, dir.path());
        let before = fingerprint(&repo);

        let proof = prove_revert(&request(Path::new(git_bin), repo.to_str().unwrap(), &merge));
        assert_eq!(
            proof.status,
            RevertStatus::Conflict,
            "{git_bin}: {proof:#?}"
        );
        assert_eq!(proof.method.as_deref(), Some(method));
        assert_eq!(proof.conflicts, ["app.rb"]);
        assert!(
            proof.line.starts_with("revert dry run: conflict — "),
            "{}",
            proof.line
        );
        assert!(proof.line.contains("conflicts in app.rb"), "{}", proof.line);
        assert_eq!(fingerprint(&repo), before, "{git_bin}: the repo changed");
        assert!(
            !git(&repo, &["worktree", "list"]).contains("revert-dry-run"),
            "the throwaway worktree is gone"
        );
    }
}

#[test]
fn not_checked_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = repo_with_merge(dir.path());
    let repo_text = repo.to_str().unwrap();
    let first = git(&repo, &["rev-parse", "HEAD^1"]);
    let git_bin = Path::new(NEW_GIT);
    let before = fingerprint(&repo);

    let no_repo = prove_revert(&RevertRequest {
        sha: Some(&merge),
        repo_hint: "set apps.turf-monster.repo in config/release_repos.yml or pass --repo",
        ..RevertRequest::default()
    });
    assert_eq!(no_repo.status, RevertStatus::NotChecked);
    assert!(
        no_repo
            .line
            .starts_with("revert dry run: not checked — no repo: set apps.turf-monster.repo"),
        "{}",
        no_repo.line
    );

    let cases = [
        (
            request(git_bin, repo_text, "0123456789abcdef"),
            "unknown sha: 0123456789abcdef",
        ),
        (
            request(git_bin, repo_text, &first),
            "the repo's first commit",
        ),
        (
            request(git_bin, repo_text, "--output=x"),
            "is not a commit sha",
        ),
        (
            request(git_bin, "/nonexistent/repo", &merge),
            "no repo at /nonexistent/repo",
        ),
        (
            RevertRequest {
                sha: None,
                sha_hint: "pass --sha",
                ..request(git_bin, repo_text, "")
            },
            "unknown sha: pass --sha",
        ),
    ];
    for (req, want) in cases {
        let proof = prove_revert(&req);
        assert_eq!(proof.status, RevertStatus::NotChecked, "{proof:#?}");
        assert!(proof.line.contains(want), "{want}: {}", proof.line);
        assert!(proof.line.starts_with("revert dry run: not checked — "));
    }
    assert_eq!(fingerprint(&repo), before);
}

/// A stub `heroku` that prints a release list and records its arguments.
pub(crate) fn stub_heroku(dir: &Path, json: &str) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("heroku");
    std::fs::write(
        &script,
        format!(
            // Shell builtins only: PATH holds nothing but this stub.
            "#!/bin/sh\necho \"$@\" >> '{}'\nprintf '%s\\n' '{json}'\n",
            dir.join("heroku-args").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn heroku_names_the_release_a_rollback_would_return_to() {
    let dir = tempfile::tempdir().unwrap();
    // Newest first, as the CLI prints; v41 failed, so rollback skips it.
    let bin = stub_heroku(
        dir.path(),
        r#"[{"version":42,"status":"succeeded","current":true,"description":"Deploy abc1234"},
            {"version":41,"status":"failed","current":false,"description":"Deploy bad"},
            {"version":40,"status":"succeeded","current":false,"description":"Deploy 9f8e7d6"}]"#,
    );
    let proof = heroku_rollback_target(Some("mcritchie-prod"), "", Some(bin.as_os_str()));
    assert_eq!(proof.status, HerokuStatus::Checked, "{proof:#?}");
    assert_eq!(proof.rollback_version, Some(40));
    assert_eq!(proof.current_version, Some(42));
    assert!(
        proof.line.contains("`heroku rollback --app mcritchie-prod` would return to v40 (Deploy 9f8e7d6) from current v42"),
        "{}",
        proof.line
    );
    let args = std::fs::read_to_string(dir.path().join("heroku-args")).unwrap();
    assert_eq!(
        args.trim(),
        "releases --app mcritchie-prod --json",
        "read-only call only"
    );
}

#[test]
fn heroku_not_checked_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let proof = heroku_rollback_target(Some("mcritchie-prod"), "", Some(empty.as_os_str()));
    assert_eq!(proof.status, HerokuStatus::NotChecked);
    assert_eq!(
        proof.line,
        "heroku dry run: not checked — the heroku CLI is not on PATH"
    );

    let proof = heroku_rollback_target(
        None,
        "set qa_environments.x.production_app in config/qa_environments.yml",
        Some(empty.as_os_str()),
    );
    assert!(
        proof
            .line
            .contains("no production_app: set qa_environments.x.production_app"),
        "{}",
        proof.line
    );

    let bin = stub_heroku(
        dir.path(),
        r#"[{"version":1,"status":"succeeded","current":true}]"#,
    );
    let proof = heroku_rollback_target(Some("mcritchie-prod"), "", Some(bin.as_os_str()));
    assert!(
        proof.line.contains("nothing to return to"),
        "{}",
        proof.line
    );
}
