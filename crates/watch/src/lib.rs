//! `prod-smoke watch`: the seal keeps watching a release for its first hour.
//!
//! A seal is taken once, right after the ship. Many bad releases look fine
//! at that minute and break later (a cache expires, a job fails, traffic
//! arrives). The watch runs the same suite again every `--every` (default
//! `5m`) for `--for` (default `1h`) and amends the seal only when the
//! verdict changes. This crate is the policy and the loop, generic over
//! [`Watched`] (run one pass and record it as the policy decides), and the
//! adapter that runs each pass on the engine ([`watch_release`], the one
//! entry point a front end calls; engine_passes.rs, signals.rs, log.rs).
//! Like the engine it never prints: it hands each pass's engine events and
//! its own [`WatchNote`]s to a [`WatchOutput`] (`prod_smoke_console`
//! renders them for the binary). Its one formatted output is its artifact,
//! watch.log ([`WATCH_LOG`]), whose lines tools read.
//!
//! # The policy
//!
//! - **The first pass is the normal seal**, with every output a plain
//!   `prod-smoke` run has ([`Record::Seal`]). When it is inconclusive, the
//!   first conclusive pass after it is sealed the same way.
//! - **A pass whose verdict equals the seal's** is recorded in the ledger
//!   and the heartbeat and nowhere else ([`Record::Keep`]): nothing is
//!   posted.
//! - **A change needs [`Policy::confirm`] conclusive passes in a row with
//!   the new verdict** (default 2, `--confirm N`), as Argo Rollouts'
//!   `failureLimit` keeps one bad measurement from failing a rollout. Each
//!   red pass has already spent the scenario's own retries (`--retries`,
//!   the boot-window retry), so a change is at least `confirm × (retries +
//!   1)` failed attempts in a row. A single flaky pass pages nobody.
//! - **Recovery needs the same**: `confirm` green passes in a row. One
//!   green pass in the middle of an outage does not announce a recovery.
//! - **Inconclusive passes never change the seal** (no network, a busy
//!   pool, a lost browser): they are recorded, logged and counted, and they
//!   neither extend nor break a streak, because they say nothing about the
//!   site.
//! - A change is recorded once ([`Record::Amend`]): green → red turns the
//!   seal red and pages the operator (`regressed 12 min after ship`, timed
//!   from the first pass of the streak, the moment it broke); red → green
//!   turns it green again (`recovered …`). The passes that only confirmed
//!   it are kept quietly.
//!
//! # Passes, artifacts and baselines
//!
//! Pass `n` starts at `n × every` after the first (a pass that overruns
//! into later slots makes the next one start as soon as it ends; the
//! missed slots are not caught up), and no pass starts once `for` has
//! passed. Each pass
//! writes its artifacts into its own subfolder, `pass-001`, `pass-002`, …
//! of the watch's folder ([`pass_folder`]). Every green pass recorded
//! becomes the app's last green run, so its screenshots are the baseline
//! the next pass is compared with.
//!
//! # Ending
//!
//! A stop request (SIGINT, SIGTERM) ends the watch after the pass in
//! flight has been recorded; nothing is lost. A second signal cuts that
//! pass short, and it counts as inconclusive. The exit status
//! ([`WatchVerdict`]): red (1) when any pass was red, even if it recovered;
//! green (0) when every conclusive pass was green; inconclusive (3) when no
//! pass was conclusive. The last lines summarise the timeline
//! ([`Timeline`]): `green 0–11 min, red 12–17 min, green since 18 min`.

mod engine_passes;
mod log;
mod output;
mod policy;
mod release;
mod run;
mod schedule;
mod signals;
mod timeline;

pub use log::WATCH_LOG;
pub use output::{WatchNote, WatchOutput};
pub use release::{WatchSettings, WatchedRelease, watch_release};

pub use policy::{Change, Judge, KeepReason, Policy, Record};
pub use run::{PassPlan, PassSeen, WatchEvent, WatchReport, Watched, watch};
pub use schedule::{Schedule, WATCH_HEADING, pass_folder, shown};
pub use timeline::{Segment, Timeline, WatchVerdict, after_ship};
