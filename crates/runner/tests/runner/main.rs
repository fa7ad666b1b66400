//! The runner against real Chromium and the loopback fixture site.

mod support;

<<<<<<< HEAD
mod hostile;
=======
mod playwright_semantics;
>>>>>>> issue-12
mod read_only;
mod suite;
