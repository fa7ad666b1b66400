//! The `prod-smoke` binary, end to end: real Chromium, the loopback fixture
//! site, and every bad-input path.

mod support;

mod action;
mod bad_input;
mod bounded_input;
mod canary;
mod cause;
mod end_to_end;
mod fault_matrix;
mod github;
mod har_schema;
mod help;
mod install;
mod own_failures;
mod own_parts;
mod pool;
mod rollback;
mod seal;
mod since_last_green;
mod steps;
mod storage_state;
mod trace;
mod watch;
mod webhook;
