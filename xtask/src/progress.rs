//! No wait without a sign of life. Every child xtask starts (cargo, npm,
//! apt-get, the test binaries) has its output relayed line by line; when
//! none has come for [`QUIET_LIMIT`], a `… still <what> (N s)` line says
//! the task is alive and how long it has run. Cargo's own progress
//! (`Compiling …`) comes through: nothing here passes `--quiet`.

use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The longest a task may go without printing a line.
pub const QUIET_LIMIT: Duration = Duration::from_secs(8);

/// A background ticker that prints `… still <what>` whenever nothing was
/// printed for [`QUIET_LIMIT`]. Stops on drop.
pub struct Watch {
    last: Arc<Mutex<Instant>>,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Watch {
    pub fn start(what: &str) -> Self {
        Self::start_with(what, QUIET_LIMIT, |line| eprintln!("{line}"))
    }

    /// The same, with another limit, and `say` instead of stderr.
    fn start_with(what: &str, limit: Duration, say: impl Fn(String) + Send + 'static) -> Self {
        let started = Instant::now();
        let last = Arc::new(Mutex::new(started));
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let (last, stop, what) = (last.clone(), stop.clone(), what.to_string());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(250));
                    let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                    if last.elapsed() >= limit && !stop.load(Ordering::Relaxed) {
                        say(format!(
                            "… still {what} ({} s)",
                            started.elapsed().as_secs()
                        ));
                        *last = Instant::now();
                    }
                }
            })
        };
        Watch {
            last,
            stop,
            ticker: Some(ticker),
        }
    }

    /// Something was printed: the quiet time starts again.
    pub fn touch(&self) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    /// Relays `from` to stderr line by line, touching on each line.
    pub fn relay_stderr(&self, from: impl Read + Send + 'static) -> JoinHandle<()> {
        let last = self.last.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(from).lines() {
                let Ok(line) = line else { break };
                eprintln!("{line}");
                *last.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
            }
        })
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
    }
}

/// Runs `cmd` (echoed first) under a [`Watch`] named `what`, relaying its
/// stdout and stderr, and fails when it fails.
pub fn run(cmd: &mut Command, what: &str) -> Result<()> {
    eprintln!("$ {}", display(cmd));
    let status = spawn_relayed(cmd, what)?;
    if !status.success() {
        bail!("`{}` failed: {status}", display(cmd));
    }
    Ok(())
}

fn spawn_relayed(cmd: &mut Command, what: &str) -> Result<ExitStatus> {
    keep_colour(cmd);
    let mut child: Child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{}`", display(cmd)))?;
    let watch = Watch::start(what);
    let out = watch.relay_stderr(child.stdout.take().expect("piped"));
    let err = watch.relay_stderr(child.stderr.take().expect("piped"));
    let status = child.wait()?;
    let _ = out.join();
    let _ = err.join();
    Ok(status)
}

/// Piped output loses cargo's colours; keep them when a person is watching.
pub fn keep_colour(cmd: &mut Command) {
    if std::io::stderr().is_terminal() && std::env::var_os("CARGO_TERM_COLOR").is_none() {
        cmd.env("CARGO_TERM_COLOR", "always");
    }
}

pub fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A child silent for longer than the limit still fails or passes on
    /// its own status, and its output comes through.
    #[test]
    fn relays_a_child_and_reports_its_status() {
        run(
            Command::new("sh").args(["-c", "echo out; echo err >&2"]),
            "testing",
        )
        .unwrap();
        let e = run(Command::new("sh").args(["-c", "exit 3"]), "testing").unwrap_err();
        assert!(e.to_string().contains("sh -c exit 3"), "{e}");
    }

    /// Silence past the limit gets a `… still` line; output resets the clock.
    #[test]
    fn silence_gets_a_still_line_and_output_resets_it() {
        let said = Arc::new(Mutex::new(Vec::new()));
        let sink = said.clone();
        // Generous margins: the test machine may be busy.
        let watch = Watch::start_with("waiting", Duration::from_millis(2000), move |l| {
            sink.lock().unwrap().push(l)
        });
        for _ in 0..10 {
            std::thread::sleep(Duration::from_millis(100));
            watch.touch();
        }
        assert!(said.lock().unwrap().is_empty(), "touched, so never quiet");
        std::thread::sleep(Duration::from_millis(3000));
        drop(watch);
        let said = said.lock().unwrap();
        assert!(!said.is_empty(), "three seconds of silence went unreported");
        assert!(
            said.iter().all(|l| l.starts_with("… still waiting (")),
            "{said:?}"
        );
    }
}
