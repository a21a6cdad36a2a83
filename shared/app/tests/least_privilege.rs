//! The application role that `migrate --bootstrap-app-role` sets up, on a fresh PostgreSQL
//! database migrated as the owner: the whole API works through it, and it can neither change
//! the schema nor migrate, while tables that later migrations add are usable at once.

#[allow(dead_code)]
mod support;

use std::borrow::Cow;

use app::roles::Login;
use axum::http::{Method, StatusCode};
use database::Backend;
use database::postgres::{PoolSettings, connect_lazy};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Connection, PgConnection, PgPool};
use support::TestApp;
use testkit::PostgresDatabase;
use uuid::Uuid;

/// The password the test gives the role, for servers that check passwords.
const PASSWORD: &str = "app-role-test";

/// A database migrated as the owner, and an application role bootstrapped on it; the role
/// (and what it was granted) is dropped before the database.
struct Fixture {
    role: Role,
    owner: PgPool,
    app: Backend,
    _database: PostgresDatabase,
}

impl Fixture {
    async fn new() -> Self {
        let database = PostgresDatabase::create().await;
        let owner = pool(&database.url);
        app::migrate(&Backend::Postgres(owner.clone()))
            .await
            .expect("migrate as the owner");
        let owner = owner.raw_pool().clone();
        let role = Role::new(&database.url, format!("app_{}", Uuid::now_v7().simple()));
        app::roles::bootstrap_app_role(&owner, &role.name, Login::IamTokens)
            .await
            .expect("bootstrap the application role");
        role.set_password(&owner).await;
        let app = Backend::Postgres(pool(&role.url()));
        Self {
            role,
            owner,
            app,
            _database: database,
        }
    }

    /// A role that stands in for RDS's `rds_iam`, dropped with the fixture.
    async fn iam_role(&mut self) -> String {
        let iam = format!("iam_{}", Uuid::now_v7().simple());
        self.role.extra.push(iam.clone());
        sqlx::raw_sql(&format!("CREATE ROLE \"{iam}\" NOLOGIN"))
            .execute(&self.owner)
            .await
            .expect("create the stand-in for rds_iam");
        iam
    }

    fn app_pool(&self) -> &PgPool {
        match &self.app {
            Backend::Postgres(db) => db.raw_pool(),
            Backend::Sqlite(_) => unreachable!("the fixture is PostgreSQL"),
        }
    }

    /// Runs `sql` as the application role and returns the SQLSTATE it failed with.
    async fn app_error(&self, sql: &str) -> String {
        match sqlx::raw_sql(sql).execute(self.app_pool()).await {
            Ok(_) => panic!("the application role ran {sql:?}"),
            Err(sqlx::Error::Database(e)) => e.code().map(Cow::into_owned).unwrap_or_default(),
            Err(e) => panic!("{sql:?}: {e}"),
        }
    }
}

fn pool(url: &str) -> database::Db<sqlx::Postgres> {
    let settings = PoolSettings {
        max_connections: 2,
        ..PoolSettings::default()
    };
    connect_lazy(url, settings).unwrap_or_else(|e| panic!("{e}"))
}

/// A test's own login role (roles are server-wide), dropped with everything granted to it.
struct Role {
    name: String,
    /// The test database, as the server's admin user.
    admin_url: String,
    extra: Vec<String>,
}

impl Role {
    fn new(admin_url: &str, name: String) -> Self {
        Self {
            name,
            admin_url: admin_url.to_owned(),
            extra: Vec::new(),
        }
    }

    async fn set_password(&self, owner: &PgPool) {
        sqlx::raw_sql(&format!(
            "ALTER ROLE \"{}\" PASSWORD '{PASSWORD}'",
            self.name
        ))
        .execute(owner)
        .await
        .expect("set the role's password");
    }

    /// The test database's URL with this role as its user.
    fn url(&self) -> String {
        let (scheme, rest) = self.admin_url.split_once("://").expect("a URL");
        let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        format!("{scheme}://{}:{PASSWORD}@{host}", self.name)
    }
}

