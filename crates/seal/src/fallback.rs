//! Where a seal goes when the ledger cannot take it.
//!
//! The policy: a run's verdict is recorded somewhere durable, or the run
//! says it is not. When the configured ledger cannot be opened or written
//! (a file of random bytes, another application's database, a read-only
//! folder), it is left untouched and the run is recorded in the first
//! fallback ledger that works, in this order:
//!
//! 1. beside it: `<folder>/<name>.fallback.sqlite3`;
//! 2. in the temporary folder: `$TMPDIR/prod-smoke-fallback/<name>-<hash>.sqlite3`,
//!    where `<hash>` names the configured ledger's absolute path.
//!
//! `prod-smoke deliver` with the same ledger replays both of them. When
//! neither works, the run is kept in memory for this process only, so every
//! sink is still tried; the caller then learns that only a delivered sink
//! holds the verdict ([`crate::SealOutcome::is_durable`]).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The folder under the temporary folder that holds fallback ledgers.
pub const FALLBACK_FOLDER: &str = "prod-smoke-fallback";

/// The fallback ledgers of the ledger at `primary`, in the order they are
/// tried; `temp` is the temporary folder (`$TMPDIR`, else `/tmp`).
pub fn fallback_ledgers(primary: &Path, temp: &Path) -> Vec<PathBuf> {
    let stem = primary
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "ledger".to_string());
    let absolute = std::path::absolute(primary).unwrap_or_else(|_| primary.to_path_buf());
    let digest = Sha256::digest(absolute.as_os_str().as_encoded_bytes());
    let hash = hex::encode(&digest[..6]);
    vec![
        primary.with_file_name(format!("{stem}.fallback.sqlite3")),
        temp.join(FALLBACK_FOLDER)
            .join(format!("{stem}-{hash}.sqlite3")),
    ]
}

/// Where a run's record went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerPlace {
    /// The configured ledger.
    Ledger,
    /// A fallback ledger; `problem` says why the configured one could not
    /// take the run (its whole error chain).
    Fallback { path: PathBuf, problem: String },
    /// No ledger file could take it: the record lived in memory for this
    /// process only. `problem` lists every ledger tried and why it failed.
    Memory { problem: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallbacks_sit_beside_the_ledger_then_in_the_temporary_folder() {
        let found = fallback_ledgers(
            Path::new("/state/prod-smoke/ledger.sqlite3"),
            Path::new("/t"),
        );
        assert_eq!(
            found[0],
            PathBuf::from("/state/prod-smoke/ledger.fallback.sqlite3")
        );
        let second = found[1].to_string_lossy().into_owned();
        assert!(
            second.starts_with("/t/prod-smoke-fallback/ledger-"),
            "{second}"
        );
        assert!(second.ends_with(".sqlite3"), "{second}");
        // Another ledger of the same name gets another temporary fallback.
        let other = fallback_ledgers(Path::new("/other/ledger.sqlite3"), Path::new("/t"));
        assert_ne!(other[1], found[1]);
        assert_eq!(
            found,
            fallback_ledgers(
                Path::new("/state/prod-smoke/ledger.sqlite3"),
                Path::new("/t")
            )
        );
    }
}
