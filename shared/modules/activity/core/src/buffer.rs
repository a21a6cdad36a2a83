//! Usage counted in memory between two writes to the store.

use std::collections::BTreeMap;

use kernel::{TenantId, UserId};
use time::Date;

/// The most distinct keys (tenant, day and member; or user and day) a buffer holds. Past it,
/// a count under a key already held still adds up, but a new key is dropped and counted in
/// [`Batch::dropped`]: memory stays bounded when the store is slow or down, at the price of
/// undercounting until the next write empties the buffer.
pub const MAX_KEYS: usize = 10_000;

/// One member's successful requests on one tenant on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberCalls {
    pub tenant_id: TenantId,
    pub day: Date,
    pub user_id: UserId,
    pub calls: u64,
}

/// One user's logins on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserLogins {
    pub user_id: UserId,
    pub day: Date,
    pub logins: u64,
}

/// What a buffer held when it was taken: counts to add to the store's, sorted by key, so
/// concurrent writers lock rows in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub api_calls: Vec<MemberCalls>,
    pub logins: Vec<UserLogins>,
    /// Counts refused since the previous batch because the buffer was full.
    pub dropped: u64,
}

impl Batch {
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.api_calls.is_empty() && self.logins.is_empty()
    }
}

/// Counts per key, added up until [`take`](Self::take)n.
#[derive(Debug)]
pub struct ActivityBuffer {
    calls: BTreeMap<(TenantId, Date, UserId), u64>,
    logins: BTreeMap<(UserId, Date), u64>,
    max_keys: usize,
    dropped: u64,
}

impl Default for ActivityBuffer {
    fn default() -> Self {
        Self::with_capacity(MAX_KEYS)
    }
}

impl ActivityBuffer {
    /// A buffer of at most `max_keys` keys.
    pub fn with_capacity(max_keys: usize) -> Self {
        Self {
            calls: BTreeMap::new(),
            logins: BTreeMap::new(),
            max_keys,
            dropped: 0,
        }
    }

    /// Counts `calls` requests by `user` on `tenant` on `day`; false if the buffer was full.
    pub fn api_calls(&mut self, tenant: TenantId, user: UserId, day: Date, calls: u64) -> bool {
        let full = self.keys() >= self.max_keys;
        match self.calls.get_mut(&(tenant, day, user)) {
            Some(n) => *n += calls,
            None if full => return self.refuse(calls),
            None => {
                self.calls.insert((tenant, day, user), calls);
            }
        }
        true
    }

    /// Counts `logins` logins by `user` on `day`; false if the buffer was full.
    pub fn logins(&mut self, user: UserId, day: Date, logins: u64) -> bool {
        let full = self.keys() >= self.max_keys;
        match self.logins.get_mut(&(user, day)) {
            Some(n) => *n += logins,
            None if full => return self.refuse(logins),
            None => {
                self.logins.insert((user, day), logins);
            }
        }
        true
    }

    /// How many distinct keys are held.
    pub fn keys(&self) -> usize {
        self.calls.len() + self.logins.len()
    }

    /// Empties the buffer into a batch.
    pub fn take(&mut self) -> Batch {
        let api_calls = std::mem::take(&mut self.calls)
            .into_iter()
            .map(|((tenant_id, day, user_id), calls)| MemberCalls {
                tenant_id,
                day,
                user_id,
                calls,
            })
            .collect();
        let logins = std::mem::take(&mut self.logins)
            .into_iter()
            .map(|((user_id, day), logins)| UserLogins {
                user_id,
                day,
                logins,
            })
            .collect();
        Batch {
            api_calls,
            logins,
            dropped: std::mem::take(&mut self.dropped),
        }
    }

    /// Adds back a batch the store could not write, so the next write carries it; what no
    /// longer fits is dropped and counted.
    pub fn restore(&mut self, batch: Batch) {
        for c in batch.api_calls {
            self.api_calls(c.tenant_id, c.user_id, c.day, c.calls);
        }
        for l in batch.logins {
            self.logins(l.user_id, l.day, l.logins);
        }
    }

    fn refuse(&mut self, count: u64) -> bool {
        self.dropped += count;
        false
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const DAY: Date = date!(2026 - 02 - 03);

    #[test]
    fn counts_add_up_per_key_and_take_empties_the_buffer() {
        let (tenant, ada, bob) = (TenantId::generate(), UserId::generate(), UserId::generate());
        let mut buffer = ActivityBuffer::default();
        assert!(buffer.api_calls(tenant, ada, DAY, 1));
        assert!(buffer.api_calls(tenant, ada, DAY, 2));
        assert!(buffer.api_calls(tenant, bob, DAY, 1));
        assert!(buffer.logins(ada, DAY, 1));
        assert!(buffer.logins(ada, DAY, 1));
        assert_eq!(buffer.keys(), 3);
        let batch = buffer.take();
        let mut calls: Vec<_> = batch
            .api_calls
            .iter()
            .map(|c| (c.user_id, c.calls))
            .collect();
        calls.sort();
        let mut want = vec![(ada, 3), (bob, 1)];
        want.sort();
        assert_eq!(calls, want);
        assert_eq!(
            batch.logins,
            [UserLogins {
                user_id: ada,
                day: DAY,
                logins: 2
            }]
        );
        assert_eq!(batch.dropped, 0);
        assert_eq!(buffer.keys(), 0);
        assert!(buffer.take().is_empty());
    }

    #[test]
    fn a_full_buffer_drops_new_keys_counts_them_and_still_adds_to_held_ones() {
        let tenant = TenantId::generate();
        let (ada, bob, eve) = (UserId::generate(), UserId::generate(), UserId::generate());
        let mut buffer = ActivityBuffer::with_capacity(2);
        assert!(buffer.api_calls(tenant, ada, DAY, 1));
        assert!(buffer.logins(ada, DAY, 1));
        assert!(!buffer.api_calls(tenant, bob, DAY, 1));
        assert!(!buffer.logins(eve, DAY, 2));
        assert!(buffer.api_calls(tenant, ada, DAY, 4));
        let batch = buffer.take();
        assert_eq!(batch.dropped, 3);
        assert_eq!(batch.api_calls.len(), 1);
        assert_eq!(batch.api_calls[0].calls, 5);
        // The count of refusals starts again with each batch.
        assert_eq!(buffer.take().dropped, 0);
    }

    #[test]
    fn a_restored_batch_merges_with_what_came_since() {
        let (tenant, ada) = (TenantId::generate(), UserId::generate());
        let mut buffer = ActivityBuffer::default();
        buffer.api_calls(tenant, ada, DAY, 2);
        let failed = buffer.take();
        buffer.api_calls(tenant, ada, DAY, 1);
        buffer.restore(failed);
        let batch = buffer.take();
        assert_eq!(batch.api_calls.len(), 1);
        assert_eq!(batch.api_calls[0].calls, 3);
    }
}
