//! The seal's overall time limit (`--deadline`): how it is written and
//! when it falls.

use std::time::Duration;

/// The time limit and the instant it falls.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    pub limit: Duration,
    pub at: tokio::time::Instant,
}

impl Deadline {
    pub fn from_now(limit: Duration) -> Deadline {
        Deadline {
            limit,
            at: tokio::time::Instant::now() + limit,
        }
    }

    /// `10m`, `90s`, `1m30s`: as the flag is written.
    pub fn shown(&self) -> String {
        let secs = self.limit.as_secs();
        match (secs / 60, secs % 60) {
            (0, s) => format!("{s}s"),
            (m, 0) => format!("{m}m"),
            (m, s) => format!("{m}m{s}s"),
        }
    }
}

/// `90`, `90s`, `10m`, `1h`, or a sum such as `1m30s`; at least one second.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}` is not a duration: write e.g. 90s, 10m or 1h");
    let text = text.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return (secs > 0)
            .then(|| Duration::from_secs(secs))
            .ok_or_else(bad);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(bad()),
        };
        let n: u64 = number.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() || total == 0 {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        for bad in ["", "0", "0s", "m", "10x", "5m3", "-1s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_deadline_is_shown_as_the_flag_is_written() {
        for (secs, shown) in [(90, "1m30s"), (600, "10m"), (45, "45s")] {
            assert_eq!(Deadline::from_now(Duration::from_secs(secs)).shown(), shown);
        }
    }
}
