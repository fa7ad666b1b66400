use std::path::PathBuf;

/// Why a green run's screenshots could not become the new baseline. The
/// run and its seal are unaffected; the next run just compares with the
/// older baseline, or with none.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error(
        "cannot keep the last green screenshots in {}: {source}; check that the folder next to the ledger is writable, or delete it to start afresh",
        path.display()
    )]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
