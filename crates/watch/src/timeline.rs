//! The watch in one line (`green 0–11 min, red 12–17 min, green since 18
//! min`) and its exit status.

use std::fmt;
use std::time::Duration;

use prod_smoke_model::Verdict;

/// How the watch ends, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchVerdict {
    /// Every conclusive pass was green (exit 0).
    Green,
    /// At least one pass was red, even if the site recovered (exit 1).
    Red,
    /// No pass was conclusive (exit 3).
    Inconclusive,
}

impl WatchVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchVerdict::Green => "green",
            WatchVerdict::Red => "red",
            WatchVerdict::Inconclusive => "inconclusive",
        }
    }
}

/// Passes in a row with one conclusive verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub verdict: Verdict,
    /// The first pass's start, after the watch's start.
    pub from: Duration,
    /// The last pass's start.
    pub to: Duration,
    pub passes: u32,
}

/// Every pass's verdict, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    passes: Vec<(Duration, Verdict)>,
    /// Show offsets in seconds rather than minutes (a short watch).
    in_seconds: bool,
}

impl Timeline {
    /// Offsets are shown in minutes, or in seconds for a watch whose
    /// window is shorter than ten minutes.
    pub fn new(window: Duration) -> Self {
        Timeline {
            passes: Vec::new(),
            in_seconds: window < Duration::from_secs(600),
        }
    }

    pub fn push(&mut self, offset: Duration, verdict: Verdict) {
        self.passes.push((offset, verdict));
    }

    pub fn count(&self, verdict: Verdict) -> usize {
        self.passes.iter().filter(|(_, v)| *v == verdict).count()
    }

    pub fn len(&self) -> usize {
        self.passes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.passes.is_empty()
    }

    /// Red if any pass was red; green if any was green; else inconclusive.
    pub fn verdict(&self) -> WatchVerdict {
        if self.count(Verdict::Red) > 0 {
            WatchVerdict::Red
        } else if self.count(Verdict::Green) > 0 {
            WatchVerdict::Green
        } else {
            WatchVerdict::Inconclusive
        }
    }

    /// Conclusive passes grouped by verdict; inconclusive ones are left
    /// out (they are counted on their own line).
    pub fn segments(&self) -> Vec<Segment> {
        let mut out: Vec<Segment> = Vec::new();
        for &(at, verdict) in self
            .passes
            .iter()
            .filter(|(_, v)| *v != Verdict::Inconclusive)
        {
            match out.last_mut() {
                Some(s) if s.verdict == verdict => {
                    s.to = at;
                    s.passes += 1;
                }
                _ => out.push(Segment {
                    verdict,
                    from: at,
                    to: at,
                    passes: 1,
                }),
            }
        }
        out
    }

    fn offset(&self, at: Duration) -> String {
        if self.in_seconds {
            format!("{}", at.as_secs())
        } else {
            format!("{}", at.as_secs() / 60)
        }
    }

    fn unit(&self) -> &'static str {
        if self.in_seconds { "s" } else { "min" }
    }
}

/// `green 0–11 min, red 12–17 min, green since 18 min`: each stretch from
/// its first pass to its last, the last stretch "since" when the verdict
/// changed at least once. `no conclusive pass` when there is none.
impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let segments = self.segments();
        if segments.is_empty() {
            return f.write_str("no conclusive pass");
        }
        let unit = self.unit();
        let last = segments.len() - 1;
        let parts: Vec<String> = segments
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let word = s.verdict.as_str();
                let (from, to) = (self.offset(s.from), self.offset(s.to));
                if i == last && last > 0 {
                    format!("{word} since {from} {unit}")
                } else if from == to {
                    format!("{word} at {from} {unit}")
                } else {
                    format!("{word} {from}–{to} {unit}")
                }
            })
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// `12 min after ship`, `40 s after ship`, `1 h 5 min after ship`: an
/// offset from the watch's start, as the amended summary says it.
pub fn after_ship(offset: Duration) -> String {
    let secs = offset.as_secs();
    let when = match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        _ if secs % 3600 < 60 => format!("{} h", secs / 3600),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    };
    format!("{when} after ship")
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::{Green as G, Inconclusive as I, Red as R};

    fn minutes(verdicts: &[Verdict]) -> Timeline {
        let mut t = Timeline::new(Duration::from_secs(3600));
        for (i, v) in verdicts.iter().enumerate() {
            t.push(Duration::from_secs(60 * i as u64), *v);
        }
        t
    }

    #[test]
    fn the_issue_timeline() {
        let mut v = vec![G; 12];
        v.extend([R; 6]);
        v.extend([G; 3]);
        let t = minutes(&v);
        assert_eq!(
            t.to_string(),
            "green 0–11 min, red 12–17 min, green since 18 min"
        );
        assert_eq!(t.verdict(), WatchVerdict::Red);
    }

    #[test]
    fn all_green_is_one_stretch() {
        let t = minutes(&[G, G, G]);
        assert_eq!(t.to_string(), "green 0–2 min");
        assert_eq!(t.verdict(), WatchVerdict::Green);
        assert_eq!(minutes(&[G]).to_string(), "green at 0 min");
    }

    #[test]
    fn inconclusive_passes_are_left_out_and_never_green() {
        let t = minutes(&[G, I, G]);
        assert_eq!(t.to_string(), "green 0–2 min");
        assert_eq!(t.verdict(), WatchVerdict::Green);
        let t = minutes(&[I, I]);
        assert_eq!(t.to_string(), "no conclusive pass");
        assert_eq!(t.verdict(), WatchVerdict::Inconclusive);
        assert_eq!(minutes(&[]).verdict(), WatchVerdict::Inconclusive);
    }

    #[test]
    fn one_red_pass_shows_and_makes_the_watch_red() {
        let t = minutes(&[G, G, R, G]);
        assert_eq!(
            t.to_string(),
            "green 0–1 min, red at 2 min, green since 3 min"
        );
        assert_eq!(t.verdict(), WatchVerdict::Red);
    }

    #[test]
    fn a_short_watch_counts_seconds() {
        let mut t = Timeline::new(Duration::from_secs(27));
        for (at, v) in [
            (0, G),
            (3, G),
            (6, G),
            (9, R),
            (12, R),
            (15, R),
            (18, G),
            (21, G),
        ] {
            t.push(Duration::from_secs(at), v);
        }
        assert_eq!(t.to_string(), "green 0–6 s, red 9–15 s, green since 18 s");
    }

    #[test]
    fn after_ship_picks_a_unit() {
        let s = Duration::from_secs;
        assert_eq!(after_ship(s(9)), "9 s after ship");
        assert_eq!(after_ship(s(12 * 60 + 30)), "12 min after ship");
        assert_eq!(after_ship(s(3600)), "1 h after ship");
        assert_eq!(after_ship(s(3900)), "1 h 5 min after ship");
    }
}
