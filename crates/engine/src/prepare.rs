//! Everything that can be wrong with the input, found before anything
//! runs: the spec and `--grep`, `--block-url`, the app's URL, and the
//! credentials in URLs, which become secrets masked everywhere after.

use std::path::PathBuf;

use prod_smoke_config::{AppTarget, check_url, resolve};
use prod_smoke_input::{EXCERPT_CHARS, excerpt};
use prod_smoke_redact::{Redactor, url_credentials};
use prod_smoke_report::SpecResource;
use prod_smoke_seal::{SealConfig, SealOverrides};
use prod_smoke_spec::{Scenario, Suite};

use crate::deadline::Deadline;
use crate::request::{LedgerSettings, SealRequest};

/// Bad input: nothing ran. The message is masked and says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InputError(String);

impl InputError {
    pub(crate) fn new(message: String) -> InputError {
        InputError(message)
    }
}

/// The entry point: `Engine::prepare(request)?.seal(&events).await`.
pub struct Engine;

/// A seal whose input is checked, ready to run one pass or more.
pub struct PreparedSeal {
    pub(crate) request: SealRequest,
    pub(crate) target: AppTarget,
    pub(crate) scenarios: Vec<Scenario>,
    pub(crate) block_urls: Vec<String>,
    /// The spec's bytes, hashed before the run so seal.intoto.json names
    /// the spec that ran.
    pub(crate) spec_resource: Option<SpecResource>,
    pub(crate) seal_config: Result<SealConfig, String>,
    pub(crate) redactor: Redactor,
    pub(crate) deadline: Deadline,
}

impl Engine {
    /// Checks the request. The deadline starts counting here.
    pub fn prepare(request: SealRequest) -> Result<PreparedSeal, InputError> {
        // A browser or canary URL's token or password is a secret like any
        // other: masked in every output, artifact, ledger row and sink
        // payload, and in the message that refuses bad input.
        let url_secrets: Vec<String> = [
            request.browser.cdp_url.as_deref(),
            request.browser.canary.as_deref(),
        ]
        .into_iter()
        .flatten()
        .flat_map(url_credentials)
        .collect();
        let deadline = Deadline::from_now(request.run.deadline);
        let (target, scenarios, block_urls) = match resolve_input(&request) {
            Ok(p) => p,
            Err(message) => {
                let app_url_secrets = request
                    .url
                    .as_deref()
                    .map(url_credentials)
                    .unwrap_or_default();
                let r = redactor_of([&request.seal.ledger.secrets, &url_secrets, &app_url_secrets]);
                return Err(InputError(r.redact(&message)));
            }
        };
        let spec_resource = crate::statement::spec_resource(request.run.spec.as_deref());
        let seal_config = run_seal_config(&request, &target).map(|mut cfg| {
            url_secrets.iter().for_each(|s| cfg.redactor.add(s.clone()));
            cfg
        });
        let redactor = seal_config
            .as_ref()
            .map(|c| c.redactor.clone())
            .unwrap_or_else(|_| redactor_of([&request.seal.ledger.secrets, &url_secrets]));
        Ok(PreparedSeal {
            request,
            target,
            scenarios,
            block_urls,
            spec_resource,
            seal_config,
            redactor,
            deadline,
        })
    }
}

impl PreparedSeal {
    /// Masks every secret the seal knows: `--secret`, the sinks' own, and
    /// the credentials in URLs.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The app, its URL and its deploy settings, as resolved.
    pub fn target(&self) -> &AppTarget {
        &self.target
    }

    pub fn request(&self) -> &SealRequest {
        &self.request
    }
}

fn resolve_input(req: &SealRequest) -> Result<(AppTarget, Vec<Scenario>, Vec<String>), String> {
    let suite = match &req.run.spec {
        Some(path) => Suite::load(path).map_err(|e| e.to_string())?,
        None => prod_smoke_spec::default_suite(),
    };
    let scenarios: Vec<Scenario> = suite.select(&req.run.grep).into_iter().cloned().collect();
    if scenarios.is_empty() {
        return Err(format!(
            "no scenario in {} matches --grep {:?}",
            suite.file,
            excerpt(&req.run.grep, EXCERPT_CHARS)
        ));
    }
    if let Some(bad) = req.guard.block_urls.iter().find(|p| p.trim().is_empty()) {
        return Err(format!(
            "--block-url {:?} is empty; give a URL pattern such as \"*/logout*\"",
            excerpt(bad, EXCERPT_CHARS)
        ));
    }
    let mut block_urls = suite.block_urls.clone();
    block_urls.extend(req.guard.block_urls.iter().cloned());
    let (dir, explicit) = match &req.config_dir {
        Some(d) => (d.clone(), true),
        None => (PathBuf::from("config"), false),
    };
    let mut target =
        resolve(&req.app, req.url.as_deref(), &dir, explicit).map_err(|e| e.to_string())?;
    target.url = check_url(&target.url, req.guard.allow_http).map_err(|e| e.to_string())?;
    if let Some(repo) = req
        .seal
        .repo
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        target.repo = Some(repo.to_string());
    }
    Ok((target, scenarios, block_urls))
}

/// The seal's configuration: the environment, plus what the flags say.
/// `overrides` carries the command's own fields (release, sha, …).
pub fn seal_config(
    ledger: &LedgerSettings,
    delivery_attempts: u32,
    overrides: SealOverrides,
) -> Result<SealConfig, String> {
    SealConfig::from_env(SealOverrides {
        ledger: ledger.ledger.clone(),
        secrets: ledger.secrets.clone(),
        retry: Some(prod_smoke_seal::RetryPolicy {
            attempts: delivery_attempts,
            ..prod_smoke_seal::RetryPolicy::default()
        }),
        ..overrides
    })
    .map_err(|e| prod_smoke_seal::chain(&e))
}

/// The seal configuration of a run, for `target`.
fn run_seal_config(req: &SealRequest, target: &AppTarget) -> Result<SealConfig, String> {
    let seal = &req.seal;
    seal_config(
        &seal.ledger,
        seal.delivery.delivery_attempts,
        SealOverrides {
            release_slug: seal.release.clone(),
            sha: seal.sha.clone(),
            production_app: target.production_app.clone(),
            repo: target.repo.clone(),
            notes_message_id: seal.notes_message_id.clone(),
            ..SealOverrides::default()
        },
    )
}

/// A redactor of the secrets known without the seal's configuration:
/// `--secret` values and URL credentials.
pub(crate) fn redactor_of<'a>(lists: impl IntoIterator<Item = &'a Vec<String>>) -> Redactor {
    let mut r = Redactor::new();
    lists.into_iter().flatten().for_each(|s| r.add(s.clone()));
    r
}
