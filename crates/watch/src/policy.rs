//! What each pass does to the seal: seal it, keep it, or amend it. Pure
//! state, no I/O, so every rule in the crate docs is tested here.

use std::time::Duration;

use prod_smoke_model::Verdict;

/// How many passes make a change (`--confirm`, defined here with its help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
#[command(next_help_heading = crate::schedule::WATCH_HEADING)]
pub struct Policy {
    /// Conclusive passes in a row with a new verdict that make a change of
    /// seal (1 = the first one; 2 keeps one flaky pass from paging anyone).
    // A change is green → red or red → green; at least 1.
    #[arg(long, value_name = "N", default_value_t = Policy::DEFAULT_CONFIRM, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub confirm: u32,
}

impl Policy {
    /// Two in a row: one flaky pass pages nobody.
    pub const DEFAULT_CONFIRM: u32 = 2;

    pub fn new(confirm: u32) -> Self {
        Policy {
            confirm: confirm.max(1),
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new(Self::DEFAULT_CONFIRM)
    }
}

/// A change of the seal's verdict, confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub from: Verdict,
    pub to: Verdict,
    /// When the first pass with the new verdict started, after the watch's
    /// start (the ship): when the site changed, as far as the watch saw.
    pub since: Duration,
    /// When the pass that confirmed it started.
    pub confirmed_at: Duration,
    /// The passes with the new verdict, the confirming one included.
    pub passes: u32,
}

impl Change {
    /// green → red.
    pub fn is_regression(&self) -> bool {
        self.to == Verdict::Red
    }
}

/// Why a pass changed nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepReason {
    /// Its verdict is the seal's.
    Unchanged,
    /// It was inconclusive: it says nothing about the site.
    Inconclusive,
    /// A different verdict, not confirmed yet: `seen` of `needed` in a row.
    Unconfirmed { seen: u32, needed: u32 },
}

/// What to do with a pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// The normal seal, with every output a plain run has: the first pass,
    /// or the first conclusive one after an inconclusive start.
    Seal,
    /// The ledger and the heartbeat only; nothing is posted.
    Keep(KeepReason),
    /// Amend the seal everywhere it lives, once.
    Amend(Change),
}

/// The policy's state across passes: the seal's verdict and the streak of
/// passes that disagree with it.
#[derive(Debug, Clone)]
pub struct Judge {
    policy: Policy,
    /// Green or red once a pass was sealed; `None` before.
    sealed: Option<Verdict>,
    /// Offsets of the conclusive passes in a row that disagree with it.
    streak: Vec<Duration>,
    passes: u32,
}

impl Judge {
    pub fn new(policy: Policy) -> Self {
        Judge {
            policy,
            sealed: None,
            streak: Vec::new(),
            passes: 0,
        }
    }

    /// The seal's verdict as it stands (green or red), if any.
    pub fn sealed(&self) -> Option<Verdict> {
        self.sealed
    }

