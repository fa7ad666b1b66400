//! A real, tiny filesystem for tests of prod-smoke's own failures: a tmpfs
//! of a few kilobytes fills up and answers ENOSPC ("No space left on
//! device") like any full disk; a read-only one answers EROFS. Mounting
//! needs root (or `CAP_SYS_ADMIN`); where it is not permitted,
//! [`TinyFs::mount`] returns `None` after saying so on stderr, and the test
//! skips.

use std::path::Path;
use std::process::Command;

/// A mounted tmpfs, unmounted (and its folder removed) on drop.
pub struct TinyFs {
    dir: tempfile::TempDir,
}

impl TinyFs {
    /// A tmpfs of `bytes` (rounded up to whole pages by the kernel).
    pub fn mount(bytes: u64) -> Option<TinyFs> {
        Self::mount_with(&format!("size={bytes}"), "a tiny filesystem")
    }

    /// A read-only tmpfs: nothing can be created in it.
    pub fn read_only() -> Option<TinyFs> {
        Self::mount_with("size=64k,ro", "a read-only filesystem")
    }

    fn mount_with(options: &str, what: &str) -> Option<TinyFs> {
        let dir = tempfile::tempdir().ok()?;
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .output();
        match mounted {
            Ok(out) if out.status.success() => Some(TinyFs { dir }),
            Ok(out) => {
                eprintln!(
                    "SKIPPED: cannot mount {what} here (mount -t tmpfs needs root): {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("SKIPPED: cannot mount {what} here: no `mount` command: {e}");
                None
            }
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the filesystem until the kernel answers ENOSPC, leaving
    /// `leave` bytes or fewer free.
    pub fn fill(&self, leave: u64) {
        use std::io::Write;
        let mut file = std::fs::File::create(self.path().join(".filler")).expect("filler file");
        let chunk = vec![0u8; 512];
        loop {
            let free = free_bytes(self.path());
            if free <= leave {
                break;
            }
            let n = (free - leave).min(chunk.len() as u64) as usize;
            if file
                .write_all(&chunk[..n])
                .and_then(|_| file.flush())
                .is_err()
            {
                break;
            }
        }
    }
}

/// Free bytes on the filesystem holding `path`, as `df` counts them.
pub fn free_bytes(path: &Path) -> u64 {
    let out = Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(path)
        .output()
        .expect("df runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0)
}

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}
