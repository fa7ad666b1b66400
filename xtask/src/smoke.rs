//! `cargo xtask smoke`: the main job, end to end.
//!
//! `--fixture` is a demo, and a demo must not touch real state: it seals
//! into its own folder ([`DEMO_STATE`]: ledger, baselines and artifacts),
//! with every sink variable removed, so an operator's
//! `~/.local/state/prod-smoke` (history, notes, the last green baselines)
//! and the real Postgres, Discord and webhook never see it. `--app` is the
//! real thing and uses the real state.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

use crate::fixture::FixtureProcess;
use crate::usage_error;

/// The fixture demo's state folder, under the workspace's `target/`.
pub const DEMO_STATE: &str = "target/fixture-demo";

/// The app the demo seals: the default one, so its config and rollback
/// block are the real shapes. The state folder keeps it apart.
const DEMO_APP: &str = "mcritchie-studio";

/// What `smoke` was asked to do, checked before anything is built.
#[derive(Debug, PartialEq, Eq)]
enum Job {
    Fixture,
    App { app: String, url: Option<String> },
}

fn parse(args: &[String]) -> Result<Job> {
    let mut fixture = false;
    let mut app = None;
    let mut url = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| match it.next() {
            Some(v) if !v.starts_with("--") => Ok(v.clone()),
            _ => Err(crate::Usage(format!("smoke: {flag} needs a value"))),
        };
        match arg.as_str() {
            "--fixture" => fixture = true,
            "--app" => app = Some(value("--app")?),
            "--url" => url = Some(value("--url")?),
            other => {
                let hint =
                    prod_smoke_suggest::did_you_mean(other, &["--fixture", "--app", "--url"])
                        .map(|f| format!(" (did you mean `{f}`?)"))
                        .unwrap_or_default();
                usage_error!(
                    "smoke: unknown argument `{other}`{hint}; it takes --fixture, or --app APP [--url URL]"
                )
            }
        }
    }
    match (fixture, app) {
        (true, None) if url.is_none() => Ok(Job::Fixture),
        (true, _) => usage_error!(
            "smoke: --fixture seals the bundled site at its own URL; drop --app and --url"
        ),
        (false, Some(app)) => Ok(Job::App { app, url }),
        (false, None) => usage_error!(
            "smoke needs --fixture (the bundled demo site) or --app APP (a real app's production URL)"
        ),
    }
}

pub fn run(args: &[String]) -> Result<()> {
    let job = parse(args)?;
    let chromium = crate::chromium::ensure()?;
    crate::build_binaries(false)?;
    let prod_smoke = Path::new("target/debug/prod-smoke");
    match job {
        Job::Fixture => {
            let root = std::env::current_dir()?;
            let state = root.join(DEMO_STATE);
            let site = FixtureProcess::start("target/debug/fixture-site")?;
            eprintln!("fixture site: {}", site.url);
            eprintln!(
                "fixture demo: ledger, baselines and artifacts go to {DEMO_STATE}/ \
                 (never ~/.local/state/prod-smoke; no sink is called)"
            );
            let status =
                demo_command(&root.join(prod_smoke), &chromium, &site.url, &state)?.status()?;
            drop(site);
            eprintln!(
                "fixture demo wrote to {DEMO_STATE}/: ledger.sqlite3, baselines/, artifacts/\n\
                 see its seals: target/debug/prod-smoke history --ledger {DEMO_STATE}/ledger.sqlite3"
            );
            exit_like(status)
        }
        Job::App { app, url } => {
            let mut cmd = Command::new(prod_smoke);
            cmd.arg("--chromium").arg(&chromium).arg(app);
            if let Some(url) = url {
                cmd.args(["--url", &url]);
            }
            exit_like(cmd.status()?)
        }
    }
}

/// The demo's prod-smoke call: the default app against the fixture site,
/// with the ledger (and so the baselines beside it) and the artifacts in
/// `state`, and no sink variable in its environment.
pub fn demo_command(
    prod_smoke: &Path,
    chromium: &Path,
    site_url: &str,
    state: &Path,
) -> Result<Command> {
    std::fs::create_dir_all(state)?;
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let mut cmd = Command::new(prod_smoke);
    cmd.arg("--chromium")
        .arg(chromium)
        .args([DEMO_APP, "--url", site_url])
        .arg("--ledger")
        .arg(state.join("ledger.sqlite3"))
        .arg("--artifacts")
        .arg(state.join(format!("artifacts/{DEMO_APP}-{seconds}")));
    crate::sinks::keep_off_real_sinks(&mut cmd);
    Ok(cmd)
}

