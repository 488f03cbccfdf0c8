//! Exponential backoff, the one schedule every retry uses: the Graph client between attempts (with full jitter, when the
//! server named no `Retry-After`) and the shell's background refresh after failures.

use std::time::Duration;

use rand::Rng;

/// Waits that double from `base` up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Backoff {
    /// The wait before retry `attempt` (1 for the first): `base × 2^(attempt-1)`, at most `max`. Saturating, so any
    /// attempt count is safe.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        self.base.saturating_mul(1u32 << doublings).min(self.max)
    }

    /// A wait drawn uniformly from zero to [`Self::ceiling`] ("full jitter"), so clients that failed together do not
    /// retry together.
    pub fn jittered(&self, attempt: u32) -> Duration {
        let ceiling = u64::try_from(self.ceiling(attempt).as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::thread_rng().gen_range(0..=ceiling))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_the_base_to_the_cap_and_jitter_stays_below_the_ceiling() {
        let backoff = Backoff {
            base: Duration::from_secs(30),
            max: Duration::from_secs(15 * 60),
        };
        let waits: Vec<u64> = (1..=7).map(|n| backoff.ceiling(n).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 900, 900]);
        assert_eq!(backoff.ceiling(0).as_secs(), 30);
        assert_eq!(backoff.ceiling(u32::MAX).as_secs(), 900);
        for attempt in 1..10 {
            assert!(backoff.jittered(attempt) <= backoff.ceiling(attempt));
        }
    }
}
