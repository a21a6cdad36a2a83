//! Every statement a request, the worker or the sweeper runs, planned by PostgreSQL over a
//! database seeded at the default scale (`app::seed`): none may read a table of more than
//! 10,000 rows sequentially. The statements are the lists each crate keeps beside them
//! (`AUDITED`); their parameters are bound to real rows of the biggest tenant, so the plans are
//! the ones its requests get.

use std::collections::HashMap;

use app::seed::{self, Scale};
use database::Backend;
use indicatif::ProgressBar;
use serde_json::Value;
use sqlx::postgres::PgArguments;
use sqlx::query::QueryScalar;
use sqlx::{PgPool, Postgres};
use testkit::TestDb;
use time::{Date, Duration, OffsetDateTime};
use uuid::Uuid;

/// Tables larger than this must be reached through an index.
const LARGE: f32 = 10_000.0;

fn audited() -> Vec<(&'static str, &'static str)> {
    [
        database::AUDITED,
        identity_sql::AUDITED,
        tenancy_sql::AUDITED,
        webhooks_sql::AUDITED,
        activity_sql::AUDITED,
    ]
    .concat()
}

/// A parameter, typed as the statement's column is.
#[derive(Debug, Clone)]
enum Arg {
    Uuid(Uuid),
    NoUuid,
    Text(String),
    Bytes(Vec<u8>),
    Time(OffsetDateTime),
    Date(Date),
    I64(i64),
    I32(i32),
    Bool(bool),
}

type Explain<'q> = QueryScalar<'q, Postgres, Value, PgArguments>;

fn bind<'q>(query: Explain<'q>, arg: &Arg) -> Explain<'q> {
    match arg.clone() {
        Arg::Uuid(v) => query.bind(v),
        Arg::NoUuid => query.bind(None::<Uuid>),
        Arg::Text(v) => query.bind(v),
        Arg::Bytes(v) => query.bind(v),
        Arg::Time(v) => query.bind(v),
        Arg::Date(v) => query.bind(v),
        Arg::I64(v) => query.bind(v),
        Arg::I32(v) => query.bind(v),
        Arg::Bool(v) => query.bind(v),
    }
}

/// Real rows to bind: the biggest tenant, its owner and one of its members, its busiest
/// endpoint, a pending invitation, and so on.
struct Fixture {
    tenant: Uuid,
    owner: Uuid,
    owner_email: String,
    member: Uuid,
    endpoint: Uuid,
    event: Uuid,
    delivery: Uuid,
    invitation: Uuid,
    invitation_email: String,
    invitation_token: Vec<u8>,
    session: Vec<u8>,
    reset: Vec<u8>,
    outbox: Uuid,
    consumer: String,
    handled: Uuid,
    now: OffsetDateTime,
}

