//! install.sh end to end: the release archive served over loopback HTTP,
//! installed into a scratch folder, then sealing the fixture site with the
//! installed binary in real Chromium. A single changed byte in the archive
//! must stop the install before anything lands.
//!
//! The archive is the debug `prod-smoke` this test binary was built with,
//! packed by the same `prod_smoke_dist::package` that `cargo xtask dist`
//! uses, so `cargo xtask test` never pays for a release build. Set
//! `PROD_SMOKE_DIST_DIR=target/dist` to test a real `cargo xtask dist`
//! output instead (the release workflow does, before it publishes).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};

use crate::support::{BIN, site};

pub const ARCHIVE: &str = "prod-smoke-x86_64-unknown-linux-gnu.tar.gz";

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn install_sh() -> PathBuf {
    workspace().join("install.sh")
}

/// The folder holding the archive and its checksum, packed once per test
/// binary.
pub fn dist_dir() -> &'static Path {
    static DIST: OnceLock<PathBuf> = OnceLock::new();
    DIST.get_or_init(|| {
        if let Some(dir) = std::env::var_os("PROD_SMOKE_DIST_DIR") {
            let dir = PathBuf::from(dir);
            assert!(
                dir.join(ARCHIVE).is_file(),
                "PROD_SMOKE_DIST_DIR={} has no {ARCHIVE}: run `cargo xtask dist` first",
                dir.display()
            );
            return dir;
        }
        // Kept for the whole test run: other tests serve it too.
        let dir = tempfile::tempdir().expect("dist dir").keep();
        // `cargo xtask dist` builds stripped; strip a copy of the debug
        // binary the same way (it nearly halves what every test gzips,
        // hashes and unpacks). Without `strip`, the unstripped binary works.
        let stripped = dir.join("stripped-prod-smoke");
        let binary = match Command::new("strip")
            .arg("-o")
            .arg(&stripped)
            .arg(BIN)
            .status()
        {
            Ok(s) if s.success() => stripped.clone(),
            _ => PathBuf::from(BIN),
        };
        prod_smoke_dist::package(&binary, &workspace(), &dir, 0).expect("packing the archive");
        let _ = std::fs::remove_file(&stripped);
        dir
    })
}

/// A loopback HTTP server that answers `GET /…/<name>` with `<name>` from
/// one folder (whatever the leading path, like a release download URL) and
/// records every path it was asked for.
pub struct FileServer {
    pub base: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl FileServer {
    pub fn serve(dir: &Path) -> FileServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                // Drain the headers.
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                let path = request_line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .to_string();
                seen.lock().unwrap().push(path.clone());
                let name = path.rsplit('/').next().unwrap_or_default();
                let file = dir.join(name);
                let response = match std::fs::read(&file) {
                    Ok(body) if !name.is_empty() && file.is_file() => {
                        let mut r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                            body.len()
                        )
                        .into_bytes();
                        r.extend_from_slice(&body);
                        r
                    }
                    _ => {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = stream.write_all(&response);
            }
        });
        FileServer { base, requests }
    }
}

/// Runs install.sh the way `curl … | sh -s -- ARGS` would, with a scratch
/// HOME and the given download base.
pub fn run_install(base: &str, home: &Path, args: &[&str]) -> Output {
    Command::new("sh")
        .arg(install_sh())
        .args(args)
        .env("HOME", home)
        .env("PROD_SMOKE_DOWNLOAD_BASE", base)
        .env("TMPDIR", std::env::temp_dir())
        .output()
        .expect("sh runs install.sh")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A real Chromium as install.sh finds it (the same check the action uses).
pub fn chromium() -> PathBuf {
    let out = Command::new("sh")
        .arg(install_sh())
        .arg("--find-chromium")
        .output()
        .unwrap();
    assert!(out.status.success(), "no real Chromium: {}", text(&out));
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

#[tokio::test]
async fn installed_archive_seals_the_fixture_site() {
    let server = FileServer::serve(dist_dir());
    let scratch = tempfile::tempdir().unwrap();
    let to = scratch.path().join("bin");
    let out = run_install(
        &server.base,
        scratch.path(),
        &["--to", to.to_str().unwrap()],
    );
    let report = text(&out);
    assert!(out.status.success(), "{report}");
    assert!(report.contains("checksum ok"), "{report}");
    // The scratch folder is not on PATH, so the hint must say how.
    assert!(
        report.contains(&format!("export PATH=\"{}:$PATH\"", to.display())),
        "{report}"
    );
    assert!(report.contains("Chromium: "), "{report}");
    // Only the binary lands; the partial copy was renamed away.
    let names: Vec<_> = std::fs::read_dir(&to)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec!["prod-smoke".to_string()]);

    let installed = to.join("prod-smoke");
    let version = Command::new(&installed).arg("--version").output().unwrap();
    let version = String::from_utf8(version.stdout).unwrap();
    assert!(
        version.starts_with(&format!("prod-smoke {} (", env!("CARGO_PKG_VERSION")))
            && version.trim_end().ends_with(')'),
        "{version}"
    );

    let fixture = site(&[]).await;
    let url = fixture.base_url();
    let seal = tokio::process::Command::new(&installed)
        .args([
            "mcritchie-studio",
            "--url",
            &url,
            "--json",
            "--retries",
            "0",
        ])
        .arg("--chromium")
        .arg(chromium())
        .arg("--ledger")
        .arg(scratch.path().join("ledger.sqlite3"))
        .arg("--artifacts")
        .arg(scratch.path().join("artifacts"))
        .current_dir(scratch.path())
        .env("TMPDIR", scratch.path())
        .env_remove("DATABASE_URL")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let report = text(&seal);
    assert_eq!(seal.status.code(), Some(0), "{report}");
    let json: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&seal.stdout)
            .lines()
            .find(|l| l.starts_with('{'))
            .expect("JSON line"),
    )
    .unwrap();
    assert_eq!(json["verdict"], "green", "{report}");
    assert_eq!(json["passed"], true, "{report}");
    assert!(scratch.path().join("artifacts/results.json").is_file());
    assert!(
        server
            .requests
            .lock()
            .unwrap()
            .iter()
            .any(|p| p == &format!("/{ARCHIVE}.sha256")),
        "install.sh fetched the checksum"
    );
}

