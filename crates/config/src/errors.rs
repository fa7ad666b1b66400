use std::path::PathBuf;

use prod_smoke_input::excerpt;

/// Bad input about which app or URL to check. Nothing has run yet.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown app `{app}`{hint}; known apps: {}", excerpt(&known.join(", "), 400))]
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

    /// Not a regular file (a FIFO, `/dev/zero`), not text, or unreadable:
    /// refused without being read, and the message names the file.
    #[error(transparent)]
    Read(#[from] prod_smoke_input::ReadError),

    /// `url` is already masked and cut: see [`ConfigError::bad_url`].
    #[error("bad URL `{url}`: {reason}")]
    BadUrl { url: String, reason: String },

    #[error("bad app name `{app}`: use lowercase letters, digits and dashes")]
    BadAppName { app: String },
}

impl ConfigError {
    /// A refused URL, as an error may print it: credentials masked (the
    /// error that refuses a password must not print it) and a long URL cut
    /// to an excerpt.
    pub fn bad_url(url: &str, reason: impl Into<String>) -> ConfigError {
        ConfigError::BadUrl {
            url: excerpt(
                &prod_smoke_redact::mask_url(url),
                prod_smoke_input::EXCERPT_CHARS,
            ),
            reason: reason.into(),
        }
    }
}
