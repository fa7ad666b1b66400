use std::fs::{File, FileType, Metadata};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The size limit for anything an operator hands prod-smoke: real config
/// files and specs are a few kilobytes, so a bigger one is a mistake.
pub const MAX_INPUT_BYTES: u64 = 1024 * 1024;

/// Why an input file was not read. Nothing has run yet.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{} is {kind}, not a regular file; give the path of a file", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },

    #[error("{} is over the {limit}-byte limit; real ones are a few kilobytes", path.display())]
    TooLarge { path: PathBuf, limit: u64 },

    #[error("{} is not UTF-8 text", path.display())]
    NotText { path: PathBuf },

    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl ReadError {
    /// True when the file does not exist, which some inputs allow.
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Reads a regular file of at most `limit` bytes as UTF-8 text.
///
/// A FIFO or a device is refused from its metadata, without being opened.
/// The file is then opened with `O_NONBLOCK` and its type checked again on
/// the open handle, so a path replaced by a FIFO in between fails at once
/// instead of blocking. At most `limit + 1` bytes are ever read.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let io = |source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    };
    regular(path, &std::fs::metadata(path).map_err(io)?)?;
    let mut file = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(io)?;
    regular(path, &file.metadata().map_err(io)?)?;
    let mut bytes = Vec::new();
    (&mut file)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    String::from_utf8(bytes).map_err(|_| ReadError::NotText {
        path: path.to_path_buf(),
    })
}

fn regular(path: &Path, meta: &Metadata) -> Result<(), ReadError> {
    if meta.is_file() {
        return Ok(());
    }
    Err(ReadError::NotAFile {
        path: path.to_path_buf(),
        kind: kind(meta.file_type()),
    })
}

fn kind(t: FileType) -> &'static str {
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn reads_a_small_file_and_refuses_a_big_one_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yml");
        std::fs::write(&p, "a: 1\n").unwrap();
        assert_eq!(read_text(&p, 16).unwrap(), "a: 1\n");
        std::fs::write(&p, "x".repeat(17)).unwrap();
        assert!(matches!(
            read_text(&p, 16),
            Err(ReadError::TooLarge { limit: 16, .. })
        ));
        std::fs::write(&p, "x".repeat(16)).unwrap();
        assert!(read_text(&p, 16).is_ok());
        std::fs::write(&p, [0xff, 0xfe]).unwrap();
        assert!(matches!(read_text(&p, 16), Err(ReadError::NotText { .. })));
        assert!(
            read_text(&dir.path().join("missing"), 16)
                .unwrap_err()
                .is_not_found()
        );
    }

    #[test]
    fn devices_fifos_and_folders_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success(), "mkfifo");
        let started = Instant::now();
        for (path, kind) in [
            (Path::new("/dev/zero"), "a character device"),
            (fifo.as_path(), "a FIFO (named pipe)"),
            (dir.path(), "a folder"),
        ] {
            let e = read_text(path, MAX_INPUT_BYTES).unwrap_err();
            assert!(e.to_string().contains(kind), "{e}");
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
