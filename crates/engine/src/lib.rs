//! The prod-smoke engine: one seal from start to end, as a library.
//!
//! A front end (the `prod-smoke` binary, a watch loop, a GitHub adapter)
//! parses its own input into a [`SealRequest`], renders the engine's
//! [`EngineEvent`]s, and maps the [`Outcome`] to its exit codes. The
//! engine never prints.
//!
//! ```text
//! Engine::prepare(SealRequest) -> Result<PreparedSeal, InputError>   // bad input: nothing ran
//! PreparedSeal::seal(&EngineEvents) -> SealOutcome                   // = pass + record + finish
//!
//! PreparedSeal::pass(PassOptions, &EngineEvents) -> Judged           // run, canary, verdict,
//!                                                                    // rollback proof, comparison,
//!                                                                    // evidence
//! Judged::record(&mut self) -> &Sealed                               // ledger + sinks + baseline
//! Judged::finish(self) -> SealOutcome                                // rollback block, verdict,
//!                                                                    // heartbeat end, manifest,
//!                                                                    // seal.intoto.json
//! ```
//!
//! The phases, in order:
//! 1. **prepare** (prepare.rs): the spec and `--grep`, `--block-url`, the
//!    app's URL, the seal's configuration, and the credentials in URLs,
//!    which join the redactor. The deadline starts.
//! 2. **pass** (pass.rs): the artifacts folder (artifacts.rs) and its
//!    heartbeat.log (heartbeat.rs); the suite, cut short by SIGINT, SIGTERM
//!    or the deadline into an inconclusive report; the verdict, decided
//!    once (verdict.rs, asking the canary in canary.rs when nothing of
//!    the site answered); on red the rollback sha and its dry run
//!    (rollback.rs); the comparison with the baseline
//!    (since_last_green.rs); the report files, manifest and CI outputs
//!    (evidence.rs).
//! 3. **record** (record.rs): the ledger and sinks, through
//!    `prod_smoke_seal`; a green seal's screenshots become the baseline.
//! 4. **finish**: the manifest is written again once heartbeat.log has its
//!    last line, then seal.intoto.json (statement.rs) names it.
//!
//! A watch loop prepares once and runs [`PreparedSeal::pass`] again and
//! again, each with its own artifacts folder ([`PassOptions::artifacts`]),
//! its baseline ([`Baseline::Kept`], the last green pass), one browser
//! kept running ([`PassOptions::browser`]), and records only the passes
//! it chooses ([`Judged::record`]).
//!
//! The ledger's own commands are one call each (ledger_commands.rs):
//! [`deliver_pending`], [`history`] and [`update_notes`] return what they
//! did, or a [`LedgerCommandError`] whose [`ErrorClass`] a front end maps
//! to its exit code.

mod artifacts;
mod canary;
mod deadline;
mod events;
mod evidence;
mod heartbeat;
mod ledger_commands;
mod notes;
mod outcome;
mod pass;
mod prepare;
mod record;
mod request;
pub mod rollback;
mod since_last_green;
mod statement;
mod verdict;

pub use deadline::parse_duration;
pub use events::{CanaryAnswer, EngineEvent, EngineEvents, SealPlace};
pub use heartbeat::HEARTBEAT_FILE;
pub use ledger_commands::{
    Delivered, ErrorClass, LedgerCommandError, Masked, NotesTarget, NotesUpdated, deliver_pending,
    history, update_notes,
};
pub use outcome::{Outcome, SealOutcome};
pub use pass::{Cut, Judged, PassOptions};
pub use prepare::{Engine, InputError, PreparedSeal, seal_config};
pub use record::Sealed;
pub use request::{
    BrowserSettings, DeliverySettings, GuardSettings, LedgerSettings, RunSettings, SealRequest,
    SealSettings, headings,
};
pub use since_last_green::Baseline;
