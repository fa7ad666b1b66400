//! The runner against real Chromium and the loopback fixture site.

mod support;

mod read_only;
mod suite;
