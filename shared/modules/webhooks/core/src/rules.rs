//! What one attempt does to its endpoint's failure streak. A pure function of what the store
//! reads under the endpoint's lock, so every adapter applies the same rule, and retries of one
//! event are counted once.

use crate::Recorded;

/// An endpoint as an attempt finds it, read under its lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Streak {
    pub enabled: bool,
    pub consecutive_failures: u32,
    /// Earlier attempts at the same event on this endpoint; all failed, or there would be
    /// no new attempt.
    pub prior_attempts: u32,
}

/// A success resets the streak. A failure lengthens it when it is the event's first attempt:
/// the streak counts failed events, not retries. Reaching `threshold` disables the endpoint,
/// once.
pub fn after_attempt(seen: Streak, succeeded: bool, threshold: u32) -> Recorded {
    let attempt = seen.prior_attempts.saturating_add(1);
    let consecutive_failures = match (succeeded, seen.prior_attempts) {
        (true, _) => 0,
        (false, 0) => seen.consecutive_failures.saturating_add(1),
        (false, _) => seen.consecutive_failures,
    };
    Recorded {
        attempt,
        consecutive_failures,
        disabled: seen.enabled && !succeeded && consecutive_failures >= threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streak(failures: u32, prior_attempts: u32) -> Streak {
        Streak {
            enabled: true,
            consecutive_failures: failures,
            prior_attempts,
        }
    }

    #[test]
    fn a_success_resets_and_counts_its_attempt() {
        let done = after_attempt(streak(7, 2), true, 10);
        assert_eq!(
            (done.attempt, done.consecutive_failures, done.disabled),
            (3, 0, false)
        );
    }

    #[test]
    fn retries_of_one_event_count_once() {
        assert_eq!(
            after_attempt(streak(3, 0), false, 10).consecutive_failures,
            4
        );
        assert_eq!(
            after_attempt(streak(4, 1), false, 10).consecutive_failures,
            4
        );
    }

    #[test]
    fn the_threshold_disables_an_enabled_endpoint_once() {
        assert!(after_attempt(streak(9, 0), false, 10).disabled);
        assert!(!after_attempt(streak(8, 0), false, 10).disabled);
        let off = Streak {
            enabled: false,
            ..streak(12, 0)
        };
        assert!(!after_attempt(off, false, 10).disabled);
    }
}
