//! `cargo xtask dist`: the release archive and its checksum in
//! `target/dist/`, as the release workflow attaches them.
//!
//!   cargo xtask dist                      # stripped, path-remapped release build
//!   cargo xtask dist --profile dev        # package the debug build (quick look)
//!   cargo xtask dist --out DIR            # write somewhere else
//!
//! The packing itself is `prod_smoke_dist::package`, shared with the
//! install test.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

use crate::flag_value;

/// The stripped release profile (Cargo.toml's `[profile.release-dist]`).
const DIST_PROFILE: &str = "release-dist";

pub fn run(args: &[String]) -> Result<()> {
    let profile = flag_value(args, "--profile").unwrap_or(DIST_PROFILE);
    let out = PathBuf::from(flag_value(args, "--out").unwrap_or("target/dist"));
    let root = std::env::current_dir()?;
    let source_date = source_date(&root);

    let mut build = crate::cargo();
    build
        .args([
            "build",
            "--locked",
            "--profile",
            profile,
            "-p",
            "prod-smoke-cli",
        ])
        .env("SOURCE_DATE_EPOCH", source_date.to_string());
    if profile == DIST_PROFILE {
        // Absolute paths end up in panic messages; map them to fixed ones
        // so the binary does not depend on where it was built. Only the
        // dist profile gets these flags: changing RUSTFLAGS rebuilds every
        // dependency, which the dev profile must not pay for.
        build.env("RUSTFLAGS", remap_flags(&root));
    }
    crate::run_cmd(&mut build)?;

    let binary = target_dir(&root)
        .join(profile_dir(profile))
        .join("prod-smoke");
    let packaged = prod_smoke_dist::package(&binary, &root, &out, source_date)?;
    println!("{}", packaged.archive.display());
    println!("{}", packaged.checksum.display());
    println!("sha256 {}", packaged.sha256);
    Ok(())
}

fn remap_flags(root: &Path) -> String {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let mut flags: Vec<String> = std::env::var("RUSTFLAGS")
        .ok()
        .filter(|f| !f.trim().is_empty())
        .into_iter()
        .collect();
    if let Some(home) = cargo_home {
        flags.push(format!("--remap-path-prefix={}=/cargo", home.display()));
    }
    flags.push(format!(
        "--remap-path-prefix={}=/prod-smoke",
        root.display()
    ));
    flags.join(" ")
}

/// `SOURCE_DATE_EPOCH` when set, else the HEAD commit's time, else 0: the
/// archive's timestamps follow the source, not the clock.
fn source_date(root: &Path) -> u64 {
    if let Some(date) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
    {
        return date;
    }
    Command::new("git")
        .args(["log", "-1", "--format=%ct"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(0)
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|d| if d.is_absolute() { d } else { root.join(d) })
        .unwrap_or_else(|| root.join("target"))
}

/// Cargo's output folder for a profile: `dev` and `test` build into `debug`.
fn profile_dir(profile: &str) -> &str {
    match profile {
        "dev" | "test" => "debug",
        "bench" => "release",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_map_to_cargo_output_folders() {
        assert_eq!(profile_dir("dev"), "debug");
        assert_eq!(profile_dir("release"), "release");
        assert_eq!(profile_dir(DIST_PROFILE), "release-dist");
    }

    #[test]
    fn remap_flags_hide_the_build_paths() {
        let flags = remap_flags(Path::new("/work/somewhere"));
        assert!(
            flags.contains("--remap-path-prefix=/work/somewhere=/prod-smoke"),
            "{flags}"
        );
    }
}
