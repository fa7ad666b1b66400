//! Evidence files are written whole or not at all.
//!
//! Every file prod-smoke leaves in an artifacts folder (the reports, the
//! manifest, screenshots, traces) goes through [`write_atomic`]: the bytes go
//! to a hidden temporary file beside the target, are flushed to the disk,
//! and only then renamed over the target. A full disk (ENOSPC) or a crash
//! mid-write leaves the previous file or none, never a truncated one, and
//! the temporary file is removed on failure. The error is the operating
//! system's own (`No space left on device (os error 28)`), for the caller
//! to print with the path.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The suffix of a temporary file that [`write_atomic`] has not renamed
/// yet; only a process killed mid-write can leave one behind.
pub const PARTIAL_SUFFIX: &str = ".partial";

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename, then
/// fsync of the folder so the rename itself survives a power cut).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = temp_path(path);
    let written = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(e);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        // Best effort: some filesystems refuse to open a folder for fsync.
        if let Ok(dir) = fs::File::open(parent) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

/// `<folder>/.<name>.<pid>.<n>.partial`: hidden, unique per call, and on the
/// same filesystem as the target so the rename is atomic.
fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(
        ".{name}.{}.{n}{PARTIAL_SUFFIX}",
        std::process::id()
    ))
}

/// True for a temporary file [`write_atomic`] left behind.
pub fn is_partial(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(PARTIAL_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_whole_and_leaves_no_temporary_file() {
        let dir = std::env::temp_dir().join(format!("prod-smoke-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("results.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["results.json".to_string()]);
        // A folder that does not exist: an error, and nothing created.
        assert!(write_atomic(&dir.join("missing/x.json"), b"x").is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn partial_names_are_recognised() {
        let temp = temp_path(Path::new("/a/report.html"));
        let name = temp.file_name().unwrap().to_string_lossy();
        assert!(is_partial(&name), "{name}");
        assert!(!is_partial("report.html"));
    }
}
