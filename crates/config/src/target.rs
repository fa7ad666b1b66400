use std::fmt;
use std::net::IpAddr;
use std::path::Path;

use prod_smoke_suggest::did_you_mean;

use crate::errors::ConfigError;
use crate::files::HubConfig;
use crate::{DEFAULT_APP, DEFAULT_URL};

/// Where the resolved URL came from; printed so an operator can see why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlSource {
    Flag,
    ReleaseRepos,
    QaEnvironments,
    BuiltInDefault,
}

impl fmt::Display for UrlSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlSource::Flag => "--url",
            UrlSource::ReleaseRepos => "release_repos.yml apps.<app>.prod_deploy.smoke_url",
            UrlSource::QaEnvironments => "qa_environments.yml qa_environments.<app>.production_url",
            UrlSource::BuiltInDefault => "built-in default",
        })
    }
}

/// The app to check and what the hub knows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppTarget {
    pub app: String,
    pub url: String,
    pub source: UrlSource,
    /// Heroku app for `heroku rollback --app`
    /// (`qa_environments.<app>.production_app`). `None` when config does not
    /// name it: a name guessed from the slug could roll back the wrong app.
    pub production_app: Option<String>,
    /// Checkout for `git -C <repo>` (`release_repos.yml` `apps.<app>.repo`,
    /// relative to the working directory). `None` when config does not name it.
    pub repo: Option<String>,
    /// How the app ships (`apps.<app>.prod_deploy`), for the rollback block.
    pub deploy: DeployConfig,
}

/// `release_repos.yml` → `apps.<app>.prod_deploy`, the parts the rollback
/// block follows. Blank values are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployConfig {
    /// `strategy`, as written; `None` is the contract's `git_push_heroku`.
    pub strategy: Option<String>,
    pub workflow: Option<String>,
    pub branch: Option<String>,
    pub rollback_script: Option<String>,
}

impl AppTarget {
    /// Which config key would name the Heroku app.
    pub fn production_app_key(&self) -> String {
        format!(
            "set qa_environments.{}.production_app in config/qa_environments.yml",
            self.app
        )
    }

    /// Which config key would name the checkout.
    pub fn repo_key(&self) -> String {
        format!(
            "set apps.{}.repo in config/release_repos.yml or pass --repo",
            self.app
        )
    }
}

/// Resolves the app's URL. `explicit_config_dir` is true when the operator
/// named the folder, so a missing folder is an error rather than a fallback.
pub fn resolve(
    app: &str,
    url_flag: Option<&str>,
    config_dir: &Path,
    explicit_config_dir: bool,
) -> Result<AppTarget, ConfigError> {
    check_app_name(app)?;
    let hub = HubConfig::load(config_dir)?;
    let repo = hub.release_repos.get(app);
    let env = hub.qa_environments.get(app);
    // Not `heroku_app`: in qa_environments.yml that is the QA app.
    let production_app =
        non_blank(env.and_then(|e| e.production_app.as_deref())).map(str::to_string);
    let repo_dir = non_blank(repo.and_then(|r| r.repo.as_deref())).map(str::to_string);
    let prod_deploy = repo.and_then(|r| r.prod_deploy.as_ref());
    let field = |f: fn(&crate::files::ProdDeploy) -> Option<&String>| {
        non_blank(prod_deploy.and_then(f).map(String::as_str)).map(str::to_string)
    };
    let deploy = DeployConfig {
        strategy: field(|d| d.strategy.as_ref()),
        workflow: field(|d| d.workflow.as_ref()),
        branch: field(|d| d.branch.as_ref()),
        rollback_script: field(|d| d.rollback_script.as_ref()),
    };
    let target = |url: &str, source| AppTarget {
        app: app.to_string(),
        url: url.trim().to_string(),
        source,
        production_app: production_app.clone(),
        repo: repo_dir.clone(),
        deploy: deploy.clone(),
    };

    if let Some(url) = non_blank(url_flag) {
        return Ok(target(url, UrlSource::Flag));
    }
    if !hub.found_any && (explicit_config_dir || app != DEFAULT_APP) {
        return Err(ConfigError::MissingConfig {
            dir: config_dir.to_path_buf(),
        });
    }
    let smoke_url = repo.and_then(|r| r.prod_deploy.as_ref()?.smoke_url.as_deref());
    if let Some(url) = non_blank(smoke_url) {
        return Ok(target(url, UrlSource::ReleaseRepos));
    }
    if let Some(url) = non_blank(env.and_then(|e| e.production_url.as_deref())) {
        return Ok(target(url, UrlSource::QaEnvironments));
    }
    let known = hub.known_apps();
    if app == DEFAULT_APP {
        return Ok(target(DEFAULT_URL, UrlSource::BuiltInDefault));
    }
    if known.iter().any(|k| k == app) {
        // Known, but neither file gives it a URL: guessing would check the
        // wrong site, so ask for one.
        return Err(ConfigError::BadUrl {
            url: String::new(),
            reason: format!(
                "app `{app}` has no prod_deploy.smoke_url or production_url in {}; pass --url",
                config_dir.display()
            ),
        });
    }
    let names: Vec<&str> = known.iter().map(String::as_str).collect();
    let hint = did_you_mean(app, &names)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    Err(ConfigError::UnknownApp {
        app: app.to_string(),
        known,
        hint,
    })
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn check_app_name(app: &str) -> Result<(), ConfigError> {
    let ok = !app.is_empty()
        && app.len() <= 100
        && app
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::BadAppName {
            app: app.chars().take(100).collect(),
        })
    }
}

/// Checks a resolved URL: http(s) with a host, and plain `http://` only for
/// loopback unless `allow_http` is set. Returns the URL without a trailing
/// slash, so paths join cleanly.
pub fn check_url(url: &str, allow_http: bool) -> Result<String, ConfigError> {
    let bad = |reason: &str| ConfigError::bad_url(url, reason);
    let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
    let Some(host) = parsed.host_str() else {
        return Err(bad("it has no host"));
    };
    match parsed.scheme() {
        "https" => {}
        "http" if allow_http || is_loopback(host) => {}
        "http" => {
            return Err(bad(
                "plain http:// to a non-loopback host is refused; use https:// or pass --allow-http",
            ));
        }
        other => return Err(bad(&format!("scheme `{other}` is not http or https"))),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(
            "credentials in the URL are refused; they would end up in logs",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad("give the app's base URL, without a query or fragment"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h.ends_with(".localhost")
        || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
