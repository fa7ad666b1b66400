use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::errors::ConfigError;

/// Config files larger than this are refused: the real ones are a few KB.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// `release_repos.yml` → `apps.<app>`. Unknown keys are ignored: the hub
/// owns this file and adds to it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReleaseRepo {
    #[serde(default)]
    pub prod_deploy: Option<ProdDeploy>,
    /// Local checkout of the app, used in the rollback commands.
    #[serde(default, alias = "path")]
    pub repo: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProdDeploy {
    /// How the app ships, which decides the rollback block:
    /// `git_push_heroku` (the default), `github_actions`, `fly` or
    /// `repo_script`.
    #[serde(default)]
    pub strategy: Option<String>,
    /// `github_actions`: the workflow that deploys, named in the block.
    #[serde(default)]
    pub workflow: Option<String>,
    /// `github_actions`: the branch that workflow builds from (default `main`).
    #[serde(default)]
    pub branch: Option<String>,
    /// `repo_script`: the app's own rollback command, printed as written.
    #[serde(default)]
    pub rollback_script: Option<String>,
    #[serde(default)]
    pub smoke_url: Option<String>,
}

/// `qa_environments.yml` → `qa_environments.<app>`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct QaEnvironment {
    #[serde(default)]
    pub heroku_app: Option<String>,
    /// The platform app (Heroku's or Fly's) named in the rollback commands.
    #[serde(default)]
    pub production_app: Option<String>,
    #[serde(default)]
    pub production_url: Option<String>,
    #[serde(default)]
    pub qa_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ReleaseReposFile {
    #[serde(default)]
    apps: Option<BTreeMap<String, Option<ReleaseRepo>>>,
}

#[derive(Debug, Default, Deserialize)]
struct QaEnvironmentsFile {
    #[serde(default)]
    qa_environments: Option<BTreeMap<String, Option<QaEnvironment>>>,
}

/// What the hub's config folder says about its apps.
#[derive(Debug, Clone, Default)]
pub struct HubConfig {
    pub dir: PathBuf,
    /// False when neither file exists.
    pub found_any: bool,
    pub release_repos: BTreeMap<String, ReleaseRepo>,
    pub qa_environments: BTreeMap<String, QaEnvironment>,
}

impl HubConfig {
    pub fn load(dir: &Path) -> Result<HubConfig, ConfigError> {
        let repos: Option<ReleaseReposFile> = read_yaml(&dir.join("release_repos.yml"))?;
        let envs: Option<QaEnvironmentsFile> = read_yaml(&dir.join("qa_environments.yml"))?;
        let found_any = repos.is_some() || envs.is_some();
        Ok(HubConfig {
            dir: dir.to_path_buf(),
            found_any,
            release_repos: flatten(repos.and_then(|f| f.apps)),
            qa_environments: flatten(envs.and_then(|f| f.qa_environments)),
        })
    }

    /// Every app either file names, sorted.
    pub fn known_apps(&self) -> Vec<String> {
        let mut apps: Vec<String> = self
            .release_repos
            .keys()
            .chain(self.qa_environments.keys())
            .cloned()
            .collect();
        apps.sort();
        apps.dedup();
        apps
    }
}

fn flatten<T: Default>(m: Option<BTreeMap<String, Option<T>>>) -> BTreeMap<String, T> {
    m.unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect()
}

fn read_yaml<T: serde::de::DeserializeOwned + Default>(
    path: &Path,
) -> Result<Option<T>, ConfigError> {
    let io = |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::Malformed {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!("file is {} bytes, over the 1 MiB limit", meta.len()),
        });
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    if text.trim().is_empty() {
        return Ok(Some(T::default()));
    }
    serde_yaml::from_str(&text).map(Some).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        ConfigError::Malformed {
            path: path.to_path_buf(),
            line,
            column,
            message: e.to_string(),
        }
    })
}
