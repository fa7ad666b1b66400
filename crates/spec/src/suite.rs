use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

use crate::MAX_SPEC_BYTES;
use crate::errors::SpecError;
use crate::settings::BrowserSettings;
use crate::steps::{HttpMethod, ResponseCheck, Step};
use prod_smoke_input::{EXCERPT_CHARS, ReadError, excerpt};
use prod_smoke_suggest::did_you_mean;

/// A spec file: a named list of scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    /// Where it came from, for error messages and reports.
    pub file: String,
    pub name: String,
    pub scenarios: Vec<Scenario>,
    /// `block_url:` URL patterns (`*` matches any run of characters) the
    /// read-only guard fails even for GET: for apps whose GETs have side
    /// effects (a tracking pixel, `/logout?`).
    pub block_urls: Vec<String>,
}

/// A Playwright `test(...)`: steps run in order and stop at the first failure.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// `use:`: the browser the scenario runs in (viewport, device, colour
    /// scheme, locale, user agent, time zone).
    #[serde(default, rename = "use")]
    pub browser: BrowserSettings,
    pub steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    #[serde(default)]
    suite: Option<String>,
    #[serde(default)]
    block_url: Vec<String>,
    scenarios: Vec<Scenario>,
}

impl Scenario {
    pub fn needs_browser(&self) -> bool {
        self.steps.iter().any(Step::needs_browser)
    }

    /// Whether a `json` step reads the body of the `get` at `index`: only
    /// then is the body downloaded.
    pub fn body_read_after(&self, index: usize) -> bool {
        self.steps
            .iter()
            .skip(index + 1)
            .take_while(|s| !matches!(s, Step::Http(_)))
            .any(|s| matches!(s, Step::Response(ResponseCheck::Json { .. })))
    }

    /// Playwright-style `--grep`: a tag selects scenarios carrying it; any
    /// other text is a regex over the scenario's title and tags.
    pub fn matches(&self, grep: &str) -> bool {
        if self.tags.iter().any(|t| t == grep) {
            return true;
        }
        let title = format!("{} {}", self.name, self.tags.join(" "));
        match Regex::new(grep) {
            Ok(r) => r.is_match(&title),
            Err(_) => title.contains(grep),
        }
    }
}

static UNKNOWN_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"unknown field `([^`]+)`, expected (?:one of )?(.*)").expect("valid regex")
});
static BACKTICKED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"`([^`]+)`").expect("valid regex"));

impl Suite {
    /// Parses a spec. `file` names it in error messages.
    pub fn parse(file: &str, source: &str) -> Result<Suite, SpecError> {
        if source.len() > MAX_SPEC_BYTES {
            return Err(SpecError::TooLarge {
                file: file.to_string(),
                limit: MAX_SPEC_BYTES,
            });
        }
        // Depth and duplicate keys first: the parser would crawl through
        // deep nesting and keep the last of two keys without a word.
        prod_smoke_input::check_yaml(source).map_err(|issue| {
            SpecError::located(file, source, issue.line, issue.column, issue.message)
        })?;
        let raw: RawSuite = serde_yaml::from_str(source).map_err(|e| {
            let message = with_suggestion(&e.to_string());
            match e.location() {
                Some(loc) => SpecError::located(file, source, loc.line(), loc.column(), message),
                None => SpecError::invalid(file, message),
            }
        })?;
        let suite = Suite {
            file: file.to_string(),
            name: raw.suite.unwrap_or_else(|| file.to_string()),
            scenarios: raw.scenarios,
            block_urls: raw.block_url,
        };
        if suite.block_urls.iter().any(|p| p.trim().is_empty()) {
            return Err(SpecError::invalid(
                file,
                "`block_url` has an empty pattern; give a URL pattern such as \"*/logout*\"".into(),
            ));
        }
        suite.validate()?;
        Ok(suite)
    }

    /// Reads and parses a spec file: a regular file only (a FIFO or a
    /// device is refused without being read), at most [`MAX_SPEC_BYTES`].
    pub fn load(path: &Path) -> Result<Suite, SpecError> {
        let file = path.display().to_string();
        let source =
            prod_smoke_input::read_text(path, MAX_SPEC_BYTES as u64).map_err(|e| match e {
                ReadError::TooLarge { limit, .. } => SpecError::TooLarge {
                    file: file.clone(),
                    limit: limit as usize,
                },
                other => SpecError::Read(other),
            })?;
        Suite::parse(&file, &source)
    }

    /// Scenarios selected by `grep`, in file order.
    pub fn select(&self, grep: &str) -> Vec<&Scenario> {
        self.scenarios.iter().filter(|s| s.matches(grep)).collect()
    }

    fn validate(&self) -> Result<(), SpecError> {
        let invalid = |message: String| SpecError::invalid(&self.file, message);
        if self.scenarios.is_empty() {
            return Err(invalid("the spec has no scenarios".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for s in &self.scenarios {
            // Names and tags are echoed as excerpts: a rule stays readable
            // whatever the spec holds.
            let name = excerpt(&s.name, EXCERPT_CHARS);
            if s.name.trim().is_empty() {
                return Err(invalid("a scenario has an empty name".into()));
            }
            if !seen.insert(s.name.as_str()) {
                return Err(invalid(format!("scenario {name:?} is defined twice")));
            }
            if s.steps.is_empty() {
                return Err(invalid(format!("scenario {name:?} has no steps")));
            }
            if let Some(t) = s.tags.iter().find(|t| !t.starts_with('@') || t.len() < 2) {
                return Err(invalid(format!(
                    "tag {:?} in scenario {name:?} must start with `@`, like `@qa-readonly`",
                    excerpt(t, EXCERPT_CHARS)
                )));
            }
            // An assertion needs a page to look at.
            let first_page_step = s.steps.iter().position(Step::needs_browser);
            let first_visit = s.steps.iter().position(|st| matches!(st, Step::Visit(_)));
            if first_page_step.is_some() && first_page_step != first_visit {
                return Err(invalid(format!(
                    "scenario {name:?} checks the page before any `visit`"
                )));
            }
            // A response check needs a response: the last `get` or `head`.
            let mut last_method = None;
            for step in &s.steps {
                match step {
                    Step::Http(h) => last_method = Some(h.method),
                    Step::Response(r) if last_method.is_none() => {
                        return Err(invalid(format!(
                            "scenario {name:?} checks `{}` before any `get` or `head`",
                            r.kind().info().key
                        )));
                    }
                    Step::Response(ResponseCheck::Json { .. })
                        if last_method == Some(HttpMethod::Head) =>
                    {
                        return Err(invalid(format!(
                            "scenario {name:?} reads `json` after a `head`, whose response has no body; use `get`"
                        )));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

/// Adds a "did you mean" to serde's unknown-field messages.
fn with_suggestion(message: &str) -> String {
    let Some(caps) = UNKNOWN_FIELD.captures(message) else {
        return message.to_string();
    };
    let field = &caps[1];
    let candidates: Vec<&str> = BACKTICKED
        .captures_iter(&caps[2])
        .map(|c| c.get(1).map_or("", |m| m.as_str()))
        .collect();
    match did_you_mean(field, &candidates) {
        Some(s) => format!("{message}; did you mean `{s}`?"),
        None => message.to_string(),
    }
}
