use std::path::PathBuf;

/// Bad input about which app or URL to check. Nothing has run yet.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown app `{app}`{hint}; known apps: {known}", known = known.join(", "))]
    UnknownApp {
        app: String,
        known: Vec<String>,
        hint: String,
    },

    #[error(
        "missing config: {} has neither release_repos.yml nor qa_environments.yml; \
         pass --config-dir DIR or --url URL",
        dir.display()
    )]
    MissingConfig { dir: PathBuf },

    #[error("{}:{line}:{column}: {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("bad URL `{url}`: {reason}")]
    BadUrl { url: String, reason: String },

    #[error("bad app name `{app}`: use lowercase letters, digits and dashes")]
    BadAppName { app: String },
}
