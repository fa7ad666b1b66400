//! What the seal reads from the environment, declared as data: each
//! variable's name, whether the seal (or a sink) needs it, how secret its
//! value is and a line of help. The seal's own variables are declared in
//! `config.rs`, each sink's in the sink's own file; the registry
//! (`sinks/mod.rs`) gathers them into `ENV_VARS`, the one list that
//! `--help`, the docs test, xtask and the CLI tests read.
//!
//! This module knows no sink: it is the vocabulary they all use.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// An environment variable the seal reads.
#[derive(Debug, Clone, Copy)]
pub struct EnvVar {
    pub name: &'static str,
    pub need: Need,
    pub secrecy: Secrecy,
    /// What it does, in one line (docs/operations.md §10 says it longer).
    pub help: &'static str,
}

/// Whether a variable must be set for its sink to be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The sink is off (or its delivery waits) without it.
    Required,
    /// Stands in for the named variable when that one is unset or blank.
    FallbackFor(&'static str),
    /// Changes how the sink delivers; it works without it.
    Optional,
    /// Points the sink at another server, which prod-smoke's own tests use
    /// for a mock; `--help` leaves it out.
    Testing,
}

/// How much of a value must never be shown.
#[derive(Debug, Clone, Copy)]
pub enum Secrecy {
    /// Safe to show.
    Plain,
    /// The whole value is a secret (masked as written and percent-decoded).
    Secret,
    /// A URL: the whole value, and the credentials in it (`user:password@`,
    /// token-like query values), each masked on its own too.
    Url,
    /// The whole value, and each part the function finds in it (a Discord
    /// webhook's token, a connection string's password), masked on its own
    /// as written and percent-decoded.
    WithParts(fn(&str) -> Vec<String>),
}

/// The values read for a list of [`EnvVar`]s, as found (blank ones are
/// left out). Each sink turns them into its own typed configuration.
#[derive(Clone, Default)]
pub struct Settings {
    values: BTreeMap<&'static str, String>,
    /// Every variable that was read, set or not: asking for another one is
    /// a sink reading a variable it forgot to declare.
    declared: BTreeSet<&'static str>,
}

impl Settings {
    /// Reads `vars` through `get`, which already leaves blank values out.
    pub(crate) fn read<'a>(
        vars: impl IntoIterator<Item = &'a EnvVar>,
        get: impl Fn(&str) -> Option<String>,
    ) -> Self {
        let mut settings = Settings::default();
        for var in vars {
            settings.declared.insert(var.name);
            if let Some(value) = get(var.name) {
                settings.values.insert(var.name, value);
            }
        }
        settings
    }

    /// The value as it was set; `None` when unset or blank.
    pub fn raw(&self, name: &str) -> Option<&str> {
        debug_assert!(
            self.declared.contains(name),
            "{name} is read, but no sink declares it in its ENV"
        );
        self.values.get(name).map(String::as_str)
    }

    /// The value with surrounding whitespace removed; `None` when unset or
    /// blank.
    pub fn trimmed(&self, name: &str) -> Option<&str> {
        self.raw(name).map(str::trim)
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: some of the values are secrets.
        f.debug_set().entries(self.values.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARS: &[EnvVar] = &[
        EnvVar {
            name: "SINK_URL",
            need: Need::Required,
            secrecy: Secrecy::Url,
            help: "where it goes",
        },
        EnvVar {
            name: "SINK_MODE",
            need: Need::Optional,
            secrecy: Secrecy::Plain,
            help: "how",
        },
    ];

    #[test]
    fn keeps_what_was_set_as_it_was_set() {
        let settings = Settings::read(VARS, |name| {
            (name == "SINK_URL").then(|| " https://hooks.example/in ".to_string())
        });
        assert_eq!(settings.raw("SINK_URL"), Some(" https://hooks.example/in "));
        assert_eq!(
            settings.trimmed("SINK_URL"),
            Some("https://hooks.example/in")
        );
        assert_eq!(settings.raw("SINK_MODE"), None);
        assert_eq!(format!("{settings:?}"), r#"{"SINK_URL"}"#);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "SINK_TOKEN is read, but no sink declares it")]
    fn reading_an_undeclared_variable_is_a_bug() {
        Settings::read(VARS, |_| None).raw("SINK_TOKEN");
    }
}