impl Drop for Role {
    /// Runs on its own thread and runtime: the test's runtime may be shutting down already.
    fn drop(&mut self) {
        let url = self.admin_url.clone();
        let roles: Vec<String> = std::iter::once(self.name.clone())
            .chain(self.extra.drain(..))
            .collect();
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                let Ok(mut conn) = PgConnection::connect(&url).await else {
                    return;
                };
                for role in roles {
                    let drop = format!("DROP OWNED BY \"{role}\"; DROP ROLE IF EXISTS \"{role}\"");
                    if let Err(e) = sqlx::raw_sql(&drop).execute(&mut conn).await {
                        eprintln!("dropping role {role}: {e}");
                    }
                }
                let _ = conn.close().await;
            });
        })
        .join();
    }
}

/// A migration that a later release adds, with a table and an identity sequence.
fn later_migration() -> Migrator {
    let later = Migration::new(
        29_991_231_000_000,
        Cow::Borrowed("a later feature"),
        MigrationType::Simple,
        Cow::Borrowed(
            "CREATE TABLE later_features (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note TEXT NOT NULL)",
        ),
        false,
    );
    let sets = app::MIGRATIONS.iter().map(|set| set.postgres);
    let mut all = database::migrations::merged(sets).expect("one history");
    all.migrations.to_mut().push(later);
    all
}

