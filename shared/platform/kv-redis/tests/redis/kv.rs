//! The key-value contract on Redis.

use kv_redis::RedisKv;

testkit::kv_contract_tests!(RedisKv::new(&super::shared()));