    /// Decides what the pass that started at `offset` (after the watch's
    /// start) with `verdict` does to the seal, and moves the state on.
    pub fn decide(&mut self, verdict: Verdict, offset: Duration) -> Record {
        let first = self.passes == 0;
        self.passes += 1;
        let Some(sealed) = self.sealed else {
            // Nothing sealed yet: the first pass is the normal seal whatever
            // it says, and so is the first conclusive one after it.
            if first || verdict != Verdict::Inconclusive {
                if verdict != Verdict::Inconclusive {
                    self.sealed = Some(verdict);
                }
                return Record::Seal;
            }
            return Record::Keep(KeepReason::Inconclusive);
        };
        if verdict == Verdict::Inconclusive {
            return Record::Keep(KeepReason::Inconclusive);
        }
        if verdict == sealed {
            self.streak.clear();
            return Record::Keep(KeepReason::Unchanged);
        }
        self.streak.push(offset);
        let seen = self.streak.len() as u32;
        if seen < self.policy.confirm {
            return Record::Keep(KeepReason::Unconfirmed {
                seen,
                needed: self.policy.confirm,
            });
        }
        let change = Change {
            from: sealed,
            to: verdict,
            since: self.streak[0],
            confirmed_at: offset,
            passes: seen,
        };
        self.sealed = Some(verdict);
        self.streak.clear();
        Record::Amend(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::{Green as G, Inconclusive as I, Red as R};

    /// The records of passes one minute apart.
    fn run(confirm: u32, verdicts: &[Verdict]) -> Vec<Record> {
        let mut judge = Judge::new(Policy::new(confirm));
        verdicts
            .iter()
            .enumerate()
            .map(|(i, v)| judge.decide(*v, min(i as u64)))
            .collect()
    }

    fn min(n: u64) -> Duration {
        Duration::from_secs(60 * n)
    }

    fn amends(records: &[Record]) -> Vec<(Verdict, Verdict, Duration)> {
        records
            .iter()
            .filter_map(|r| match r {
                Record::Amend(c) => Some((c.from, c.to, c.since)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_first_pass_is_the_normal_seal_whatever_it_says() {
        for v in [G, R, I] {
            assert_eq!(run(2, &[v])[0], Record::Seal);
        }
    }

    #[test]
    fn an_inconclusive_start_seals_the_first_conclusive_pass() {
        let records = run(2, &[I, I, R, R, G]);
        assert_eq!(records[0], Record::Seal);
        assert_eq!(records[1], Record::Keep(KeepReason::Inconclusive));
        assert_eq!(records[2], Record::Seal);
        assert_eq!(records[3], Record::Keep(KeepReason::Unchanged));
        assert_eq!(
            records[4],
            Record::Keep(KeepReason::Unconfirmed { seen: 1, needed: 2 })
        );
    }

    #[test]
    fn same_verdict_posts_nothing() {
        let records = run(2, &[G, G, G, G]);
        assert!(
            records[1..]
                .iter()
                .all(|r| *r == Record::Keep(KeepReason::Unchanged))
        );
        let records = run(2, &[R, R, R]);
        assert!(
            records[1..]
                .iter()
                .all(|r| *r == Record::Keep(KeepReason::Unchanged))
        );
    }

    #[test]
    fn one_flaky_pass_changes_nothing() {
        let records = run(2, &[G, G, R, G, G]);
        assert!(amends(&records).is_empty());
        assert_eq!(
            records[2],
            Record::Keep(KeepReason::Unconfirmed { seen: 1, needed: 2 })
        );
        assert_eq!(records[3], Record::Keep(KeepReason::Unchanged));
    }

    #[test]
    fn two_red_in_a_row_regress_from_the_first_of_them() {
        // The timeline: broke at 12, healed at 18.
        let mut v = vec![G; 12];
        v.extend([R; 6]);
        v.extend([G; 4]);
        let records = run(2, &v);
        assert_eq!(amends(&records), vec![(G, R, min(12)), (R, G, min(18))]);
        // Confirmed on the second pass of each streak, and only then.
        assert!(
            matches!(records[13], Record::Amend(c) if c.confirmed_at == min(13) && c.passes == 2)
        );
        assert!(matches!(records[19], Record::Amend(c) if c.to == G));
        assert_eq!(
            records
                .iter()
                .filter(|r| matches!(r, Record::Amend(_)))
                .count(),
            2
        );
    }

    #[test]
    fn one_green_pass_in_an_outage_is_no_recovery() {
        let records = run(2, &[G, R, R, G, R, R, R]);
        assert_eq!(amends(&records), vec![(G, R, min(1))]);
    }

    #[test]
    fn inconclusive_passes_neither_extend_nor_break_a_streak() {
        // R, I, R: the network died between two red passes; still a change.
        let records = run(2, &[G, R, I, R]);
        assert_eq!(amends(&records), vec![(G, R, min(1))]);
        // Nothing but inconclusive passes after green: the seal stays.
        let records = run(2, &[G, I, I, I, I]);
        assert!(amends(&records).is_empty());
        assert!(
            records[1..]
                .iter()
                .all(|r| *r == Record::Keep(KeepReason::Inconclusive))
        );
        // And they never count towards a change.
        let records = run(3, &[G, R, I, I, R]);
        assert_eq!(
            records[4],
            Record::Keep(KeepReason::Unconfirmed { seen: 2, needed: 3 })
        );
    }

    #[test]
    fn confirm_one_changes_on_the_first_pass() {
        let records = run(1, &[G, R, G]);
        assert_eq!(amends(&records), vec![(G, R, min(1)), (R, G, min(2))]);
    }

    #[test]
    fn confirm_zero_means_one() {
        assert_eq!(Policy::new(0).confirm, 1);
        assert_eq!(Policy::default().confirm, 2);
    }

    #[test]
    fn a_red_start_recovers_and_regresses_again() {
        let records = run(2, &[R, G, G, R, R]);
        assert_eq!(amends(&records), vec![(R, G, min(1)), (G, R, min(3))]);
    }

    /// Whatever the verdicts: at most one amendment per confirmed change,
    /// amendments alternate, each one's `from` is the seal before it, and
    /// an amendment needs `confirm` conclusive passes with its verdict
    /// since the previous change.
    #[test]
    fn amendments_alternate_and_are_confirmed() {
        use proptest::prelude::*;
        let verdict = prop_oneof![Just(G), Just(R), Just(I)];
        proptest!(|(verdicts in prop::collection::vec(verdict, 0..40), confirm in 1u32..4)| {
            let records = run(confirm, &verdicts);
            let mut judge_seal: Option<Verdict> = None;
            let mut agreeing = 0u32;
            for (v, r) in verdicts.iter().zip(&records) {
                match r {
                    Record::Seal => {
                        prop_assert!(judge_seal.is_none());
                        if *v != I { judge_seal = Some(*v); }
                    }
                    Record::Amend(c) => {
                        prop_assert_eq!(Some(c.from), judge_seal);
                        prop_assert_eq!(c.to, *v);
                        prop_assert_ne!(c.from, c.to);
                        prop_assert_eq!(agreeing + 1, confirm);
                        judge_seal = Some(c.to);
                        agreeing = 0;
                        continue;
                    }
                    Record::Keep(KeepReason::Inconclusive) => prop_assert_eq!(*v, I),
                    Record::Keep(KeepReason::Unchanged) => prop_assert_eq!(Some(*v), judge_seal),
                    Record::Keep(KeepReason::Unconfirmed { seen, needed }) => {
                        prop_assert_eq!(*needed, confirm);
                        prop_assert_eq!(*seen, agreeing + 1);
                    }
                }
                match (judge_seal, *v) {
                    (_, I) => {}
                    (Some(s), v) if v != s => agreeing += 1,
                    _ => agreeing = 0,
                }
            }
        });
    }
}
