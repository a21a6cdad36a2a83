use std::time::Duration;

/// Exponential backoff with jitter, counted in deliveries: the n-th failed delivery waits a
/// random time between half and all of `base · 2^(n-1)`, capped at `max`. The jitter spreads the
/// retries of a batch that failed together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    /// 10 s, 20 s, 40 s… up to 15 minutes.
    fn default() -> Self {
        Self {
            base: Duration::from_secs(10),
            max: Duration::from_secs(15 * 60),
        }
    }
}

impl Backoff {
    /// The delay after the `receive_count`-th delivery failed.
    pub fn delay(&self, receive_count: u32) -> Duration {
        let exponent = receive_count.saturating_sub(1).min(20);
        let ceiling = self.base.saturating_mul(1 << exponent).min(self.max);
        let half = ceiling / 2;
        let mut bytes = [0u8; 8];
        // Without entropy the delay is the ceiling: still a valid backoff.
        let unit = match getrandom::fill(&mut bytes) {
            Ok(()) => (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64,
            Err(_) => 1.0,
        };
        half + half.mul_f64(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_per_delivery_within_jitter_and_caps() {
        let backoff = Backoff {
            base: Duration::from_secs(10),
            max: Duration::from_secs(60),
        };
        for (count, ceiling) in [(1, 10), (2, 20), (3, 40), (4, 60), (30, 60)] {
            for _ in 0..50 {
                let delay = backoff.delay(count);
                let ceiling = Duration::from_secs(ceiling);
                assert!(
                    delay >= ceiling / 2 && delay <= ceiling,
                    "{count}: {delay:?}"
                );
            }
        }
    }

    #[test]
    fn jitter_spreads_retries() {
        let backoff = Backoff::default();
        let delays: std::collections::HashSet<_> = (0..20).map(|_| backoff.delay(3)).collect();
        assert!(delays.len() > 10, "{delays:?}");
    }
}
