//! Would the revert of the release's commit apply cleanly on the repo's
//! HEAD? A revert of commit `M` on `HEAD` is the merge of `M^1` into `HEAD`
//! with `M` as the base, which `git merge-tree --write-tree --merge-base`
//! computes without a work tree. That holds for a merge commit (`git revert
//! -m1 M`) and for a commit with one parent, a squash merge or a direct
//! commit (`git revert M`), alike. Older git (before 2.40) gets a throwaway
//! worktree instead.
//!
//! A shallow clone (GitHub Actions' `actions/checkout` fetches depth 1)
//! may hold the commit without its parents: git then reports no parents at
//! all. That is said as what it is, with the fetch that fixes it, never as
//! "not a merge commit".
//!
//! Safety by construction: every git call clears the environment variables
//! that could point it at another repo or index, turns hooks, auto-gc and
//! optional locks off, and writes new objects into a temporary object
//! directory (the repo's own objects are read as an alternate). So nothing
//! in the operator's repo changes, not even its object store.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use prod_smoke_model::{RevertProof, RevertStatus};

use crate::NOTHING_CHANGED;
use crate::command::{Ran, run};

/// Environment variables that redirect git to another repo, index or
/// object store. A prod-smoke started from a git hook inherits them.
const REDIRECTING_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_CEILING_DIRECTORIES",
];

/// Config for every git call: no hooks (a post-checkout hook could do
/// anything), no background gc or maintenance.
const SAFE_CONFIG: &[&str] = &[
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "gc.auto=0",
    "-c",
    "maintenance.auto=false",
    "-c",
    "advice.detachedHead=false",
];

/// One git call may take this long (a merge-tree of a large repo is seconds).
const GIT_LIMIT: Duration = Duration::from_secs(120);

/// `git merge-tree --merge-base` arrived in git 2.40.
const MERGE_TREE_SINCE: (u32, u32) = (2, 40);

pub const METHOD_MERGE_TREE: &str = "git merge-tree";
pub const METHOD_WORKTREE: &str = "throwaway git worktree";

/// What to check, and what to say when a part is missing.
#[derive(Debug, Clone, Default)]
pub struct RevertRequest<'a> {
    /// The git binary (default `git` on PATH).
    pub git: Option<&'a Path>,
    pub repo: Option<&'a str>,
    /// Said when `repo` is `None`: where a repo would come from.
    pub repo_hint: &'a str,
    pub sha: Option<&'a str>,
    /// Said when `sha` is `None`.
    pub sha_hint: &'a str,
}

/// Proves (or says why it could not prove) whether the revert applies.
/// Never fails: a problem is a `not checked` proof with the reason.
pub fn prove_revert(req: &RevertRequest<'_>) -> RevertProof {
    let mut proof = RevertProof {
        status: RevertStatus::NotChecked,
        line: String::new(),
        repo: req.repo.map(str::to_string),
        sha: None,
        parents: None,
        head: None,
        head_ref: None,
        method: None,
        files_changed: None,
        conflicts: Vec::new(),
        reason: None,
    };
    if let Err(reason) = check(req, &mut proof) {
        proof.status = RevertStatus::NotChecked;
        proof.reason = Some(reason);
    }
    proof.line = line(&proof, req.sha);
    proof
}

/// A commit sha as given on the command line: 4 to 64 hex digits. Anything
/// else (a ref name, an option) is refused before git sees it.
pub fn is_sha(text: &str) -> bool {
    (4..=64).contains(&text.len()) && text.chars().all(|c| c.is_ascii_hexdigit())
}

