//! The shapes a release takes in git besides a `--no-ff` merge: a squash
//! merge and a direct commit (one parent: `git revert <sha>`), and a
//! shallow clone, GitHub Actions' default, that lacks the parents.

use std::path::{Path, PathBuf};

use prod_smoke_model::RevertStatus;
use prod_smoke_rollback::prove_revert;

use crate::dry_run::{NEW_GIT, both_methods, fingerprint, git, repo_with_merge, request, write};

/// main with a feature squash-merged onto it: returns (repo, squash sha).
fn repo_with_squash(dir: &Path) -> (PathBuf, String) {
    let repo = dir.join("squashed");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    write(&repo, "app.rb", "one\ntwo\nthree\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "init"]);
    git(&repo, &["checkout", "-qb", "feature"]);
    write(&repo, "app.rb", "one\nTWO\nthree\n");
    git(&repo, &["commit", "-qam", "feature 1"]);
    write(&repo, "new.rb", "new\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "feature 2"]);
    git(&repo, &["checkout", "-q", "main"]);
    git(&repo, &["merge", "-q", "--squash", "feature"]);
    git(&repo, &["commit", "-qm", "release (squash)"]);
    let sha = git(&repo, &["rev-parse", "HEAD"]);
    (repo, sha)
}

#[test]
fn a_squash_merge_gets_a_plain_revert_proven_by_the_same_dry_run() {
    for (git_bin, method) in both_methods() {
        let dir = tempfile::tempdir().unwrap();
        let (repo, sha) = repo_with_squash(dir.path());
        write(&repo, "later.rb", "later\n");
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-qm", "later work"]);
        let before = fingerprint(&repo);

        let proof = prove_revert(&request(Path::new(git_bin), repo.to_str().unwrap(), &sha));
        assert_eq!(
            proof.status,
            RevertStatus::AppliesCleanly,
            "{git_bin}: {proof:#?}"
        );
        assert_eq!(proof.parents, Some(1));
        assert_eq!(proof.revert_options(), "");
        assert_eq!(proof.method.as_deref(), Some(method));
        assert_eq!(proof.files_changed, Some(2), "{proof:#?}");
        let short = &sha[..10];
        assert!(
            proof.line.starts_with(&format!(
                "revert dry run: applies cleanly — `git revert {short}` (a commit with one parent: a squash merge or a direct commit) changes 2 files"
            )),
            "{}",
            proof.line
        );
        assert!(!proof.line.contains("-m1"), "{}", proof.line);
        assert_eq!(fingerprint(&repo), before, "{git_bin}: the repo changed");

        // The proof is right: the plain revert applies in a copy.
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
        git(&copy, &["revert", "--no-edit", &sha]);
    }
}

#[test]
fn a_direct_commit_that_conflicts_names_the_path_with_a_plain_revert() {
    for (git_bin, _) in both_methods() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("direct");
        std::fs::create_dir(&repo).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        write(&repo, "app.rb", "one\ntwo\nthree\n");
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-qm", "init"]);
        write(&repo, "app.rb", "one\nTWO\nthree\n");
        git(&repo, &["commit", "-qam", "hotfix straight on main"]);
        let sha = git(&repo, &["rev-parse", "HEAD"]);
        // A later commit rewrites the same line: the revert conflicts.
        write(&repo, "app.rb", "one\nTwo, again\nthree\n");
        git(&repo, &["commit", "-qam", "later edit"]);

        let proof = prove_revert(&request(Path::new(git_bin), repo.to_str().unwrap(), &sha));
        assert_eq!(
            proof.status,
            RevertStatus::Conflict,
            "{git_bin}: {proof:#?}"
        );
        assert_eq!(proof.parents, Some(1));
        assert_eq!(proof.conflicts, vec!["app.rb".to_string()]);
        assert!(
            proof
                .line
                .contains(&format!("conflict — `git revert {}`", &sha[..10])),
            "{}",
            proof.line
        );
    }
}

/// `git clone --depth <depth> file://…` of `repo`: `file://` so git honours
/// `--depth` for a local clone.
fn shallow_clone(repo: &Path, dir: &Path, depth: &str) -> PathBuf {
    let clone = dir.join(format!("shallow-{depth}"));
    git(
        dir,
        &[
            "clone",
            "-q",
            "--depth",
            depth,
            &format!("file://{}", repo.display()),
            clone.to_str().unwrap(),
        ],
    );
    assert_eq!(
        git(&clone, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    clone
}

#[test]
fn a_depth_1_clone_says_shallow_clone_and_how_to_fetch_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = repo_with_merge(dir.path());
    let clone = shallow_clone(&repo, dir.path(), "1");
    let clone_text = clone.to_str().unwrap();
    let before = fingerprint(&clone);

    let proof = prove_revert(&request(Path::new(NEW_GIT), clone_text, &merge));
    assert_eq!(proof.status, RevertStatus::NotChecked, "{proof:#?}");
    assert_eq!(proof.parents, None);
    let line = &proof.line;
    assert!(line.contains("shallow clone"), "{line}");
    assert!(!line.contains("not a merge commit"), "{line}");
    assert!(!line.contains("0 parent"), "{line}");
    assert!(
        line.contains(&format!("git -C {clone_text} fetch --deepen=")),
        "{line}"
    );
    assert!(line.contains("--unshallow"), "{line}");
    assert_eq!(fingerprint(&clone), before, "the clone changed");

    // The printed fix works: after it, the same proof goes through.
    git(&clone, &["fetch", "-q", "--unshallow"]);
    let proof = prove_revert(&request(Path::new(NEW_GIT), clone_text, &merge));
    assert_eq!(proof.status, RevertStatus::AppliesCleanly, "{proof:#?}");
    assert_eq!(proof.parents, Some(2));
}

#[test]
fn a_sha_outside_a_shallow_clone_says_shallow_clone_too() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = repo_with_merge(dir.path());
    write(&repo, "later.rb", "later\n");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "later"]);
    let clone = shallow_clone(&repo, dir.path(), "1");
    let proof = prove_revert(&request(
        Path::new(NEW_GIT),
        clone.to_str().unwrap(),
        &merge,
    ));
    assert_eq!(proof.status, RevertStatus::NotChecked, "{proof:#?}");
    assert!(proof.line.contains("shallow clone"), "{}", proof.line);
    assert!(proof.line.contains("--unshallow"), "{}", proof.line);
}

#[test]
fn a_clone_deep_enough_for_the_merge_is_proven() {
    let dir = tempfile::tempdir().unwrap();
    let (repo, merge) = repo_with_merge(dir.path());
    // Depth 2 holds the merge and both its parents.
    let clone = shallow_clone(&repo, dir.path(), "2");
    let proof = prove_revert(&request(
        Path::new(NEW_GIT),
        clone.to_str().unwrap(),
        &merge,
    ));
    assert_eq!(proof.status, RevertStatus::AppliesCleanly, "{proof:#?}");
    assert_eq!(proof.parents, Some(2));
}
