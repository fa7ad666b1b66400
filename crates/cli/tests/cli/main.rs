//! The `prod-smoke` binary, end to end: real Chromium, the loopback fixture
//! site, and every bad-input path.

mod support;

mod bad_input;
mod end_to_end;
mod fault_matrix;
mod own_failures;
mod rollback;
mod seal;
