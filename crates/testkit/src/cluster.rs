//! A private Postgres cluster in a temporary folder, on a free port, that a
//! test (or `cargo xtask test`) can stop and start at will.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

use tempfile::TempDir;

use crate::TestkitError;

/// The OS user that owns the cluster when we run as root: initdb and
/// postgres refuse to run as root.
const POSTGRES_OS_USER: &str = "postgres";

/// A throwaway Postgres server. Plain blocking code, so a normal binary can
/// use it as well as an async test. The server is stopped (`-m immediate`)
/// and its folder removed on drop.
#[derive(Debug)]
pub struct PgCluster {
    dir: TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres_user: bool,
    running: Mutex<bool>,
}

impl PgCluster {
    /// Runs initdb in a new temporary folder and starts the server on a
    /// free port on 127.0.0.1 (trust auth, user `postgres`, fsync off).
    pub fn start() -> Result<Self, TestkitError> {
        let bin = find_bin_dir().ok_or(TestkitError::NoPostgresBinaries)?;
        let as_postgres_user = is_root();
        let dir = tempfile::Builder::new()
            .prefix("prod-smoke-pg-")
            .tempdir()
            .map_err(|source| TestkitError::Io {
                path: std::env::temp_dir(),
                source,
            })?;
        let socket_dir = dir.path().join("socket");
        std::fs::create_dir(&socket_dir).map_err(|source| TestkitError::Io {
            path: socket_dir.clone(),
            source,
        })?;
        if as_postgres_user {
            let mut chown = Command::new("chown");
            chown
                .arg("-R")
                .arg(format!("{POSTGRES_OS_USER}:"))
                .arg(dir.path());
            run(chown)?;
        }

        let cluster = PgCluster {
            port: free_port()?,
            dir,
            bin,
            as_postgres_user,
            running: Mutex::new(false),
        };
        let mut initdb = cluster.command("initdb");
        initdb.arg("-D").arg(cluster.data_dir()).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]);
        run(initdb)?;
        cluster.start_server()?;
        Ok(cluster)
    }

    /// Connection URL for the `postgres` database.
    pub fn url(&self) -> String {
        self.url_for("postgres")
    }

    /// Connection URL for another database on this cluster.
    pub fn url_for(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn is_running(&self) -> bool {
        *self.running.lock().unwrap()
    }

    /// Stops the server (fast shutdown: open connections are cut).
    pub fn stop(&self) -> Result<(), TestkitError> {
        self.pg_ctl_stop("fast")?;
        *self.running.lock().unwrap() = false;
        Ok(())
    }

    /// Starts the server again on the same port, with the same data.
    pub fn restart(&self) -> Result<(), TestkitError> {
        self.start_server()
    }

    fn start_server(&self) -> Result<(), TestkitError> {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -F",
            self.port,
            self.dir.path().join("socket").display()
        );
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.dir.path().join("server.log"))
            .arg("-o")
            .arg(options)
            .args(["-w", "-t", "60", "start"]);
        run(pg_ctl)?;
        *self.running.lock().unwrap() = true;
        Ok(())
    }

    fn pg_ctl_stop(&self, mode: &str) -> Result<(), TestkitError> {
        let mut pg_ctl = self.command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data_dir())
            .args(["-m", mode, "-w", "stop"]);
        run(pg_ctl)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", POSTGRES_OS_USER, "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.is_running() {
            let _ = self.pg_ctl_stop("immediate");
        }
    }
}

fn run(mut command: Command) -> Result<(), TestkitError> {
    let shown = format!("{command:?}");
    let output = command.output().map_err(|source| TestkitError::Spawn {
        command: shown.clone(),
        source,
    })?;
    if output.status.success() {
        return Ok(());
    }
    Err(TestkitError::Command {
        command: shown,
        status: output.status.to_string(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    })
}

/// `$PG_BIN`, else the newest `/usr/lib/postgresql/<version>/bin` (Debian).
fn find_bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN").map(PathBuf::from)
        && dir.join("initdb").exists()
    {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn free_port() -> Result<u16, TestkitError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(TestkitError::FreePort)
}

fn is_root() -> bool {
    // Reading /proc keeps us free of `unsafe` (libc::geteuid).
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
}
