//! Makes sure a system Chromium is installed. Nothing here downloads a
//! browser of its own: Debian's package is the one source.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Result, bail};

pub fn ensure() -> Result<PathBuf> {
    if let Some(p) = find() {
        return Ok(p);
    }
    if !is_root() {
        bail!(
            "Chromium is not installed. Install it with `sudo apt-get install -y chromium` \
             (it lands at /usr/bin/chromium), then run this again."
        );
    }
    eprintln!("Chromium is missing; installing Debian's chromium package…");
    crate::progress::run(
        Command::new("apt-get").arg("update").arg("-q"),
        "updating apt's package lists",
    )?;
    crate::progress::run(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
        "installing Chromium (apt-get)",
    )?;
    find().ok_or_else(|| {
        anyhow::anyhow!("apt-get installed chromium, but /usr/bin/chromium is missing")
    })
}

fn find() -> Option<PathBuf> {
    let system = Path::new("/usr/bin/chromium");
    if system.is_file() {
        return Some(system.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
            .find(|p| p.is_file())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