#[test]
fn one_changed_byte_installs_nothing() {
    // A copy of the release with one byte of the archive flipped, and the
    // checksum left as published.
    let tampered = tempfile::tempdir().unwrap();
    let mut archive = std::fs::read(dist_dir().join(ARCHIVE)).unwrap();
    let middle = archive.len() / 2;
    archive[middle] ^= 0x01;
    std::fs::write(tampered.path().join(ARCHIVE), &archive).unwrap();
    std::fs::copy(
        dist_dir().join(format!("{ARCHIVE}.sha256")),
        tampered.path().join(format!("{ARCHIVE}.sha256")),
    )
    .unwrap();
    let server = FileServer::serve(tampered.path());

    // Into a fresh folder: the folder is not even created.
    let scratch = tempfile::tempdir().unwrap();
    let to = scratch.path().join("bin");
    let out = run_install(
        &server.base,
        scratch.path(),
        &["--to", to.to_str().unwrap()],
    );
    let report = text(&out);
    assert_ne!(out.status.code(), Some(0), "{report}");
    assert!(report.contains("checksum mismatch"), "{report}");
    assert!(report.contains("nothing was installed"), "{report}");
    assert!(!to.exists(), "{} was created\n{report}", to.display());

    // Over an existing install: the old binary stays, byte for byte.
    std::fs::create_dir_all(&to).unwrap();
    std::fs::write(to.join("prod-smoke"), b"the previous prod-smoke").unwrap();
    let out = run_install(
        &server.base,
        scratch.path(),
        &["--to", to.to_str().unwrap()],
    );
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read(to.join("prod-smoke")).unwrap(),
        b"the previous prod-smoke"
    );
    assert_eq!(
        std::fs::read_dir(&to).unwrap().count(),
        1,
        "no partial file left"
    );
    // And no scratch folder of install.sh's is left behind either.
}

#[test]
fn a_missing_release_is_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    let server = FileServer::serve(empty.path());
    let scratch = tempfile::tempdir().unwrap();
    let to = scratch.path().join("bin");
    let out = run_install(
        &server.base,
        scratch.path(),
        &["--to", to.to_str().unwrap()],
    );
    let report = text(&out);
    assert_ne!(out.status.code(), Some(0), "{report}");
    assert!(report.contains("cannot download"), "{report}");
    assert!(!to.exists());
}

#[test]
fn bad_arguments_are_refused_and_help_names_the_download_base() {
    let out = Command::new("sh")
        .arg(install_sh())
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument '--bogus'"));
    let help = Command::new("sh")
        .arg(install_sh())
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("PROD_SMOKE_DOWNLOAD_BASE"));
}

#[test]
fn a_snap_shim_is_not_a_real_chromium() {
    // A PATH whose only `chromium` is Ubuntu's snap shim, plus the tools
    // install.sh itself uses.
    let scratch = tempfile::tempdir().unwrap();
    let bin = scratch.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    for tool in ["sh", "readlink", "head", "grep", "sed", "tr", "cat"] {
        let real = which(tool);
        std::os::unix::fs::symlink(real, bin.join(tool)).unwrap();
    }
    let shim = bin.join("chromium");
    std::fs::write(&shim, "#!/bin/sh\nexec /snap/bin/chromium \"$@\"\n").unwrap();
    std::fs::set_permissions(&shim, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = Command::new(bin.join("sh"))
        .arg(install_sh())
        .arg("--find-chromium")
        .env("PATH", &bin)
        .output()
        .unwrap();
    let report = text(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("no real (non-snap) Chromium"), "{report}");
    assert!(report.contains("Install it with:"), "{report}");
}

fn which(tool: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{tool} is not on PATH"))
}