fn check(req: &RevertRequest<'_>, proof: &mut RevertProof) -> Result<(), String> {
    let repo = req
        .repo
        .ok_or_else(|| format!("no repo: {}", req.repo_hint))?;
    let sha = req
        .sha
        .ok_or_else(|| format!("unknown sha: {}", req.sha_hint))?;
    if !is_sha(sha) {
        return Err(format!("`{sha}` is not a commit sha"));
    }
    let git = Git {
        bin: req
            .git
            .map_or_else(|| PathBuf::from("git"), Path::to_path_buf),
        objects: None,
    };
    let version = git.version()?;
    if !Path::new(repo).is_dir() {
        return Err(format!("no repo at {repo}"));
    }
    let repo = Path::new(repo);
    git.ok(repo, &["rev-parse", "--git-dir"])
        .map_err(|_| format!("{} is not a git repository", repo.display()))?;
    let objects = git.text(
        repo,
        &[
            "rev-parse",
            "--path-format=absolute",
            "--git-path",
            "objects",
        ],
    )?;
    let head = git
        .text(repo, &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        .map_err(|_| "the repo has no HEAD commit".to_string())?;
    proof.head = Some(head.clone());
    proof.head_ref = git
        .text(repo, &["symbolic-ref", "--short", "-q", "HEAD"])
        .ok();
    let shallow = shallow_boundary(&git, repo)?;
    let full = git
        .text(
            repo,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{sha}^{{commit}}"),
            ],
        )
        .map_err(|_| match &shallow {
            Some(_) => format!(
                "shallow clone: {sha} is not in {}, which holds only part of the history; {}",
                repo.display(),
                deepen_hint(repo)
            ),
            None => format!(
                "unknown sha: {sha} is not a commit in {} (fetch it?)",
                repo.display()
            ),
        })?;
    proof.sha = Some(full.clone());
    if shallow.as_ref().is_some_and(|b| b.contains(&full)) {
        return Err(format!(
            "shallow clone: {} was fetched without its parents, so git cannot tell a merge from a squash or compute the revert; {}",
            short(&full),
            deepen_hint(repo)
        ));
    }
    let parents = git
        .text(repo, &["rev-list", "--parents", "-n1", &full])?
        .split_whitespace()
        .count()
        .saturating_sub(1);
    if parents == 0 {
        return Err(format!(
            "{} is the repo's first commit: there is nothing before it to revert to",
            short(&full)
        ));
    }
    proof.parents = Some(parents);

    // New objects (the merge result) go to a scratch store, never the repo's.
    let scratch = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let scratch_objects = scratch.path().join("objects");
    std::fs::create_dir_all(&scratch_objects).map_err(|e| e.to_string())?;
    let git = Git {
        objects: Some((scratch_objects, PathBuf::from(objects))),
        ..git
    };
    let outcome = if version >= MERGE_TREE_SINCE {
        proof.method = Some(METHOD_MERGE_TREE.to_string());
        merge_tree(&git, repo, &head, &full)?
    } else {
        proof.method = Some(METHOD_WORKTREE.to_string());
        in_worktree(&git, repo, scratch.path(), &head, &full, parents)?
    };
    match outcome {
        Outcome::Clean(files) => {
            proof.status = RevertStatus::AppliesCleanly;
            proof.files_changed = Some(files);
        }
        Outcome::Conflict(paths) => {
            proof.status = RevertStatus::Conflict;
            proof.conflicts = paths;
        }
    }
    Ok(())
}

enum Outcome {
    /// Applies cleanly, changing this many files.
    Clean(usize),
    Conflict(Vec<String>),
}

fn merge_tree(git: &Git, repo: &Path, head: &str, sha: &str) -> Result<Outcome, String> {
    let base = format!("--merge-base={sha}");
    let first_parent = format!("{sha}^1");
    let ran = git.run(
        repo,
        &[
            "merge-tree",
            "--write-tree",
            "--name-only",
            "--no-messages",
            "-z",
            &base,
            head,
            &first_parent,
        ],
    )?;
    let fields = nul_fields(&ran.stdout);
    let tree = fields.first().cloned().unwrap_or_default();
    match ran.code {
        Some(0) => Ok(Outcome::Clean(changed_files(git, repo, head, &tree)?)),
        Some(1) => Ok(Outcome::Conflict(dedup(
            fields.into_iter().skip(1).collect(),
        ))),
        _ => Err(format!("git merge-tree failed: {}", ran.stderr)),
    }
}

