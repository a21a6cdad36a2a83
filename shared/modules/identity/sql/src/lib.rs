//! The identity module's SQL adapters: the user directory on PostgreSQL and SQLite, one
//! implementation generic over the driver, and the migrations that create its tables.

mod users;

use database::{Backend, MigrationSet};
use identity::DynUsers;
use sqlx::migrate::Migrator;

pub use users::SqlUsers;

/// The user directory on the configured database.
pub fn users(backend: &Backend) -> Box<DynUsers<'static>> {
    match backend {
        Backend::Postgres(db) => DynUsers::new_box(SqlUsers::new(db.clone())),
        Backend::Sqlite(db) => DynUsers::new_box(SqlUsers::new(db.clone())),
    }
}

/// The identity module's tables: `users`, and the `directory_users` view other modules read.
pub static MIGRATIONS: MigrationSet = MigrationSet {
    owner: "identity",
    postgres: &POSTGRES,
    sqlite: &SQLITE,
};

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
