//! The runner against real Chromium and the loopback fixture site.

mod support;

mod hostile;
mod read_only;
mod suite;
