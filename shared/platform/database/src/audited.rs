//! The platform's statements that find rows, by name, as PostgreSQL runs them: the query audit
//! explains each one over a seeded database and refuses a sequential scan of a large table.
//! Plain inserts find no rows and are left out; so is the readiness probe's `SELECT 1`.

use sqlx::Postgres;

use crate::jobs::{JobsDialect, ledger, outbox, queue};
use crate::{sessions, sweep};

pub const AUDITED: &[(&str, &str)] = &[
    ("database::sessions::SELECT", sessions::SELECT),
    ("database::sessions::DELETE", sessions::DELETE),
    ("database::sessions::DELETE_USER", sessions::DELETE_USER),
    (
        "database::jobs::CLAIM_OUTBOX",
        <Postgres as JobsDialect>::CLAIM_OUTBOX,
    ),
    ("database::jobs::outbox::RELEASE", outbox::RELEASE),
    ("database::jobs::outbox::PUBLISHED", outbox::PUBLISHED),
    (
        "database::jobs::RECEIVE",
        <Postgres as JobsDialect>::RECEIVE,
    ),
    ("database::jobs::queue::EXPIRE", queue::EXPIRE),
    ("database::jobs::queue::DELETE", queue::DELETE),
    ("database::jobs::queue::DELAY", queue::DELAY),
    ("database::jobs::queue::KILL", queue::KILL),
    ("database::jobs::queue::LIST_DEAD", queue::LIST_DEAD),
    ("database::jobs::queue::REPLAY", queue::REPLAY),
    ("database::jobs::queue::PURGE", queue::PURGE),
    ("database::jobs::ledger::STATE", ledger::STATE),
    ("database::jobs::ledger::COMPLETE", ledger::COMPLETE),
    ("database::jobs::ledger::RELEASE", ledger::RELEASE),
    ("database::sweep::SESSIONS", sweep::SESSIONS),
    ("database::sweep::OUTBOX", sweep::OUTBOX),
    ("database::sweep::LEDGER", sweep::LEDGER),
    ("database::sweep::DEAD", sweep::DEAD),
];