/// Passes prod-smoke's exit code (0 green, 1 red, 2, 3) through.
fn exit_like(status: std::process::ExitStatus) -> Result<()> {
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => std::process::exit(code),
        None => bail!("prod-smoke was killed: {status}"),
    }
}

/// Every file under `dir`, for the test's "nothing was written" check.
#[cfg(test)]
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
            out.push(path);
        } else {
            out.push(path);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn arguments_are_checked_before_anything_is_built() {
        assert_eq!(parse(&args("--fixture")).unwrap(), Job::Fixture);
        assert_eq!(
            parse(&args("--app a --url http://x")).unwrap(),
            Job::App {
                app: "a".into(),
                url: Some("http://x".into())
            }
        );
        for (bad, says) in [
            (
                "",
                "smoke needs --fixture (the bundled demo site) or --app APP",
            ),
            ("--fixure", "did you mean `--fixture`?"),
            ("--app", "--app needs a value"),
            ("--fixture --app a", "drop --app and --url"),
        ] {
            let e = parse(&args(bad)).unwrap_err();
            assert!(e.downcast_ref::<crate::Usage>().is_some(), "{bad}: {e:?}");
            assert!(e.to_string().contains(says), "{bad}: {e}");
        }
    }

    /// The demo, as `cargo xtask smoke --fixture` runs it, with `HOME`
    /// pointed at an empty folder: afterwards that folder holds no ledger
    /// (so no fixture seal) and no baseline, and the demo's own folder
    /// holds both.
    #[test]
    fn fixture_demo_leaves_the_default_state_folder_untouched() {
        let root = crate::workspace_root();
        // Built by `cargo test --workspace` (the cli and fixture-site tests
        // need them) with the same features; a nested `cargo build` here
        // would rebuild shared dependencies under other features.
        for bin in ["prod-smoke", "fixture-site"] {
            assert!(
                root.join("target/debug").join(bin).is_file(),
                "target/debug/{bin} is missing: run `cargo build -p prod-smoke-cli -p \
                 prod-smoke-fixture-site` (or `cargo xtask test`, which builds it)"
            );
        }
        let chromium = crate::chromium::ensure().unwrap();
        let home = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let site = FixtureProcess::start(
            root.join("target/debug/fixture-site")
                .to_str()
                .expect("utf-8 path"),
        )
        .unwrap();
        let prod_smoke = root.join("target/debug/prod-smoke");
        let out = demo_command(&prod_smoke, &chromium, &site.url, state.path())
            .unwrap()
            .env("HOME", home.path())
            .env_remove("XDG_STATE_HOME")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "the demo was not green:\n{stderr}");
        // Chromium keeps its own crash-report and dconf folders in HOME;
        // nothing of prod-smoke's may be there.
        let ours: Vec<_> = files_under(home.path())
            .into_iter()
            .filter(|p| {
                let p = p.to_string_lossy();
                p.contains("prod-smoke") || p.contains("ledger") || p.contains("baselines")
            })
            .collect();
        assert!(
            ours.is_empty(),
            "the demo wrote into HOME: {ours:?}\n{stderr}"
        );
        assert!(
            !home.path().join(".local/state").exists(),
            "the demo made HOME/.local/state:\n{stderr}"
        );
        assert!(
            state
                .path()
                .join("baselines/mcritchie-studio")
                .read_dir()
                .unwrap()
                .next()
                .is_some(),
            "no baseline in the demo's own folder"
        );
        let history = Command::new(&prod_smoke)
            .arg("history")
            .arg("--ledger")
            .arg(state.path().join("ledger.sqlite3"))
            .output()
            .unwrap();
        let listed = String::from_utf8_lossy(&history.stdout);
        let host = site.url.trim_start_matches("http://").trim_end_matches('/');
        assert!(
            listed.contains(&format!("green vs {host}")),
            "the demo's own ledger has no seal:\n{listed}"
        );
        // And the operator's history, as `prod-smoke history` shows it with
        // that HOME, has none.
        let theirs = Command::new(&prod_smoke)
            .arg("history")
            .env("HOME", home.path())
            .env_remove("XDG_STATE_HOME")
            .env_remove("PROD_SMOKE_LEDGER")
            .output()
            .unwrap();
        let theirs = String::from_utf8_lossy(&theirs.stdout);
        assert!(
            !theirs.contains(host),
            "the fixture seal is in HOME's history:\n{theirs}"
        );
    }
}
