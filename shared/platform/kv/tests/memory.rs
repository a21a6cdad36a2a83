//! The key-value contract on the in-process default, which every shared store must match.

testkit::kv_contract_tests!(kv::MemoryKv::default());
