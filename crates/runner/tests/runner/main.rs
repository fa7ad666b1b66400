//! The runner against real Chromium and the loopback fixture site.

mod support;

mod browser_context;
mod guard_pages;
mod hostile;
mod http2;
mod interactions;
mod locators;
mod playwright_semantics;
mod read_only;
mod steps;
mod suite;
