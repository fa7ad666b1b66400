//! Fuzzing the hub's config files: mutations of the samples in `config/`
//! as a bad day produces them. No panic, every refusal quick, and every
//! refusal of a file's text names its line and column.

use prod_smoke_config::{ConfigError, resolve};

use super::write;

const REPOS: &str = include_str!("../../../../config/release_repos.yml");
const ENVS: &str = include_str!("../../../../config/qa_environments.yml");

#[test]
fn mutated_config_files_are_refused_quickly_and_with_a_place() {
    for (name, base, other, other_text) in [
        ("release_repos.yml", REPOS, "qa_environments.yml", ENVS),
        ("qa_environments.yml", ENVS, "release_repos.yml", REPOS),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), other, other_text);
        let summary = prod_smoke_input::mutations::fuzz(base, 150, |src| {
            write(dir.path(), name, src);
            match resolve("mcritchie-studio", None, dir.path(), true) {
                Ok(_) => Ok(true),
                Err(e) => judge(&e, src).map(|()| false),
            }
        });
        eprintln!("{name}: {summary:?}");
        assert!(summary.refused > summary.cases / 4, "{summary:?}");
    }
}

fn judge(e: &ConfigError, src: &str) -> Result<(), String> {
    let msg = e.to_string();
    if msg.len() > 2_000 {
        return Err(format!("a {}-byte message echoes the input", msg.len()));
    }
    match e {
        ConfigError::Malformed { line, column, .. }
            if *line >= 1 && *line <= yaml_lines(src) && *column >= 1 =>
        {
            Ok(())
        }
        // Rules about what the file says, not where: an app without a URL.
        ConfigError::BadUrl { .. } | ConfigError::UnknownApp { .. } => Ok(()),
        other => Err(format!("a refusal with no place: {other}")),
    }
}

/// Lines as YAML counts them (a lone `\r` breaks a line too), plus the
/// end of the stream after the last break.
fn yaml_lines(src: &str) -> usize {
    src.matches('\n').count() + src.matches('\r').count() + 2
}
