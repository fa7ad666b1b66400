//! A pass's artifacts folder: as asked, else `./artifacts/<app>-<UTC time>`.
//! When it cannot be written, a temporary folder takes its place so the
//! run (and its verdict) still happens.

use std::path::{Path, PathBuf};

use chrono::Utc;

/// The folder chosen, and the one refused (with why) when it differs.
pub(crate) struct Folder {
    pub dir: PathBuf,
    pub refused: Option<(PathBuf, String)>,
}

pub(crate) async fn choose(wanted: Option<PathBuf>, app: &str) -> Folder {
    let wanted = wanted.unwrap_or_else(|| {
        PathBuf::from("artifacts").join(format!("{app}-{}", Utc::now().format("%Y%m%dT%H%M%SZ")))
    });
    match writable(&wanted).await {
        Ok(()) => Folder {
            dir: wanted,
            refused: None,
        },
        Err(e) => Folder {
            dir: std::env::temp_dir().join(format!("prod-smoke-{app}-{}", uuid::Uuid::new_v4())),
            refused: Some((wanted, e.to_string())),
        },
    }
}

async fn writable(dir: &Path) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    let probe = dir.join(".prod-smoke-write-test");
    tokio::fs::write(&probe, b"").await?;
    tokio::fs::remove_file(probe).await
}
