//! Redis adapters: the [`kv::KeyValue`] port ([`RedisKv`]) and the [`sessions::SessionStore`]
//! port ([`RedisSessions`]), for Redis 7 or later, Valkey, and ElastiCache (`rediss://` for TLS,
//! over rustls on ring).
//!
//! Both open their connection on first use, never at cold start: [`Redis::open`] only parses the
//! URL. The connection is one multiplexed connection that reconnects by itself; every command
//! has a short deadline, so a server that is down or silent costs a request about a second and
//! an [`Unavailable`](kernel::Unavailable), never a hang.
//!
//! Scripts reach keys they compute themselves (a user's sessions), so the server must be a
//! single shard: a standalone server or a replication group, not Redis Cluster.

mod connection;
mod session_store;
mod store;

pub use connection::{InvalidRedisUrl, Redis};
pub use session_store::RedisSessions;
pub use store::RedisKv;
