use std::path::PathBuf;

/// prod-smoke's own environment failed. A run that hits one of these is
/// inconclusive: it says nothing about the site.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error(
        "no Chromium found (looked for {looked_for}); install it with `apt-get install -y chromium` \
         or pass --chromium PATH"
    )]
    ChromiumNotFound { looked_for: String },

    #[error("could not start Chromium at {}: {reason}", path.display())]
    Launch { path: PathBuf, reason: String },

    #[error("could not connect to the browser at {endpoint}: {reason}")]
    Connect { endpoint: String, reason: String },

    #[error(
        "the browser pool at {endpoint} stayed busy: {attempts} attempts in {:.1}s, the last one: {last}; \
         give it more time with --pool-budget SECONDS or give the pool more slots",
        waited.as_secs_f64()
    )]
    PoolBusy {
        endpoint: String,
        attempts: u32,
        waited: std::time::Duration,
        last: String,
    },

    #[error("the browser went away mid-run: {0}")]
    BrowserLost(String),

    #[error("browser command failed: {0}")]
    Cdp(String),

    #[error("cannot write screenshots to {}: {source}", dir.display())]
    Artifacts {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
}
