use tracing_subscriber::EnvFilter;

use crate::args::LogFormat;

/// Logs go to stderr; `RUST_LOG` picks the level (default: warnings only,
/// so the human output stays readable; chromiumoxide warns about every
/// CDP event it has no type for, which is noise to an operator).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,chromiumoxide=off"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_target(false).init(),
        LogFormat::Json => builder.json().init(),
    }
}
