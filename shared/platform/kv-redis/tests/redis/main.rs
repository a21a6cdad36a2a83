//! The Redis adapters against a real server: the shared test server for the contracts, and
//! servers of their own for the tests that stop one.

mod faults;
mod kv;
mod sessions;

use kv_redis::Redis;

/// A handle on the shared test server, with a connection of its own: each test has its own
/// runtime, and a connection lives on the runtime that opened it.
fn shared() -> Redis {
    Redis::open(&testkit::redis::url()).expect("the test server's URL")
}
