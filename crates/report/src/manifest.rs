//! `sha256_manifest.txt`, in the format `sha256sum -c` reads, so anyone can
//! check the evidence folder with stock tools.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use prod_smoke_model::atomic::{is_partial, write_atomic};
use sha2::{Digest, Sha256};

use crate::errors::ReportError;

pub const MANIFEST_FILE: &str = "sha256_manifest.txt";

/// The in-toto statement's file name in the artifacts folder (intoto.rs
/// writes it). Named here, beside the manifest, because the manifest leaves
/// it out: the statement attests the manifest, not the other way round.
pub const STATEMENT_FILE: &str = "seal.intoto.json";

/// Hashes every regular file under `dir` (recursively, except the manifest
/// itself, temporary files mid-write and the in-toto statement that names
/// the manifest's digest; symlinks are not followed) and writes the
/// manifest, sorted by path.
pub fn write_manifest(dir: &Path) -> Result<PathBuf, ReportError> {
    let mut text = String::new();
    for (rel, digest) in hash_folder(dir)? {
        text.push_str(&manifest_line(&digest, &rel));
    }
    let path = dir.join(MANIFEST_FILE);
    write_atomic(&path, text.as_bytes()).map_err(|source| ReportError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// Checks the folder against its manifest: every listed file matches, and
/// no file was added since.
pub fn verify_manifest(dir: &Path) -> Result<(), ReportError> {
    let manifest = dir.join(MANIFEST_FILE);
    let text = fs::read_to_string(&manifest).map_err(|source| ReportError::Read {
        path: manifest.clone(),
        source,
    })?;
    let mut listed = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let (digest, rel) = parse_line(line).ok_or_else(|| ReportError::ManifestSyntax {
            manifest: manifest.clone(),
            line: i + 1,
        })?;
        listed.insert(rel, digest);
    }
    let mut actual = hash_folder(dir)?;
    for (file, expected) in listed {
        match actual.remove(&file) {
            None => return Err(ReportError::ManifestMissing { file }),
            Some(found) if found != expected => {
                return Err(ReportError::ManifestMismatch {
                    file,
                    expected,
                    actual: found,
                });
            }
            Some(_) => {}
        }
    }
    match actual.into_keys().next() {
        Some(file) => Err(ReportError::ManifestUnlisted { file }),
        None => Ok(()),
    }
}

/// Relative path → hex digest, for every regular file but the manifest and
/// the statement.
fn hash_folder(dir: &Path) -> Result<BTreeMap<String, String>, ReportError> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let read_err = |source| ReportError::Read {
            path: folder.clone(),
            source,
        };
        for entry in fs::read_dir(&folder).map_err(read_err)? {
            let entry = entry.map_err(read_err)?;
            let path = entry.path();
            let kind = entry.file_type().map_err(read_err)?;
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() && !is_partial(&entry.file_name().to_string_lossy()) {
                // A temporary file mid-write is not evidence.
                let rel = slash_path(path.strip_prefix(dir).unwrap_or(&path));
                // The statement attests the manifest, so it cannot be in it.
                if rel != MANIFEST_FILE && rel != STATEMENT_FILE {
                    files.insert(rel, sha256_file(&path)?);
                }
            }
        }
    }
    Ok(files)
}

fn sha256_file(path: &Path) -> Result<String, ReportError> {
    let read_err = |source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = fs::File::open(path).map_err(read_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// A relative path with `/` separators, as the manifest and results.json spell it.
pub(crate) fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

pub use prod_smoke_model::is_inside;

/// GNU coreutils marks a name holding `\` or a newline with a leading `\`
/// and escapes those characters, so one line stays one entry.
fn manifest_line(digest: &str, rel: &str) -> String {
    if rel.contains(['\\', '\n', '\r']) {
        let escaped = rel
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        format!("\\{digest}  {escaped}\n")
    } else {
        format!("{digest}  {rel}\n")
    }
}

fn parse_line(line: &str) -> Option<(String, String)> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (digest, rel) = line.split_once("  ")?;
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) || rel.is_empty() {
        return None;
    }
    let rel = if escaped {
        unescape(rel)?
    } else {
        rel.to_string()
    };
    Some((digest.to_ascii_lowercase(), rel))
}

fn unescape(rel: &str) -> Option<String> {
    let mut out = String::with_capacity(rel.len());
    let mut chars = rel.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(match chars.next()? {
                '\\' => '\\',
                'n' => '\n',
                'r' => '\r',
                _ => return None,
            });
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_names_round_trip_through_the_line_format() {
        let digest = "ab".repeat(32);
        for name in ["plain.txt", "a\\b", "two\nlines", "sp ace"] {
            let line = manifest_line(&digest, name);
            let (d, n) = parse_line(line.trim_end_matches('\n')).unwrap();
            assert_eq!((d.as_str(), n.as_str()), (digest.as_str(), name));
        }
    }

    #[test]
    fn only_relative_inner_paths_are_inside() {
        assert!(is_inside(Path::new("screenshots/a.png")));
        assert!(!is_inside(Path::new("../etc/passwd")));
        assert!(!is_inside(Path::new("/etc/passwd")));
        assert!(!is_inside(Path::new("screenshots/../../x")));
        assert!(!is_inside(Path::new("")));
    }
}
