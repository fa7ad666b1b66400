//! Reads the hub's `config/release_repos.yml` and `config/qa_environments.yml`
//! and resolves the production URL prod-smoke checks.
//!
//! Resolution order (blank values are skipped): `--url`, then
//! `release_repos.yml` → `apps.<app>.prod_deploy.smoke_url`, then
//! `qa_environments.yml` → `qa_environments.<app>.production_url`, then the
//! built-in default. No environment variable takes part: a stray
//! `QA_BASE_URL` once silently won over production.

mod errors;
mod files;
mod target;

pub use errors::ConfigError;
pub use files::{HubConfig, QaEnvironment, ReleaseRepo};
pub use target::{AppTarget, DeployConfig, UrlSource, check_url, resolve};

/// The app the hub seals when no app is named.
pub const DEFAULT_APP: &str = "mcritchie-studio";

/// The last resort of URL resolution.
pub const DEFAULT_URL: &str = "https://mcritchie.studio";
