//! Checks on the open page, one file per step. Like Playwright's `expect`,
//! each one polls the page until it passes or its timeout ends.
//!
//! A check lives in one file: its fields, its parser, how it is described
//! (the check's name), what it expects (the failure's wording), its
//! timeout, the arguments of its page-side probe, its probe (a JavaScript
//! arrow function, see `probe.rs`) and how it reads the probe's answer.
//! The runner owns only the generic poll loop.
//!
//! ## Adding a step
//!
//! 1. Write `page/<step>.rs`, and its `pub mod` line below: a struct,
//!    `impl ParseStep` (read its keys from [`Fields`]), `impl PageCheck`,
//!    and `pub(crate) const PROBE`, the page-side arrow function
//!    `(args) => ({ count, pass, text })`, which may use the helpers of
//!    `prelude.js` (`single`, `locate`, `isElementVisible`, `elementText`,
//!    ...). A check that reads nothing in the page (it judges what the
//!    runner watched) has no probe.
//! 2. Add one entry to `registry!` in `registry.rs`: its key, modifiers,
//!    summary, `parse: page::parse::<page::step::Step, _>` and
//!    `probe: page::step::PROBE`.
//! 3. Document it under "## Steps" in docs/spec.md (a test insists).
//!
//! The probe is optional and keyed by the registry, not by this trait, so
//! a step of another shape registers one the same way. An action on the
//! page (click, fill) can poll its actionability check as its probe, then
//! have the runner send its input over CDP once the check passes (a hook
//! such as `fn act(&self) -> Option<…>` on this trait, defaulting to none);
//! a request takes its own `Step` variant and runner module, as `get` does.

pub mod attribute;
pub mod count;
pub mod hidden;
pub mod in_viewport;
pub mod no_page_errors;
mod probe;
pub mod text;
pub mod title;
pub mod url;
pub mod visible;

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use serde::de;

use super::locator::{ARIA_ROLES, Locator};
use super::{Fields, Step};

pub use probe::{Observation, prelude, probe_script};

/// What a check reads to decide.
#[derive(Debug, Clone, PartialEq)]
pub enum Reads {
    /// Polls the page's probe with these arguments until it passes or the
    /// timeout ends.
    Probe(serde_json::Value),
    /// Looks once at the page errors the runner watched so far: `count`
    /// errors, the first one's message as `text`.
    PageErrors,
}

/// The verdict on one observation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// What was seen instead, ending "expected …, saw <this>".
    Saw(String),
}

/// A check on the open page.
pub trait PageCheck: fmt::Debug + Send + Sync + Any {
    /// The check's name: "#x is visible".
    fn describe(&self) -> String;
    /// What a failure says was expected: "`#x` to be visible". Not
    /// derived from `describe`: both wordings are part of the output
    /// (check names are compared with the last green run), so each step
    /// keeps its two, side by side.
    fn expected(&self) -> String;
    /// `timeout:`; `None` means the run's default.
    fn timeout(&self) -> Option<Duration>;
    /// The locator the check reads, if it reads one.
    fn locator(&self) -> Option<&Locator> {
        None
    }
    /// What the check reads.
    fn reads(&self) -> Reads;
    /// Judges one observation of what [`PageCheck::reads`] names.
    fn judge(&self, seen: &Observation) -> Verdict;
}

/// How a registry entry builds its check from the step's keys.
pub(crate) trait ParseStep: PageCheck + Sized {
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E>;
}

/// The registry's `parse:` for a page check.
pub(super) fn parse<T: ParseStep, E: de::Error>(f: &mut Fields) -> Result<Step, E> {
    let check = T::parse(f)?;
    Ok(Step::Assert(Assertion {
        key: f.key(),
        check: Arc::new(check),
    }))
}

/// An expectation on the current page: one [`PageCheck`] and the key of
/// the registry entry it came from, which names its probe. The registry
/// turns the key back into its `StepKind` (`Assertion::kind`), so a check
/// never names the registry that names it.
#[derive(Debug, Clone)]
pub struct Assertion {
    key: &'static str,
    check: Arc<dyn PageCheck>,
}

