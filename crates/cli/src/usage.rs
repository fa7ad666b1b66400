//! Mistakes on the command line that clap cannot see, caught before
//! anything runs (exit 2).
//!
//! - A misspelt command: `prod-smoke histroy` parses as the app `histroy`.
//!   The rule: a word close to a command's name (by the `suggest` crate's
//!   measure) that is not an app the config knows, nor the default app, is
//!   taken for the command, and the message says so and lists the known
//!   apps. A real app slug, however close to a command, keeps working.
//! - A flag of the seal run given beside a command
//!   (`prod-smoke --url X history`): the command would ignore it.

use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use prod_smoke_config::{DEFAULT_APP, HubConfig};

use crate::args::Cli;

pub fn check(cli: &Cli, matches: &ArgMatches) -> Result<(), String> {
    if let Some(flag) = Cli::run_flag_beside_command(matches) {
        let command = matches.subcommand_name().unwrap_or_default();
        return Err(format!(
            "{flag} is a flag of the seal run (`prod-smoke [APP] {flag} …`), not of \
             `{command}`; see `prod-smoke {command} --help`"
        ));
    }
    if cli.command.is_none() && matches.value_source("app") == Some(ValueSource::CommandLine) {
        let dir = cli
            .global
            .config_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("config"));
        return misspelt_command(&cli.run.request.app, &dir, &Cli::command_names());
    }
    Ok(())
}

/// `Err` when `word` reads as a misspelt command rather than an app.
fn misspelt_command(word: &str, config_dir: &Path, commands: &[String]) -> Result<(), String> {
    let names: Vec<&str> = commands.iter().map(String::as_str).collect();
    let Some(command) = prod_smoke_suggest::did_you_mean(word, &names) else {
        return Ok(());
    };
    // An unreadable config knows no apps; the seal run reports it if it
    // matters.
    let known = HubConfig::load(config_dir)
        .map(|c| c.known_apps())
        .unwrap_or_default();
    if word == DEFAULT_APP || known.iter().any(|k| k == word) {
        return Ok(());
    }
    let apps = if known.is_empty() {
        DEFAULT_APP.to_string()
    } else {
        known.join(", ")
    };
    Err(format!(
        "unknown command or app `{word}` (did you mean `{command}`?); known apps: {apps}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands() -> Vec<String> {
        Cli::command_names()
    }

    #[test]
    fn a_word_near_a_command_is_taken_for_it() {
        let empty = tempfile::tempdir().unwrap();
        let empty = empty.path();
        let e = misspelt_command("histroy", empty, &commands()).unwrap_err();
        assert!(e.contains("did you mean `history`?"), "{e}");
        assert!(e.contains("known apps: mcritchie-studio"), "{e}");
        assert!(misspelt_command("turf-monster", empty, &commands()).is_ok());
    }

    #[test]
    fn a_known_app_near_a_command_still_runs() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        std::fs::write(
            dir.join("qa_environments.yml"),
            "qa_environments:\n  notes:\n    production_url: https://notes.example\n",
        )
        .unwrap();
        assert!(misspelt_command("notes", dir, &["notez".to_string()]).is_ok());
        let e = misspelt_command("histroy", dir, &commands()).unwrap_err();
        assert!(e.contains("known apps: notes"), "{e}");
    }
}
