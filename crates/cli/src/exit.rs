//! Exit codes, in one place. The hub's `bin/release` reads only these.

/// The seal is green.
pub const GREEN: u8 = 0;
/// The seal is red: the site failed a check.
pub const RED: u8 = 1;
/// Bad input (flags, spec, config, URL): nothing ran.
pub const BAD_INPUT: u8 = 2;
/// prod-smoke's own environment failed (no browser, interrupted): the run
/// is inconclusive, never a red verdict on the site.
pub const ENVIRONMENT: u8 = 3;

// `prod-smoke rollback`: what the revert dry run proved. Bad input is
// `BAD_INPUT` there too.

/// `git revert -m1 <sha>` applies cleanly on HEAD.
pub const REVERT_APPLIES: u8 = 0;
/// The revert conflicts; the paths are printed.
pub const REVERT_CONFLICTS: u8 = 1;
/// The revert could not be checked (no repo, unknown sha, not a merge
/// commit, git failed); the reason is printed.
pub const NOT_CHECKED: u8 = 3;

/// A seal's exit code.
pub fn of(outcome: prod_smoke_engine::Outcome) -> u8 {
    match outcome {
        prod_smoke_engine::Outcome::Green => GREEN,
        prod_smoke_engine::Outcome::Red => RED,
        prod_smoke_engine::Outcome::Inconclusive => ENVIRONMENT,
    }
}