impl Fixture {
    async fn load(pool: &PgPool) -> Self {
        let uuid = |sql: &'static str, arg: Option<Uuid>| async move {
            let query = sqlx::query_scalar::<_, Uuid>(sql);
            let query = match arg {
                Some(arg) => query.bind(arg),
                None => query,
            };
            query
                .fetch_one(pool)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        };
        let tenant = uuid(
            "SELECT tenant_id FROM memberships GROUP BY tenant_id ORDER BY count(*) DESC LIMIT 1",
            None,
        )
        .await;
        let owner = uuid(
            "SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = 'owner'",
            Some(tenant),
        )
        .await;
        let member = uuid(
            "SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = 'member' \
             ORDER BY user_id OFFSET 100 LIMIT 1",
            Some(tenant),
        )
        .await;
        let endpoint = uuid(
            "SELECT endpoint_id FROM webhook_deliveries WHERE tenant_id = $1 \
             GROUP BY endpoint_id ORDER BY count(*) DESC LIMIT 1",
            Some(tenant),
        )
        .await;
        let (event, delivery): (Uuid, Uuid) = sqlx::query_as(
            "SELECT event_id, id FROM webhook_deliveries WHERE endpoint_id = $1 \
             ORDER BY id DESC OFFSET 2 LIMIT 1",
        )
        .bind(endpoint)
        .fetch_one(pool)
        .await
        .unwrap();
        let (invitation, invitation_email, invitation_token): (Uuid, String, Vec<u8>) =
            sqlx::query_as(
                "SELECT id, email, token_hash FROM invitations WHERE tenant_id = $1 \
                 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() LIMIT 1",
            )
            .bind(tenant)
            .fetch_one(pool)
            .await
            .unwrap();
        let owner_email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(owner)
            .fetch_one(pool)
            .await
            .unwrap();
        let bytes = |sql: &'static str| async move {
            sqlx::query_scalar::<_, Vec<u8>>(sql)
                .fetch_one(pool)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        };
        let session = bytes("SELECT token_hash FROM sessions LIMIT 1").await;
        let reset = bytes("SELECT token_hash FROM password_resets LIMIT 1").await;
        let outbox = uuid("SELECT id FROM outbox LIMIT 1", None).await;
        let (consumer, handled): (String, Uuid) =
            sqlx::query_as("SELECT consumer, event_id FROM job_ledger LIMIT 1")
                .fetch_one(pool)
                .await
                .unwrap();
        Self {
            tenant,
            owner,
            owner_email,
            member,
            endpoint,
            event,
            delivery,
            invitation,
            invitation_email,
            invitation_token,
            session,
            reset,
            outbox,
            consumer,
            handled,
            now: OffsetDateTime::now_utc(),
        }
    }

    fn ms(&self, at: OffsetDateTime) -> i64 {
        i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap()
    }

    /// The parameter sets `name` is explained with, as the code that runs it binds them.
    fn binds(&self, name: &str) -> Vec<Vec<Arg>> {
        use Arg::*;
        let f = self;
        let (tenant, owner, member) = (Uuid(f.tenant), Uuid(f.owner), Uuid(f.member));
        let (endpoint, event) = (Uuid(f.endpoint), Uuid(f.event));
        let now = Time(f.now);
        let now_ms = I64(f.ms(f.now));
        let later_ms = I64(f.ms(f.now + Duration::seconds(30)));
        let queue = Text(runtime::jobs::EMBEDDED_QUEUE.to_owned());
        let job = Uuid(uuid::Uuid::now_v7());
        let today = f.now.date();
        let dashboard = vec![
            tenant.clone(),
            Date(today - Duration::days(89)),
            Date(today),
        ];
        let one = |args: Vec<Arg>| vec![args];
        match name {
            "database::sessions::SELECT" | "database::sessions::DELETE" => {
                one(vec![Bytes(f.session.clone())])
            }
            "database::sessions::DELETE_USER" => one(vec![owner]),
            "database::jobs::CLAIM_OUTBOX" => one(vec![later_ms, now_ms, I64(100)]),
            "database::jobs::outbox::RELEASE" => one(vec![Uuid(f.outbox)]),
            "database::jobs::outbox::PUBLISHED" => one(vec![now, Uuid(f.outbox)]),
            "database::jobs::RECEIVE" => one(vec![queue, now_ms, later_ms, I64(10), I64(5)]),
            "database::jobs::queue::EXPIRE" => one(vec![queue, now_ms, I64(5)]),
            "database::jobs::queue::DELETE" => one(vec![job, I64(1)]),
            "database::jobs::queue::DELAY" | "database::jobs::queue::KILL" => {
                one(vec![job, I64(1), later_ms])
            }
            "database::jobs::queue::LIST_DEAD" => one(vec![queue, I64(10_000)]),
            "database::jobs::queue::REPLAY" => one(vec![job, now_ms]),
            "database::jobs::queue::PURGE" => one(vec![queue]),
            "database::jobs::ledger::STATE" | "database::jobs::ledger::RELEASE" => {
                one(vec![Text(f.consumer.clone()), Uuid(f.handled)])
            }
            "database::jobs::ledger::COMPLETE" => {
                one(vec![Text(f.consumer.clone()), Uuid(f.handled), now_ms])
            }
            "database::sweep::SESSIONS" => one(vec![now]),
            "database::sweep::OUTBOX" => one(vec![Time(f.now - Duration::days(7))]),
            "database::sweep::LEDGER" => one(vec![I64(f.ms(f.now - Duration::days(15)))]),
            "database::sweep::DEAD" => one(vec![I64(f.ms(f.now - Duration::days(14)))]),

            "identity_sql::SELECT_STORED_PASSWORD" => one(vec![Text(f.owner_email.clone())]),
            "identity_sql::SELECT_USER" | "identity_sql::DELETE_RESETS" => one(vec![owner]),
            "identity_sql::SELECT_RESET_OWNER" | "identity_sql::USE_RESET" => {
                one(vec![Bytes(f.reset.clone()), now])
            }
            "identity_sql::SET_PASSWORD" => one(vec![owner, Text("$argon2id$v=19$…".into())]),
            "identity_sql::DELETE_EXPIRED_RESETS" => one(vec![now]),

            "tenancy_sql::LOCK_TENANT" | "tenancy_sql::SELECT_TENANT" => one(vec![tenant]),
            "tenancy_sql::SELECT_MEMBERSHIPS" => one(vec![owner]),
            "tenancy_sql::SELECT_ROLE" => one(vec![tenant, owner]),
            "tenancy_sql::SELECT_MEMBER" | "tenancy_sql::DELETE_MEMBERSHIP" => {
                one(vec![tenant, member])
            }
            "tenancy_sql::SELECT_MEMBERS" => vec![
                vec![tenant.clone(), NoUuid, I64(21)],
                vec![tenant, member, I64(21)],
            ],
            "tenancy_sql::SELECT_SEEN" => one(vec![tenant, owner, member]),
            "tenancy_sql::UPDATE_ROLE" => one(vec![tenant, member, Text("admin".into())]),
            "tenancy_sql::SELECT_DIRECTORY_USER" => one(vec![Text(f.owner_email.clone())]),
            "tenancy_sql::SELECT_DIRECTORY_USER_BY_ID" => one(vec![member]),
            "tenancy_sql::REPLACE_INVITATIONS" => {
                one(vec![tenant, Text(f.invitation_email.clone()), now])
            }
            "tenancy_sql::SELECT_INVITATIONS" => one(vec![tenant, now]),
            "tenancy_sql::SELECT_INVITATION" => one(vec![tenant, Uuid(f.invitation)]),
            "tenancy_sql::REVOKE_INVITATION" => one(vec![tenant, Uuid(f.invitation), now]),
            "tenancy_sql::SELECT_INVITATION_BY_TOKEN" => {
                one(vec![Bytes(f.invitation_token.clone()), now])
            }
            "tenancy_sql::ACCEPT_INVITATION" => one(vec![Uuid(f.invitation), now]),
            "tenancy_sql::SELECT_INVITATION_TENANT" => one(vec![Bytes(f.invitation_token.clone())]),
            "tenancy_sql::SELECT_TENANTS_PAGE" => {
                vec![vec![NoUuid, I64(100)], vec![tenant.clone(), I64(100)]]
            }
            "tenancy_sql::DELETE_EXPIRED_INVITATIONS" => one(vec![now]),

            "webhooks_sql::SELECT_ROLE" => one(vec![tenant, owner]),
            "webhooks_sql::COUNT_ENDPOINTS" | "webhooks_sql::SELECT_ENDPOINTS" => one(vec![tenant]),
            "webhooks_sql::SELECT_ENDPOINT"
            | "webhooks_sql::DELETE_DELIVERIES"
            | "webhooks_sql::DELETE_ENDPOINT"
            | "webhooks_sql::LOCK_ENDPOINT" => one(vec![tenant, endpoint]),
            "webhooks_sql::SELECT_DELIVERIES" => vec![
                vec![tenant.clone(), endpoint.clone(), NoUuid, I64(21)],
                vec![tenant, endpoint, Uuid(f.delivery), I64(21)],
            ],
            "webhooks_sql::SELECT_TARGETS" => one(vec![tenant, event]),
            "webhooks_sql::COUNT_ATTEMPTS" => one(vec![endpoint, event]),
            "webhooks_sql::UPDATE_STREAK" => one(vec![tenant, endpoint, I32(0), Bool(true)]),
            "webhooks_sql::DELETE_OLD_DELIVERIES" | "webhooks_sql::DELETE_OLD_INBOUND_IDS" => {
                one(vec![Time(f.now - Duration::days(30))])
            }
            "webhooks_sql::INSERT_INBOUND_ID" => one(vec![Text("msg_1".into()), Time(f.now)]),

            "activity_sql::SELECT_MEMBER" => one(vec![tenant, owner]),
            "activity_sql::SELECT_LOGINS"
            | "activity_sql::SELECT_CALLS"
            | "activity_sql::SELECT_SIGNUPS" => one(dashboard),
            "activity_sql::DELETE_OLD_CALLS" | "activity_sql::DELETE_OLD_LOGINS" => {
                one(vec![Date(today - Duration::days(100))])
            }
            other => panic!("{other} is audited but has no parameters here: add them to binds()"),
        }
    }
}

