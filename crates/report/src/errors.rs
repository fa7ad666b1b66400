//! Errors from writing or checking the evidence folder.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ReportError {
    #[error("could not create the artifacts folder {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("could not write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("could not read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("could not serialise results.json")]
    Json {
        #[source]
        source: serde_json::Error,
    },

    #[error("could not build junit.xml")]
    Xml {
        #[source]
        source: std::io::Error,
    },

    #[error("{manifest}, line {line}: expected `<sha256-hex>  <relative/path>`")]
    ManifestSyntax { manifest: PathBuf, line: usize },

    #[error("{file} does not match the manifest (expected sha256 {expected}, found {actual})")]
    ManifestMismatch {
        file: String,
        expected: String,
        actual: String,
    },

    #[error("{file} is listed in the manifest but missing from the folder")]
    ManifestMissing { file: String },

    #[error("{file} is in the folder but not in the manifest")]
    ManifestUnlisted { file: String },
}
