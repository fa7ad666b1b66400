//! What an operator hands prod-smoke — `config/*.yml`, a spec, a notes
//! body — is read under one policy, so no input can stall or swamp a run:
//!
//! - only a regular file is read: a FIFO, a device (`/dev/zero`), a socket
//!   or a folder is refused from its metadata, before it is opened, and the
//!   file is opened non-blocking and checked again, so a path swapped for a
//!   FIFO in between cannot block either;
//! - the size limit is applied while reading (`take(limit + 1)`), so a file
//!   that grows, or lies about its size, is cut off at the limit;
//! - YAML is checked before it is parsed: nesting deeper than
//!   [`MAX_YAML_DEPTH`] is refused by a linear scan (the parser's cost
//!   grows with depth times length), and a key written twice in one mapping
//!   is refused with both places (the parser would keep the last silently);
//! - what an error echoes of the input is cut to an [`excerpt`].
//!
//! Spec and config share this crate, so neither depends on the other.

mod excerpt;
mod file;
#[cfg(feature = "mutations")]
pub mod mutations;
mod yaml;

pub use excerpt::{EXCERPT_CHARS, excerpt};
pub use file::{MAX_INPUT_BYTES, ReadError, read_text};
pub use yaml::{MAX_YAML_DEPTH, YamlIssue, check_yaml};
