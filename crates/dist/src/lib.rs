//! The release archive: one folder holding the `prod-smoke` binary, the
//! README, the docs it links to and the license files, as a `.tar.gz` with
//! a `sha256sum -c` checksum beside it.
//!
//! `cargo xtask dist` calls [`package`] on the release build; the install
//! test calls it on the debug binary it already has, so both go through the
//! same packing code and `install.sh` sees the same layout.
//!
//! The archive is reproducible: entries in a fixed order, owner 0:0, fixed
//! modes, every mtime set to the given source date (the commit's time) and
//! a gzip header without a name or time. Same binary and same date, same
//! bytes.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use flate2::{Compression, GzBuilder};
use sha2::{Digest, Sha256};

/// The only target shipped for now. The archive name carries no version,
/// so `releases/latest/download/<archive>` always names the newest one.
pub const TARGET: &str = "x86_64-unknown-linux-gnu";

/// `prod-smoke-x86_64-unknown-linux-gnu`: the archive's stem and the one
/// folder inside it.
pub fn stem() -> String {
    format!("prod-smoke-{TARGET}")
}

/// `prod-smoke-x86_64-unknown-linux-gnu.tar.gz`
pub fn archive_name() -> String {
    format!("{}.tar.gz", stem())
}

/// Files beside the binary, taken from the workspace root: the README and
/// every doc it links to (a test keeps the two in step), and the licenses.
pub const DOCS: &[&str] = &[
    "README.md",
    "LICENSE-APACHE",
    "LICENSE-MIT",
    "docs/benchmarks.md",
    "docs/operations.md",
    "docs/spec.md",
];

/// What [`package`] wrote.
#[derive(Debug, Clone)]
pub struct Packaged {
    pub archive: PathBuf,
    pub checksum: PathBuf,
    pub sha256: String,
}

/// Packs `binary` and the workspace's [`DOCS`] into `out_dir`, replacing an
/// older archive and checksum. `source_date` (Unix seconds) becomes every
/// entry's mtime.
pub fn package(
    binary: &Path,
    workspace: &Path,
    out_dir: &Path,
    source_date: u64,
) -> Result<Packaged> {
    if !binary.is_file() {
        bail!(
            "{} does not exist: build prod-smoke first",
            binary.display()
        );
    }
    fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let folder = stem();
    let mut entries: Vec<(String, PathBuf, u32)> =
        vec![(format!("{folder}/prod-smoke"), binary.to_path_buf(), 0o755)];
    for doc in DOCS {
        let path = workspace.join(doc);
        if !path.is_file() {
            bail!("{} is missing: the archive must carry it", path.display());
        }
        entries.push((format!("{folder}/{doc}"), path, 0o644));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));

    let archive = out_dir.join(archive_name());
    // Write beside the final name and rename, so a failed run never leaves
    // a truncated archive next to an old checksum.
    let partial = out_dir.join(format!("{}.partial", archive_name()));
    let file =
        fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    // No file name and mtime 0 in the gzip header: both would break
    // byte-for-byte reproducibility.
    let gz = GzBuilder::new()
        .mtime(0)
        .write(file, Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    tar.append(&dir_header(&folder, source_date)?, std::io::empty())?;
    let mut subdirs: Vec<&str> = DOCS
        .iter()
        .filter_map(|d| Some(d.rsplit_once('/')?.0))
        .collect();
    subdirs.sort();
    subdirs.dedup();
    for dir in subdirs {
        tar.append(
            &dir_header(&format!("{folder}/{dir}"), source_date)?,
            std::io::empty(),
        )?;
    }
    for (name, path, mode) in &entries {
        let data = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(data.len() as u64);
        header.set_mode(*mode);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(source_date);
        tar.append_data(&mut header, name, data.as_slice())
            .with_context(|| format!("adding {name}"))?;
    }
    let mut file = tar.into_inner()?.finish()?;
    file.flush()?;
    file.sync_all()?;
    drop(file);
    fs::rename(&partial, &archive)?;

    let sha256 = sha256_file(&archive)?;
    let checksum = out_dir.join(format!("{}.sha256", archive_name()));
    // `sha256sum -c` format: hash, two spaces, file name.
    fs::write(&checksum, format!("{sha256}  {}\n", archive_name()))
        .with_context(|| format!("writing {}", checksum.display()))?;
    Ok(Packaged {
        archive,
        checksum,
        sha256,
    })
}

