//! `no_page_errors: true`: no uncaught exception, console error or failed
//! subresource on the page so far. The runner watches the page for these
//! (page_watch.rs), so the check reads nothing in the page and does not
//! poll.

use std::time::Duration;

use serde::de;

use super::{Observation, PageCheck, ParseStep, Reads, Verdict};
use crate::steps::Fields;

#[derive(Debug, Clone)]
pub struct NoPageErrors;

impl ParseStep for NoPageErrors {
    fn parse<E: de::Error>(f: &mut Fields) -> Result<Self, E> {
        match f.take_bool("no_page_errors")? {
            Some(true) => Ok(NoPageErrors),
            _ => Err(E::custom("write `no_page_errors: true`")),
        }
    }
}

impl PageCheck for NoPageErrors {
    fn describe(&self) -> String {
        "no page errors".into()
    }

    fn expected(&self) -> String {
        "no page errors".into()
    }

    fn timeout(&self) -> Option<Duration> {
        None
    }

    fn reads(&self) -> Reads {
        Reads::PageErrors
    }

    /// `seen.count` errors, the first one's message in `seen.text`.
    fn judge(&self, seen: &Observation) -> Verdict {
        match seen.count {
            0 => Verdict::Pass,
            n => Verdict::Saw(format!(
                "{n} (first: {})",
                seen.text.as_deref().unwrap_or_default()
            )),
        }
    }
}