impl Assertion {
    /// The step's YAML key, such as `visible`.
    pub fn key(&self) -> &'static str {
        self.key
    }

    /// The check as its own type, such as [`title::Title`].
    pub fn downcast_ref<T: PageCheck>(&self) -> Option<&T> {
        let any: &dyn Any = &*self.check;
        any.downcast_ref()
    }

    /// The probe's arguments, with the probe's name (the step's key), or
    /// `None` for a check that reads what the runner watched.
    pub fn probe_args(&self) -> Option<serde_json::Value> {
        match self.check.reads() {
            Reads::Probe(mut args) => {
                args["probe"] = self.key.into();
                Some(args)
            }
            Reads::PageErrors => None,
        }
    }
}

impl std::ops::Deref for Assertion {
    type Target = dyn PageCheck;

    fn deref(&self) -> &Self::Target {
        &*self.check
    }
}

impl PartialEq for Assertion {
    fn eq(&self, other: &Self) -> bool {
        self.describe() == other.describe() && self.timeout() == other.timeout()
    }
}

/// The probe's arguments for a check on a locator's elements.
/// The state the one element a locator matches must be in: `visible`,
/// `hidden`, `in_viewport`. Each state's file words it and holds its probe;
/// [`StateCheck`] does the rest.
pub trait ElementState: fmt::Debug + Clone + Send + Sync + 'static {
    /// The state in words: "#x is {IS}", "`#x` to be {IS}".
    const IS: &'static str;
    /// What a failure says the one match showed instead.
    fn saw(selector: &str, seen: &Observation) -> String;
}

/// A check that the one element a locator matches is in state `S`.
#[derive(Debug, Clone)]
pub struct StateCheck<S> {
    pub selector: Locator,
    pub timeout: Option<Duration>,
    state: PhantomData<S>,
}

impl<S: ElementState> ParseStep for StateCheck<S> {
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E> {
        let key = f.key();
        Ok(StateCheck {
            selector: f.require_locator(key)?,
            timeout: f.take_timeout()?,
            state: PhantomData,
        })
    }
}

impl<S: ElementState> PageCheck for StateCheck<S> {
    fn describe(&self) -> String {
        format!("{} is {}", self.selector.describe(), S::IS)
    }

    fn expected(&self) -> String {
        format!("`{}` to be {}", self.selector.describe(), S::IS)
    }

    fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    fn locator(&self) -> Option<&Locator> {
        Some(&self.selector)
    }

    fn reads(&self) -> Reads {
        Reads::Probe(locator_args(&self.selector, serde_json::json!({})))
    }

    fn judge(&self, seen: &Observation) -> Verdict {
        judge_one(&self.selector, seen, |selector| S::saw(selector, seen))
    }
}

fn locator_args(locator: &Locator, extra: serde_json::Value) -> serde_json::Value {
    let mut args = extra;
    args["locator"] = locator.to_json();
    args["roles"] = ARIA_ROLES.into();
    args
}

/// The verdict of a check on the one element a locator matches
/// (Playwright's strict mode): `on_one` words what that element showed.
fn judge_one(
    locator: &Locator,
    seen: &Observation,
    on_one: impl FnOnce(&str) -> String,
) -> Verdict {
    if seen.pass {
        return Verdict::Pass;
    }
    if let Some(error) = &seen.error {
        return Verdict::Saw(error.clone());
    }
    let selector = locator.describe();
    // A plain CSS selector keeps its old wording; a locator can be narrowed
    // with `nth`, which the message offers.
    let pick = if locator.nth.is_some() || !selector.contains('(') {
        ""
    } else {
        "; add `nth:` to pick one"
    };
    Verdict::Saw(match seen.count {
        0 => format!("no element matching `{selector}`"),
        n if n > 1 => format!("{n} elements matching `{selector}` (strict mode wants one{pick})"),
        _ => on_one(&selector),
    })
}