fn dir_header(folder: &str, source_date: u64) -> Result<tar::Header> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_path(format!("{folder}/"))?;
    header.set_size(0);
    header.set_mode(0o755);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(source_date);
    header.set_cksum();
    Ok(header)
}

/// Lowercase hex SHA-256 of a file.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn fake_binary(dir: &Path) -> PathBuf {
        let bin = dir.join("prod-smoke");
        fs::write(&bin, b"#!/bin/sh\necho prod-smoke 0.0.0 (test)\n").unwrap();
        bin
    }

    #[test]
    fn same_inputs_give_the_same_bytes() {
        let scratch = tempfile::tempdir().unwrap();
        let bin = fake_binary(scratch.path());
        let a = package(&bin, &workspace(), &scratch.path().join("a"), 1_700_000_000).unwrap();
        let b = package(&bin, &workspace(), &scratch.path().join("b"), 1_700_000_000).unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert_eq!(fs::read(&a.archive).unwrap(), fs::read(&b.archive).unwrap());
    }

    #[test]
    fn checksum_file_is_in_sha256sum_format_and_matches() {
        let scratch = tempfile::tempdir().unwrap();
        let bin = fake_binary(scratch.path());
        let out = scratch.path().join("dist");
        let p = package(&bin, &workspace(), &out, 0).unwrap();
        let line = fs::read_to_string(&p.checksum).unwrap();
        assert_eq!(
            line,
            format!("{}  prod-smoke-x86_64-unknown-linux-gnu.tar.gz\n", p.sha256)
        );
        assert_eq!(sha256_file(&p.archive).unwrap(), p.sha256);
        // The real tool agrees.
        let check = std::process::Command::new("sha256sum")
            .args(["-c", "--strict"])
            .arg(p.checksum.file_name().unwrap())
            .current_dir(&out)
            .output()
            .unwrap();
        assert!(check.status.success(), "{check:?}");
    }

    #[test]
    fn archive_holds_one_folder_with_the_binary_readme_and_licenses() {
        let scratch = tempfile::tempdir().unwrap();
        let bin = fake_binary(scratch.path());
        let p = package(&bin, &workspace(), &scratch.path().join("dist"), 42).unwrap();
        let gz = flate2::read::GzDecoder::new(fs::File::open(&p.archive).unwrap());
        let mut archive = tar::Archive::new(gz);
        let mut seen = Vec::new();
        for entry in archive.entries().unwrap() {
            let entry = entry.unwrap();
            let header = entry.header();
            assert_eq!(header.uid().unwrap(), 0);
            assert_eq!(header.mtime().unwrap(), 42);
            let name = entry.path().unwrap().to_string_lossy().into_owned();
            let mode = header.mode().unwrap() & 0o777;
            seen.push((name, mode));
        }
        let folder = "prod-smoke-x86_64-unknown-linux-gnu";
        assert_eq!(
            seen,
            vec![
                (format!("{folder}/"), 0o755),
                (format!("{folder}/docs/"), 0o755),
                (format!("{folder}/LICENSE-APACHE"), 0o644),
                (format!("{folder}/LICENSE-MIT"), 0o644),
                (format!("{folder}/README.md"), 0o644),
                (format!("{folder}/docs/benchmarks.md"), 0o644),
                (format!("{folder}/docs/operations.md"), 0o644),
                (format!("{folder}/docs/spec.md"), 0o644),
                (format!("{folder}/prod-smoke"), 0o755),
            ]
        );
    }

    /// The archive's README must not link to a file the archive lacks:
    /// every relative link target (`](path)`, anchors dropped) is a doc.
    #[test]
    fn the_archive_carries_every_doc_the_readme_links_to() {
        let readme = fs::read_to_string(workspace().join("README.md")).unwrap();
        let mut missing = Vec::new();
        for link in readme.split("](").skip(1) {
            let target = link.split(')').next().unwrap_or_default();
            let path = target.split('#').next().unwrap_or_default();
            let external = path.contains("://") || path.starts_with("mailto:");
            if !path.is_empty() && !external && !DOCS.contains(&path) {
                missing.push(path.to_string());
            }
        }
        assert!(
            missing.is_empty(),
            "README.md links to files the archive lacks: {missing:?}"
        );
    }

    #[test]
    fn a_missing_binary_says_to_build_first() {
        let scratch = tempfile::tempdir().unwrap();
        let err = package(
            &scratch.path().join("nope"),
            &workspace(),
            scratch.path(),
            0,
        )
        .unwrap_err();
        assert!(err.to_string().contains("build prod-smoke first"), "{err}");
    }
}
