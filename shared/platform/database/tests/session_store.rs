//! The sessions store contract, and the `Sessions` rules on top of it (`testkit::session_contract`),
//! on both SQL drivers and on the in-memory default.

mod sqlite {
    testkit::session_contract_tests!(testkit::TestDb::sqlite(&[&database::PLATFORM]).await);
}

mod postgres {
    testkit::session_contract_tests!(testkit::TestDb::postgres(&[&database::PLATFORM]).await);
}

mod memory {
    testkit::session_contract_tests!(sessions::MemorySessions::default());
}
