//! What a failed step says: the sentence, and the wait as data, so the
//! words "after waiting" are written in one place and read by nobody.

use std::time::Duration;

/// A step that failed on the site (not on prod-smoke's own environment).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    /// What was expected and what was seen, with no timing.
    pub message: String,
    /// How long an expectation polled before giving up; `None` for a step
    /// that does not poll (a request, a navigation).
    pub polled: Option<Duration>,
}

impl Failure {
    /// A step that does not poll.
    pub fn once(message: String) -> Self {
        Failure {
            message,
            polled: None,
        }
    }

    /// An expectation that polled for `waited`.
    pub fn polled(message: String, waited: Duration) -> Self {
        Failure {
            message,
            polled: Some(waited),
        }
    }

    /// The check's error: "`<step>` failed: <message> <wait>". A polled
    /// wait reads "after waiting 5.0s"; any other step says how long it
    /// took, from the check's own duration.
    pub fn sentence(&self, step: &str, duration_ms: u64) -> String {
        let message = &self.message;
        match self.polled {
            Some(waited) => format!(
                "`{step}` failed: {message} after waiting {:.1}s",
                waited.as_secs_f32()
            ),
            None => format!(
                "`{step}` failed: {message} (after {:.1}s)",
                duration_ms as f64 / 1000.0
            ),
        }
    }
}

/// Page text as a failure quotes it (one rule for every step, kept with
/// the steps).
pub(crate) use prod_smoke_spec::steps::quote;

/// A JSON value as a failure shows it: as JSON, cut with a trailing `…`.
pub(crate) fn json(v: &serde_json::Value) -> String {
    match prod_smoke_spec::steps::shorten(&v.to_string()) {
        (s, true) => format!("{s}…"),
        (s, false) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_rendered_once_in_the_old_words() {
        let polled = Failure::polled(
            "expected `#x` to be visible, saw no element matching `#x`".into(),
            Duration::from_millis(5040),
        );
        assert_eq!(
            polled.sentence("#x is visible", 5100),
            "`#x is visible` failed: expected `#x` to be visible, saw no element matching `#x` after waiting 5.0s"
        );
        let once = Failure::once("GET /up returned 503, expected 200".into());
        assert_eq!(
            once.sentence("GET /up returns 200", 12),
            "`GET /up returns 200` failed: GET /up returned 503, expected 200 (after 0.0s)"
        );
    }
}
