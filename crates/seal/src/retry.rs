//! Bounded exponential backoff with jitter for deliveries.

use std::future::Future;
use std::time::Duration;

use rand::Rng;

use crate::errors::{DeliveryError, RetryHint};

/// How hard a delivery is tried before it is left pending in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per delivery, at least 1.
    pub attempts: u32,
    /// Delay before the second attempt; it doubles after each failure.
    pub base_delay: Duration,
    /// Upper bound for one backoff delay.
    pub max_delay: Duration,
    /// Upper bound for a server's `retry-after` (a 429 asking for more is
    /// waited this long, then tried again).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts over roughly 7 s (1 s, 2 s, 4 s): enough to ride out a
    /// blip, short enough never to hold up a ship.
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy with `attempts` tries and millisecond-scale delays, for tests.
    pub fn quick(attempts: u32) -> Self {
        RetryPolicy {
            attempts,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(2),
        }
    }

    /// The delay after `failures` failed attempts (1-based): exponential,
    /// capped, with "equal jitter" (half fixed, half random) so concurrent
    /// runs do not retry in lockstep.
    pub fn backoff(&self, failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(20);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let half = full / 2;
        let jitter_ms = rand::rng().random_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter_ms)
    }

    fn wait_for(&self, hint: RetryHint, failures: u32) -> Option<Duration> {
        match hint {
            RetryHint::Stop => None,
            RetryHint::Retry => Some(self.backoff(failures)),
            RetryHint::RetryAfter(wait) => Some(wait.min(self.max_retry_after)),
        }
    }
}

/// Runs `op` until it succeeds, fails permanently, or runs out of attempts,
/// telling `failed` about each failed attempt as it happens: its number,
/// the error, and the wait before the next one (`None`: no more attempts).
/// Returns the last result and how many attempts were made.
pub(crate) async fn retry<T, F, Fut>(
    policy: &RetryPolicy,
    mut op: F,
    failed: impl Fn(u32, &DeliveryError, Option<Duration>),
) -> (Result<T, DeliveryError>, u32)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DeliveryError>>,
{
    let attempts = policy.attempts.max(1);
    let mut made = 0;
    loop {
        made += 1;
        match op().await {
            Ok(value) => return (Ok(value), made),
            Err(error) => {
                let wait = policy.wait_for(error.retry_hint(), made);
                match wait {
                    Some(wait) if made < attempts => {
                        tracing::debug!(
                            attempt = made,
                            ?wait,
                            "delivery failed, retrying: {error}"
                        );
                        failed(made, &error, Some(wait));
                        tokio::time::sleep(wait).await;
                    }
                    _ => {
                        failed(made, &error, None);
                        return (Err(error), made);
                    }
                }
            }
        }
    }
}

/// A 429's `retry-after` header in seconds, as every HTTP sink reads it.
pub(crate) fn header_retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .and_then(seconds)
}

/// A wait in seconds from a server, refused when it is not a real number
/// and capped at a day (the policy caps it further).
pub(crate) fn seconds(secs: f64) -> Option<Duration> {
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_bounds() {
        let policy = RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            max_retry_after: Duration::from_secs(1),
        };
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            let capped = policy.backoff(10);
            assert!(capped >= Duration::from_millis(150) && capped <= Duration::from_millis(300));
        }
    }

    #[test]
    fn retry_after_is_capped() {
        let policy = RetryPolicy::quick(3);
        assert_eq!(
            policy.wait_for(RetryHint::RetryAfter(Duration::from_secs(3600)), 1),
            Some(Duration::from_secs(2))
        );
        assert_eq!(policy.wait_for(RetryHint::Stop, 1), None);
    }

    #[tokio::test]
    async fn stops_at_the_attempt_limit_and_on_permanent_errors() {
        let policy = RetryPolicy::quick(3);
        let failures = std::cell::Cell::new(0);
        let (result, made) = retry(
            &policy,
            || async { Err::<(), _>(DeliveryError::Timeout { secs: 1 }) },
            |_, _, _| failures.set(failures.get() + 1),
        )
        .await;
        assert_eq!(failures.get(), made, "each failed attempt is told");
        assert!(result.is_err());
        assert_eq!(made, 3);

        let (result, made) = retry(
            &policy,
            || async {
                Err::<(), _>(DeliveryError::BadSetting {
                    setting: "PROD_SMOKE_WEBHOOK_SECRET",
                    problem: "is not set",
                })
            },
            |_, _, wait| assert_eq!(wait, None, "never retried"),
        )
        .await;
        assert!(result.is_err());
        assert_eq!(made, 1);
    }

    /// A sink's own failure is retried exactly when the sink says a retry
    /// can help.
    #[tokio::test]
    async fn a_sinks_own_failure_says_whether_to_retry() {
        #[derive(Debug, thiserror::Error)]
        #[error("the sink's own failure")]
        struct Own(bool);
        impl crate::errors::SinkFailure for Own {
            fn is_transient(&self) -> bool {
                self.0
            }
        }
        let policy = RetryPolicy::quick(3);
        for (transient, attempts) in [(true, 3), (false, 1)] {
            let (result, made) = retry(
                &policy,
                || async move { Err::<(), DeliveryError>(Own(transient).into()) },
                |_, _, _| {},
            )
            .await;
            assert_eq!(result.unwrap_err().to_string(), "the sink's own failure");
            assert_eq!(made, attempts, "transient: {transient}");
        }
    }
}
