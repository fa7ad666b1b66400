//! The engine: runs a suite's scenarios in headless Chromium (and plain
//! HTTP), read-only by construction, and emits events while it goes.

mod actions;
mod browser;
mod emulation;
mod errors;
mod events;
mod expect;
mod failure;
mod guard;
mod http_check;
mod kept_browser;
mod page_setup;
mod page_watch;
mod pool;
mod process;
mod response_check;
mod run;
mod scenario;
mod screenshot;
mod storage_state;
mod trace;
mod watched;

pub use browser::{BrowserSession, BrowserSource, browser_source};
pub use errors::RunnerError;
pub use events::{EventSink, RunEvent};
pub use guard::{CSP_REPORT_URL, GuardPolicy, MAX_DOCUMENT_BYTES, SAFE_METHODS};
pub use kept_browser::KeptBrowser;
pub use pool::shown_url;
pub use process::{ChromiumProcess, find_chromium, finish_reaping};
pub use run::{DEFAULT_MAX_PAGE_BYTES, RunOptions, run, unrun_checks};
pub use storage_state::{STORAGE_STATE_VAR, StorageState, StorageStateError};
pub use trace::{TRACES_DIR, TraceMode, blocked_reason};
