use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use prod_smoke_input::{MAX_INPUT_BYTES, ReadError, check_yaml, excerpt, read_text};
use serde::Deserialize;

use crate::errors::ConfigError;

/// The longest parser message a config error prints: it may quote a value.
const MAX_MESSAGE_CHARS: usize = 600;

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
    let malformed = |line, column, message: String| ConfigError::Malformed {
        path: path.to_path_buf(),
        line,
        column,
        message: excerpt(&message, MAX_MESSAGE_CHARS),
    };
    let text = match read_text(path, MAX_INPUT_BYTES) {
        Ok(text) => text,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(ReadError::TooLarge { limit, .. }) => {
            return Err(malformed(
                1,
                1,
                format!("file is over the {limit}-byte (1 MiB) limit"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if text.trim().is_empty() {
        return Ok(Some(T::default()));
    }
    // Depth and duplicate keys first: the parser would crawl through deep
    // nesting, and an app written twice would silently take the last.
    check_yaml(&text).map_err(|i| malformed(i.line, i.column, i.message))?;
    serde_yaml::from_str(&text).map(Some).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        malformed(line, column, e.to_string())
    })
}