#[tokio::test]
async fn the_api_works_as_the_application_role() {
    let fixture = Fixture::new().await;
    let user: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(fixture.app_pool())
        .await
        .expect("connect as the application role");
    assert_eq!(user, fixture.role.name);

    let api = TestApp::on(fixture.app.clone(), None, time::Duration::hours(1));
    let ada = api.signup("ada@example.com", "Acme").await;
    api.signup("grace@example.com", "Grace's").await;
    let invited = api.invite(&ada, "grace@example.com", "admin").await;
    assert_eq!(invited.status, StatusCode::ACCEPTED, "{}", invited.body);
    let listed = api
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/invitations", ada.tenant_id),
            Some(&ada.token),
            None,
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body["invitations"][0]["email"], "grace@example.com");
    let joined = api.accept("grace@example.com").await;
    assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
    let members = api
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/members", ada.tenant_id),
            Some(&ada.token),
            None,
        )
        .await;
    assert_eq!(members.status, StatusCode::OK, "{}", members.body);
    assert_eq!(members.body["members"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn the_application_role_changes_no_schema() {
    let fixture = Fixture::new().await;
    // 42501: insufficient_privilege (also "must be owner of table").
    for sql in [
        "CREATE TABLE scratch (id INT)",
        "CREATE SCHEMA scratch",
        "ALTER TABLE users ADD COLUMN nickname TEXT",
        "DROP TABLE users",
        "CREATE INDEX users_scratch ON users (created_at)",
        "TRUNCATE users",
        "TRUNCATE outbox",
        "DELETE FROM _sqlx_migrations",
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (1, 'x', true, '\\x00', 0)",
    ] {
        assert_eq!(fixture.app_error(sql).await, "42501", "{sql}");
    }
    // What the functions do need, on a table of every module.
    for table in [
        "users",
        "tenants",
        "memberships",
        "outbox",
        "sessions",
        "_sqlx_migrations",
    ] {
        sqlx::raw_sql(&format!("SELECT count(*) FROM {table}"))
            .execute(fixture.app_pool())
            .await
            .unwrap_or_else(|e| panic!("read {table}: {e}"));
    }
}

#[tokio::test]
async fn tables_of_later_migrations_are_usable_and_only_the_owner_migrates() {
    let fixture = Fixture::new().await;
    let later = later_migration();

    // As the application role, migrating is refused up front, and fails anyway.
    let refused = app::roles::ensure_can_migrate(fixture.app_pool())
        .await
        .expect_err("the application role may not migrate");
    let message = refused.to_string();
    assert!(
        message.contains(&fixture.role.name) && message.contains("owner role"),
        "{message}"
    );
    // On a connection of its own: the failed run leaves its session advisory lock held.
    let mut conn = PgConnection::connect(&fixture.role.url())
        .await
        .expect("connect as the application role");
    let failed = later
        .run(&mut conn)
        .await
        .expect_err("a migration run as the application role");
    let _ = conn.close().await;
    assert!(failed.to_string().contains("permission denied"), "{failed}");
    let created: Option<String> = sqlx::query_scalar("SELECT to_regclass('later_features')::text")
        .fetch_one(&fixture.owner)
        .await
        .unwrap();
    assert_eq!(created, None, "the application role created a table");

    // As the owner, the migration applies; default privileges give the role DML on it.
    app::roles::ensure_can_migrate(&fixture.owner)
        .await
        .expect("the owner migrates");
    later
        .run(&fixture.owner)
        .await
        .expect("migrate as the owner");
    let id: i64 =
        sqlx::query_scalar("INSERT INTO later_features (note) VALUES ('hello') RETURNING id")
            .fetch_one(fixture.app_pool())
            .await
            .expect("insert into a table a later migration created");
    sqlx::query("UPDATE later_features SET note = 'again' WHERE id = $1")
        .bind(id)
        .execute(fixture.app_pool())
        .await
        .expect("update");
    let note: String = sqlx::query_scalar("SELECT note FROM later_features WHERE id = $1")
        .bind(id)
        .fetch_one(fixture.app_pool())
        .await
        .expect("select");
    assert_eq!(note, "again");
    sqlx::query("DELETE FROM later_features")
        .execute(fixture.app_pool())
        .await
        .expect("delete");
    assert_eq!(
        fixture.app_error("DROP TABLE later_features").await,
        "42501"
    );
    assert_eq!(fixture.app_error("TRUNCATE later_features").await, "42501");
}

#[tokio::test]
async fn bootstrapping_again_changes_nothing_and_joins_the_iam_role_when_present() {
    let mut fixture = Fixture::new().await;
    let iam = fixture.iam_role().await;

    let member = |role: String| {
        let owner = fixture.owner.clone();
        let iam = iam.clone();
        async move {
            sqlx::query_scalar::<_, bool>("SELECT pg_has_role($1, $2, 'MEMBER')")
                .bind(role)
                .bind(iam)
                .fetch_one(&owner)
                .await
                .expect("pg_has_role")
        }
    };
    assert!(!member(fixture.role.name.clone()).await);
    app::roles::bootstrap_with_iam_role(&fixture.owner, &fixture.role.name, &iam, Login::IamTokens)
        .await
        .expect("bootstrap again");
    assert!(member(fixture.role.name.clone()).await);

    // Still DML only.
    let user: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(fixture.app_pool())
        .await
        .expect("the role still logs in");
    assert_eq!(user, fixture.role.name);
    assert_eq!(fixture.app_error("DROP TABLE sessions").await, "42501");
}

/// Behind RDS Proxy the role logs in with its secret's password, which RDS refuses to members
/// of `rds_iam`: the bootstrap sets the password and takes the role out of the IAM role.
#[tokio::test]
async fn a_password_login_leaves_the_iam_role() {
    let mut fixture = Fixture::new().await;
    let iam = fixture.iam_role().await;
    let state = || async {
        sqlx::query_as::<_, (bool, Option<String>)>(
            "SELECT pg_has_role(rolname, $2, 'MEMBER'), rolpassword FROM pg_authid \
             WHERE rolname = $1",
        )
        .bind(&fixture.role.name)
        .bind(&iam)
        .fetch_one(&fixture.owner)
        .await
        .expect("read the role")
    };
    app::roles::bootstrap_with_iam_role(&fixture.owner, &fixture.role.name, &iam, Login::IamTokens)
        .await
        .unwrap();
    let (member, before) = state().await;
    assert!(member);
    let password = Login::Password("it's a secret");
    app::roles::bootstrap_with_iam_role(&fixture.owner, &fixture.role.name, &iam, password)
        .await
        .unwrap();
    let (member, after) = state().await;
    assert!(!member);
    assert_ne!(after, before);
    assert!(after.is_some_and(|p| p.starts_with("SCRAM-SHA-256$")));
    assert_eq!(fixture.app_error("DROP TABLE sessions").await, "42501");
}

#[tokio::test]
async fn role_names_are_checked_before_any_sql() {
    let fixture = Fixture::new().await;
    let error = app::roles::bootstrap_app_role(
        &fixture.owner,
        "app\"; DROP TABLE users; --",
        Login::IamTokens,
    )
    .await
    .expect_err("a role name that is not a plain identifier");
    assert!(error.to_string().contains("role name"), "{error}");
    let users: Option<String> = sqlx::query_scalar("SELECT to_regclass('users')::text")
        .fetch_one(&fixture.owner)
        .await
        .unwrap();
    assert_eq!(users.as_deref(), Some("users"));
}
