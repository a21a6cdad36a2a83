//! The identity module's SQL adapters: the user directory on PostgreSQL and SQLite, one
//! implementation generic over the driver, and the migrations that create its tables.

mod users;

use database::{Backend, MigrationSet};
use identity::DynUsers;
use kernel::Unavailable;
use sqlx::migrate::Migrator;
use time::OffsetDateTime;

pub use users::SqlUsers;

/// The user directory on the configured database.
pub fn users(backend: &Backend) -> Box<DynUsers<'static>> {
    match backend {
        Backend::Postgres(db) => DynUsers::new_box(SqlUsers::new(db.clone())),
        Backend::Sqlite(db) => DynUsers::new_box(SqlUsers::new(db.clone())),
    }
}

const DELETE_EXPIRED_RESETS: &str = "DELETE FROM password_resets WHERE expires_at < $1";

/// Every statement that finds rows (plain inserts find none), by name, as PostgreSQL runs
/// it: the query audit explains each one over a seeded database and refuses a sequential scan
/// of a large table.
pub const AUDITED: &[(&str, &str)] = &[
    (
        "identity_sql::SELECT_STORED_PASSWORD",
        users::SELECT_STORED_PASSWORD,
    ),
    ("identity_sql::SELECT_USER", users::SELECT_USER),
    (
        "identity_sql::SELECT_RESET_OWNER",
        users::SELECT_RESET_OWNER,
    ),
    ("identity_sql::USE_RESET", users::USE_RESET),
    ("identity_sql::SET_PASSWORD", users::SET_PASSWORD),
    ("identity_sql::DELETE_RESETS", users::DELETE_RESETS),
    ("identity_sql::DELETE_EXPIRED_RESETS", DELETE_EXPIRED_RESETS),
];

/// Deletes the password resets that expired before `now`; returns how many. The sweeper runs it.
pub async fn sweep(backend: &Backend, now: OffsetDateTime) -> Result<u64, Unavailable> {
    database::sweep::delete_before(backend, DELETE_EXPIRED_RESETS, now).await
}

/// The identity module's tables: `users` and `password_resets`, and the `directory_users`
/// view other modules read.
pub static MIGRATIONS: MigrationSet = MigrationSet {
    owner: "identity",
    postgres: &POSTGRES,
    sqlite: &SQLITE,
};

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
