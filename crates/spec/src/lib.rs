//! prod-smoke's spec format: YAML scenarios built from a small, read-only
//! step vocabulary, and the embedded `@qa-readonly` suite that ports the
//! hub's Playwright spec.
//!
//! This crate does no I/O beyond reading a spec file; the runner executes
//! the steps it defines.

mod devices;
mod errors;
mod settings;
pub mod steps;

mod suite;

pub use devices::{DEVICES, Device, device, device_names};
pub use errors::SpecError;
pub use prod_smoke_suggest::did_you_mean;
pub use settings::{BrowserSettings, ColorScheme, MAX_VIEWPORT_SIDE, Screen, USE_KEYS, Viewport};
pub use steps::normalise_ws as steps_normalise;
pub use steps::{
    Assertion, HttpCheck, HttpMethod, JsonPath, Locator, ResponseCheck, Step, StepInfo, StepKind,
    TextPattern, Visit, json_equal,
};
pub use suite::{Scenario, Suite};

/// The tag the hub's post-ship seal runs.
pub const DEFAULT_TAG: &str = "@qa-readonly";

/// Name the embedded suite reports as its file in errors and logs.
pub const DEFAULT_SUITE_NAME: &str = "specs/qa_readonly.yaml";

/// The `@qa-readonly` port, embedded so a hub repo needs no file of ours.
pub const DEFAULT_SUITE_YAML: &str = include_str!("../../../specs/qa_readonly.yaml");

/// A spec larger than this is refused before parsing: real suites are a few
/// kilobytes, and a huge file is a mistake or an attack.
pub const MAX_SPEC_BYTES: usize = prod_smoke_input::MAX_INPUT_BYTES as usize;

/// The embedded default suite.
pub fn default_suite() -> Suite {
    Suite::parse(DEFAULT_SUITE_NAME, DEFAULT_SUITE_YAML).expect("the embedded suite is valid")
}
