//! Renders a prod-smoke run into its evidence folder and into the short
//! forms CI shows. Nothing here touches the network or the browser; the only
//! I/O is reading and writing the artifacts folder.
//!
//! - [`write_artifacts`]: `results.json`, `junit.xml`, `report.html`, then
//!   `sha256_manifest.txt` over the whole folder.
//! - [`step_summary_markdown`]: the GitHub step summary.
//! - [`github_annotations`]: `::error` workflow commands for failures.

mod annotations;
mod artifacts;
mod errors;
mod explain;
mod html;
mod intoto;
mod junit;
mod manifest;
mod markdown;
mod results_json;

pub use annotations::{escape_data, escape_property, github_annotations};
pub use artifacts::{
    ArtifactPaths, HTML_FILE, JUNIT_FILE, REPORT_FILES, RESULTS_FILE, write_artifacts,
};
pub use errors::ReportError;
pub use explain::explain;
pub use html::{CONTENT_SECURITY_POLICY, report_html};
pub use intoto::{
    STATEMENT_TYPE, SpecResource, TEST_RESULT_PREDICATE, intoto_statement, write_statement,
};
pub use junit::junit_xml;
pub use manifest::{MANIFEST_FILE, STATEMENT_FILE, is_inside, verify_manifest, write_manifest};
pub use markdown::step_summary_markdown;
pub use results_json::{RESULTS_SCHEMA, results_json};