/// Every `Seq Scan` node of a JSON plan, by the table it reads.
fn seq_scans(node: &Value, found: &mut Vec<String>) {
    // "Seq Scan" or "Parallel Seq Scan".
    if node["Node Type"]
        .as_str()
        .is_some_and(|kind| kind.ends_with("Seq Scan"))
    {
        found.push(node["Relation Name"].as_str().unwrap_or("?").to_owned());
    }
    if let Some(plan) = node.get("Plan") {
        seq_scans(plan, found);
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        seq_scans(child, found);
    }
}

async fn row_estimates(pool: &PgPool) -> HashMap<String, f32> {
    sqlx::query_as::<_, (String, f32)>(
        "SELECT relname::text, reltuples FROM pg_class \
         WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

#[tokio::test]
async fn no_hot_statement_scans_a_large_table() {
    let db = TestDb::postgres(&app::MIGRATIONS).await;
    let Backend::Postgres(pg) = &db.backend else {
        unreachable!("a PostgreSQL test database")
    };
    let pool = pg.pool().await.unwrap();
    let steps = seed::plan(&Scale::default());
    seed::run(pool, &steps, "$argon2id$seeded", &ProgressBar::hidden())
        .await
        .unwrap();

    // The audit means something only if the tables are large: all but the tenants are.
    let rows = row_estimates(pool).await;
    for table in seed::TABLES.iter().filter(|t| **t != "tenants") {
        let estimate = rows.get(*table).copied().unwrap_or_default();
        assert!(estimate > LARGE, "{table} has only {estimate} rows");
    }

    let fixture = Fixture::load(pool).await;
    let statements = audited();
    let mut explained = 0;
    let mut failures = Vec::new();
    for (name, sql) in &statements {
        for args in fixture.binds(name) {
            let explain = format!("EXPLAIN (FORMAT JSON) {sql}");
            let query = args.iter().fold(sqlx::query_scalar(&explain), bind);
            let plan = query
                .fetch_one(pool)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}\n{sql}"));
            explained += 1;
            let mut scanned = Vec::new();
            seq_scans(&plan[0], &mut scanned);
            for table in scanned {
                let estimate = rows.get(&table).copied().unwrap_or_default();
                if estimate > LARGE {
                    failures.push(format!(
                        "{name}: Seq Scan on {table} ({estimate} rows)\n  {sql}\n  {}",
                        plan[0]["Plan"]
                    ));
                }
            }
        }
    }
    assert!(explained >= statements.len());
    assert!(
        failures.is_empty(),
        "{} of {explained} plans scan a large table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Deleting a referenced row checks the referencing table: without an index whose leading
/// columns are the foreign key, that check reads the whole table.
#[tokio::test]
async fn every_foreign_key_is_indexed() {
    let db = TestDb::postgres(&app::MIGRATIONS).await;
    let Backend::Postgres(pg) = &db.backend else {
        unreachable!("a PostgreSQL test database")
    };
    let foreign_keys: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")
            .fetch_one(pg.pool().await.unwrap())
            .await
            .unwrap();
    assert!(foreign_keys >= 4, "only {foreign_keys} foreign keys found");
    let unindexed: Vec<String> = sqlx::query_scalar(
        "SELECT c.conrelid::regclass::text || '.' || c.conname FROM pg_constraint c \
         WHERE c.contype = 'f' AND NOT EXISTS (SELECT 1 FROM pg_index i, \
         LATERAL (SELECT (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(c.conkey)] \
         AS lead) l WHERE i.indrelid = c.conrelid AND l.lead @> c.conkey AND l.lead <@ c.conkey)",
    )
    .fetch_all(pg.pool().await.unwrap())
    .await
    .unwrap();
    assert!(
        unindexed.is_empty(),
        "foreign keys without an index: {unindexed:?}"
    );
}
