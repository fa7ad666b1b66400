//! Spec parsing: the embedded suite is the exact port, and bad specs fail
//! with a located, helpful error.

mod browser_settings;
mod errors;
mod input_limits;
mod port;
mod probes;
mod properties;
mod reference;
