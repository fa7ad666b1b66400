use std::path::PathBuf;

/// Why a piece of test infrastructure could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    #[error(
        "no Postgres binaries found (looked for initdb under /usr/lib/postgresql/*/bin and $PG_BIN)"
    )]
    NoPostgresBinaries,

    #[error("`{command}` failed ({status}): {output}")]
    Command {
        command: String,
        status: String,
        output: String,
    },

    #[error("could not run `{command}`")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },

    #[error("could not prepare {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("Postgres at {url} is not reachable")]
    Unreachable {
        url: String,
        #[source]
        source: sqlx::Error,
    },

    #[error("Postgres query failed while {doing}")]
    Query {
        doing: String,
        #[source]
        source: sqlx::Error,
    },

    #[error("could not find a free TCP port on 127.0.0.1")]
    FreePort(#[source] std::io::Error),

    #[error("the mock Discord server could not listen")]
    Listen(#[source] std::io::Error),
}
