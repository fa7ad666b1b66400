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

/// `prod-smoke watch`'s exit code: red when any pass was red, green when
/// every conclusive pass was green, inconclusive when none was conclusive.
pub fn of_watch(verdict: prod_smoke_watch::WatchVerdict) -> u8 {
    match verdict {
        prod_smoke_watch::WatchVerdict::Green => GREEN,
        prod_smoke_watch::WatchVerdict::Red => RED,
        prod_smoke_watch::WatchVerdict::Inconclusive => ENVIRONMENT,
    }
}

/// A seal's exit code.
pub fn of(outcome: prod_smoke_engine::Outcome) -> u8 {
    match outcome {
        prod_smoke_engine::Outcome::Green => GREEN,
        prod_smoke_engine::Outcome::Red => RED,
        prod_smoke_engine::Outcome::Inconclusive => ENVIRONMENT,
    }
}

/// A ledger command's exit code when it stopped: bad input or its
/// environment.
pub fn of_ledger_error(error: &prod_smoke_engine::LedgerCommandError) -> u8 {
    match error.class() {
        prod_smoke_engine::ErrorClass::BadInput => BAD_INPUT,
        prod_smoke_engine::ErrorClass::Environment => ENVIRONMENT,
    }
}

/// `prod-smoke deliver`'s exit code: a delivery still pending, or a
/// ledger left untouched, needs the operator.
pub fn of_delivered(delivered: &prod_smoke_engine::Delivered) -> u8 {
    if delivered.needs_operator() {
        ENVIRONMENT
    } else {
        GREEN
    }
}
