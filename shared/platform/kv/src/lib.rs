//! Key-value state with expiry, for what must not cost a database query: cached results, rate
//! limit counters and idempotency records.
//!
//! [`KeyValue`] is the port. Its adapters are Redis (`kv-redis`), DynamoDB (`kv-dynamodb`) and
//! [`MemoryKv`], the embedded default for one process; all pass one contract suite
//! (`testkit::kv_contract`). On top of the port, and so on every adapter alike:
//! - [`Cache`]: results kept fresh for a while, then served stale while one caller recomputes;
//! - [`RateLimiter`]: fixed-window counters, one atomic increment per decision;
//! - [`Idempotency`]: a request key claimed once, its response stored for replays.

mod cache;
mod idempotency;
mod memory;
mod rate_limit;
mod store;

pub use cache::{Cache, CacheStatus, Freshness};
pub use idempotency::{Claim, Idempotency, Recorded, Started};
pub use memory::MemoryKv;
pub use rate_limit::{Decision, Policy, RateLimiter};
pub use store::{DynKeyValue, KeyValue};