fn changed_files(git: &Git, repo: &Path, from: &str, to: &str) -> Result<usize, String> {
    let ran = git.run(repo, &["diff-tree", "-r", "--name-only", "-z", from, to])?;
    if ran.code != Some(0) {
        return Err(format!("git diff-tree failed: {}", ran.stderr));
    }
    Ok(nul_fields(&ran.stdout).len())
}

/// The fallback: revert in a detached worktree of HEAD under `scratch`,
/// which is removed on every path (the guard's `Drop`).
fn in_worktree(
    git: &Git,
    repo: &Path,
    scratch: &Path,
    head: &str,
    sha: &str,
    parents: usize,
) -> Result<Outcome, String> {
    let path = scratch.join("revert-dry-run");
    let path_text = path.to_string_lossy().into_owned();
    let added = git.run(repo, &["worktree", "add", "--detach", &path_text, head])?;
    let guard = WorktreeGuard {
        git,
        repo,
        path: path.clone(),
        admin: git
            .text(&path, &["rev-parse", "--absolute-git-dir"])
            .ok()
            .map(PathBuf::from),
    };
    if added.code != Some(0) {
        drop(guard);
        return Err(format!("git worktree add failed: {}", added.stderr));
    }
    let reverted = if parents > 1 {
        git.run(&path, &["revert", "--no-commit", "-m1", sha])?
    } else {
        git.run(&path, &["revert", "--no-commit", sha])?
    };
    let outcome = if reverted.code == Some(0) {
        let ran = git.run(&path, &["diff", "--cached", "--name-only", "-z", head])?;
        Outcome::Clean(nul_fields(&ran.stdout).len())
    } else {
        let ran = git.run(&path, &["diff", "--name-only", "-z", "--diff-filter=U"])?;
        let paths = dedup(nul_fields(&ran.stdout));
        if paths.is_empty() {
            return Err(format!("git revert failed: {}", reverted.stderr));
        }
        Outcome::Conflict(paths)
    };
    drop(guard);
    Ok(outcome)
}

/// Removes the throwaway worktree and its admin folder, whatever happened.
struct WorktreeGuard<'a> {
    git: &'a Git,
    repo: &'a Path,
    path: PathBuf,
    admin: Option<PathBuf>,
}

impl Drop for WorktreeGuard<'_> {
    fn drop(&mut self) {
        let path = self.path.to_string_lossy().into_owned();
        let removed = self
            .git
            .run(
                self.repo,
                &["worktree", "remove", "--force", "--force", &path],
            )
            .is_ok_and(|r| r.code == Some(0));
        if !removed {
            // Not `git worktree prune`: that would also drop the operator's
            // own stale entries. Remove exactly what was added.
            let _ = std::fs::remove_dir_all(&self.path);
            if let Some(admin) = &self.admin
                && admin.components().any(|c| c.as_os_str() == "worktrees")
            {
                let _ = std::fs::remove_dir_all(admin);
            }
        }
    }
}

struct Git {
    bin: PathBuf,
    /// (scratch object dir, the repo's object dir read as an alternate).
    objects: Option<(PathBuf, PathBuf)>,
}

