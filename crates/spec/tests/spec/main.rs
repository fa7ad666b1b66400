//! Spec parsing: the embedded suite is the exact port, and bad specs fail
//! with a located, helpful error.

mod errors;
mod port;
mod properties;
mod reference;
