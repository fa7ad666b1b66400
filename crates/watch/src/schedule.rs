//! When passes start, and where each keeps its artifacts.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The `--help` heading of the watch's own flags.
pub const WATCH_HEADING: &str = "Watch";

/// `--every` and `--for`, each flag defined here with its help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
#[command(next_help_heading = WATCH_HEADING)]
pub struct Schedule {
    /// From one pass's start to the next one's, e.g. `30s`, `5m`.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = prod_smoke_engine::parse_duration)]
    pub every: Duration,
    /// How long to watch: no pass starts after it, e.g. `1h`.
    #[arg(long = "for", value_name = "DURATION", default_value = "1h", value_parser = prod_smoke_engine::parse_duration)]
    pub window: Duration,
}

impl Schedule {
    pub const DEFAULT_EVERY: Duration = Duration::from_secs(5 * 60);
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60 * 60);

    /// The next pass's slot once `elapsed` has passed, `last` being the
    /// slot of the pass before (none for the first): the slot after it,
    /// or, when that pass overran into later slots, the last of those (the
    /// next pass then starts at once; the slots it missed are not caught
    /// up). `None` when that slot is at or past the window.
    pub fn next_slot(&self, elapsed: Duration, last: Option<Duration>) -> Option<Duration> {
        let every = self.every.max(Duration::from_millis(1));
        let after_last = last.map_or(Duration::ZERO, |l| l + every);
        let slots_begun = elapsed.as_nanos() / every.as_nanos();
        let by_time = every.saturating_mul(u32::try_from(slots_begun).unwrap_or(u32::MAX));
        let next = after_last.max(by_time);
        (next < self.window).then_some(next)
    }

    /// How many passes a watch that never overruns runs.
    pub fn planned_passes(&self) -> u32 {
        let every = self.every.max(Duration::from_millis(1)).as_nanos();
        u32::try_from(self.window.as_nanos().div_ceil(every)).unwrap_or(u32::MAX)
    }
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            every: Self::DEFAULT_EVERY,
            window: Self::DEFAULT_WINDOW,
        }
    }
}

/// The folder of pass `number` (1-based) inside the watch's folder:
/// `pass-001`, `pass-002`, … so they sort in order.
pub fn pass_folder(root: &Path, number: u32) -> PathBuf {
    root.join(format!("pass-{number:03}"))
}

/// `30s`, `5m`, `1h`, `1m30s`: a duration as `--every` and `--for` are
/// written. watch.log's lines use it, so it lives beside the schedule.
pub fn shown(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, 0) => format!("{h}h{m}m"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_shown_as_the_flags_are_written() {
        let cases = [(30, "30s"), (300, "5m"), (90, "1m30s"), (3600, "1h")];
        for (secs, text) in cases {
            assert_eq!(shown(Duration::from_secs(secs)), text);
        }
        assert_eq!(shown(Duration::from_secs(3600 + 120)), "1h2m");
        assert_eq!(shown(Duration::from_secs(3600 + 125)), "1h2m5s");
    }

    fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn passes_start_on_the_grid() {
        let s = Schedule {
            every: secs(3),
            window: secs(27),
        };
        assert_eq!(s.next_slot(secs(0), None), Some(secs(0)));
        // A pass of 1.2 s: the next starts at 3 s.
        assert_eq!(
            s.next_slot(Duration::from_millis(1200), Some(secs(0))),
            Some(secs(3))
        );
        assert_eq!(s.next_slot(secs(25), Some(secs(24))), None);
        assert_eq!(s.next_slot(Duration::from_nanos(5), None), Some(secs(0)));
        assert_eq!(s.planned_passes(), 9);
    }

    #[test]
    fn an_overrun_starts_the_next_at_once_without_catching_up() {
        let s = Schedule {
            every: secs(3),
            window: secs(60),
        };
        // Pass 2 (at 3 s) ran until 10 s: the next is the slot of 9 s,
        // started at once; 6 s is not run.
        assert_eq!(s.next_slot(secs(10), Some(secs(3))), Some(secs(9)));
        // Then back on the grid.
        assert_eq!(
            s.next_slot(Duration::from_millis(10_500), Some(secs(9))),
            Some(secs(12))
        );
    }

    #[test]
    fn nothing_starts_at_or_after_the_window() {
        let s = Schedule::default();
        assert_eq!(s.planned_passes(), 12);
        assert_eq!(s.next_slot(secs(56 * 60), Some(secs(55 * 60))), None);
        assert_eq!(
            s.next_slot(secs(54 * 60), Some(secs(50 * 60))),
            Some(secs(55 * 60))
        );
        assert_eq!(s.next_slot(secs(61 * 60), Some(secs(50 * 60))), None);
    }

    #[test]
    fn folders_sort_in_pass_order() {
        let root = Path::new("artifacts/w");
        assert_eq!(pass_folder(root, 1), root.join("pass-001"));
        assert_eq!(pass_folder(root, 12), root.join("pass-012"));
        assert!(pass_folder(root, 9) < pass_folder(root, 10));
    }
}