impl Git {
    fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        for key in REDIRECTING_ENV {
            cmd.env_remove(key);
        }
        cmd.env("GIT_OPTIONAL_LOCKS", "0")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_LFS_SKIP_SMUDGE", "1")
            .env("LC_ALL", "C");
        if let Some((scratch, alternate)) = &self.objects {
            cmd.env("GIT_OBJECT_DIRECTORY", scratch)
                .env("GIT_ALTERNATE_OBJECT_DIRECTORIES", alternate);
        }
        cmd.arg("-C").arg(dir).args(SAFE_CONFIG).args(args);
        cmd
    }

    fn run(&self, dir: &Path, args: &[&str]) -> Result<Ran, String> {
        run(self.command(dir, args), GIT_LIMIT)
            .map_err(|e| format!("cannot run {} {}: {e}", self.bin.display(), args.join(" ")))
    }

    fn ok(&self, dir: &Path, args: &[&str]) -> Result<Ran, String> {
        let ran = self.run(dir, args)?;
        if ran.code == Some(0) {
            Ok(ran)
        } else {
            Err(format!("git {} failed: {}", args.join(" "), ran.stderr))
        }
    }

    fn text(&self, dir: &Path, args: &[&str]) -> Result<String, String> {
        let ran = self.ok(dir, args)?;
        let text = String::from_utf8_lossy(&ran.stdout).trim().to_string();
        if text.is_empty() {
            return Err(format!("git {} printed nothing", args.join(" ")));
        }
        Ok(text)
    }

    /// (major, minor) of `git version`.
    fn version(&self) -> Result<(u32, u32), String> {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("version");
        let ran = run(cmd, GIT_LIMIT).map_err(|e| format!("git is not available ({e})"))?;
        let text = String::from_utf8_lossy(&ran.stdout).into_owned();
        let numbers = text
            .split_whitespace()
            .nth(2)
            .ok_or_else(|| format!("cannot read `git version`: {text}"))?;
        let mut parts = numbers.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        Ok((parts.next().unwrap_or(0), parts.next().unwrap_or(0)))
    }
}

/// The commits at a shallow clone's boundary (fetched without their
/// parents), or `None` for a complete clone.
fn shallow_boundary(git: &Git, repo: &Path) -> Result<Option<Vec<String>>, String> {
    let shallow = git.text(repo, &["rev-parse", "--is-shallow-repository"])?;
    if shallow != "true" {
        return Ok(None);
    }
    let file = git.text(
        repo,
        &[
            "rev-parse",
            "--path-format=absolute",
            "--git-path",
            "shallow",
        ],
    )?;
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    Ok(Some(text.split_whitespace().map(str::to_string).collect()))
}

/// The fetch that gives a shallow clone the history the revert needs.
fn deepen_hint(repo: &Path) -> String {
    let repo = repo.display();
    format!(
        "fetch the history first: `git -C {repo} fetch --deepen=50` (or `git -C {repo} fetch --unshallow`; in GitHub Actions, `actions/checkout` with `fetch-depth: 0`), then run `prod-smoke rollback` again"
    )
}

fn nul_fields(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

fn dedup(mut paths: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    paths.retain(|p| seen.insert(p.clone()));
    paths
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

/// The one line shown under the rollback block.
fn line(p: &RevertProof, asked: Option<&str>) -> String {
    let sha = p.sha.as_deref().map(short).or(asked).unwrap_or("?");
    let on_head = match (&p.head, &p.head_ref) {
        (Some(h), Some(r)) => format!("HEAD {} ({r})", short(h)),
        (Some(h), None) => format!("HEAD {} (detached)", short(h)),
        _ => "HEAD".to_string(),
    };
    let how = p
        .method
        .as_deref()
        .map(|m| format!("checked with {m}; "))
        .unwrap_or_default();
    let (opts, what) = if p.parents == Some(1) {
        (
            "",
            "a commit with one parent: a squash merge or a direct commit",
        )
    } else {
        ("-m1 ", "a merge commit")
    };
    match p.status {
        RevertStatus::AppliesCleanly => {
            let n = p.files_changed.unwrap_or(0);
            let files = if n == 1 { "file" } else { "files" };
            format!(
                "revert dry run: applies cleanly — `git revert {opts}{sha}` ({what}) changes {n} {files} on {on_head}; {how}{NOTHING_CHANGED}"
            )
        }
        RevertStatus::Conflict => format!(
            "revert dry run: conflict — `git revert {opts}{sha}` ({what}) on {on_head} conflicts in {}; {how}{NOTHING_CHANGED}",
            p.conflicts.join(", ")
        ),
        RevertStatus::NotChecked => format!(
            "revert dry run: not checked — {}; {NOTHING_CHANGED}",
            p.reason.as_deref().unwrap_or("unknown reason")
        ),
    }
}
