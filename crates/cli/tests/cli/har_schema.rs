//! Every HAR a test reads is checked against HAR 1.2 by the npm
//! `har-validator` package (the schema HAR viewers share), installed from
//! tools/har-validator's lockfile. Without node and npm the check is
//! skipped with a SKIPPED line, as `cargo xtask test` skips parity.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn tool_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/har-validator")
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// Installs the validator once per test binary (`npm ci` when
/// node_modules is missing or older than the lock). `None`: node or npm
/// is not installed.
fn installed() -> Option<&'static PathBuf> {
    static INSTALL: OnceLock<Option<PathBuf>> = OnceLock::new();
    INSTALL
        .get_or_init(|| {
            if !on_path("node") || !on_path("npm") {
                return None;
            }
            let dir = tool_dir();
            let stamp = dir.join("node_modules/.package-lock.json");
            let stale = match (
                std::fs::metadata(&stamp).and_then(|m| m.modified()),
                std::fs::metadata(dir.join("package-lock.json")).and_then(|m| m.modified()),
            ) {
                (Ok(installed), Ok(lock)) => installed < lock,
                _ => true,
            };
            if stale {
                let out = Command::new("npm")
                    .args(["ci", "--prefer-offline", "--no-audit", "--no-fund"])
                    .arg("--loglevel=error")
                    .current_dir(&dir)
                    .output()
                    .expect("npm runs");
                assert!(
                    out.status.success(),
                    "npm ci in tools/har-validator: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            Some(dir)
        })
        .as_ref()
}

/// Asserts `har` passes har-validator's HAR 1.2 schema.
pub fn assert_valid_har(har: &Path) {
    let Some(dir) = installed() else {
        eprintln!(
            "SKIPPED har-validator: node or npm is not installed, so {} was not checked against the HAR 1.2 schema",
            har.display()
        );
        return;
    };
    let out = Command::new("node")
        .arg(dir.join("run.mjs"))
        .arg(har)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "har-validator rejects {}:\n{}{}",
        har.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
