//! Stamps `prod-smoke --version` with the commit the binary is built from:
//! `prod-smoke 0.1.0 (1f9baed4c2aa)`. A release archive must say which
//! source it came from, so a seal can be traced back to the code that made it.
//!
//! Order: `PROD_SMOKE_COMMIT` (set it when building from a source tarball
//! whose commit you know), then `git rev-parse` when this very workspace is
//! a git checkout, else `unknown commit`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=PROD_SMOKE_COMMIT");
    let workspace =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("../..");
    let commit = std::env::var("PROD_SMOKE_COMMIT")
        .ok()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .or_else(|| git_commit(&workspace))
        .unwrap_or_else(|| "unknown commit".to_string());
    let version = std::env::var("CARGO_PKG_VERSION").expect("set by cargo");
    println!("cargo:rustc-env=PROD_SMOKE_VERSION={version} ({commit})");
}

/// The short HEAD commit, only when `workspace` is the top of a git work
/// tree: a source tarball unpacked inside some other repository must not
/// borrow that repository's commit.
fn git_commit(workspace: &Path) -> Option<String> {
    let top = git(workspace, &["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(&top).ok()? != std::fs::canonicalize(workspace).ok()? {
        return None;
    }
    let commit = git(workspace, &["rev-parse", "--short=12", "HEAD"])?;
    // Rebuild when HEAD moves: HEAD itself (a checkout), the branch it
    // points at (a commit) and packed-refs (a gc). Only existing files are
    // watched; cargo treats a missing one as always changed.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(workspace, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(workspace, &["rev-parse", "--git-path", &name]) {
            let path = workspace.join(path);
            if path.is_file() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(commit)
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}
