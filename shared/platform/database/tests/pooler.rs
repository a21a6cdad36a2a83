//! PostgreSQL behind a transaction pooler (PgBouncer standing in for RDS Proxy): sqlx's
//! statement cache stays correct when many single-connection pools share fewer server
//! connections, and the migration guard tells a pooled URL from a direct one.

use database::postgres::{self, PoolSettings, Route};
use database::{Backend, PLATFORM};
use testkit::{PostgresDatabase, TestDb};
use tokio::task::JoinSet;

/// More clients than the pooler's server connections for one database (20), so that each
/// client's transactions land on connections other clients prepared their statements on.
const CLIENTS: usize = 40;
const ROUNDS: i64 = 25;

#[tokio::test]
async fn cached_statements_survive_transaction_pooling() {
    let db = TestDb::postgres_pooled(&[&PLATFORM]).await;
    let Backend::Postgres(shared) = &db.backend else {
        panic!("expected postgres");
    };
    let name: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(shared.raw_pool())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pooler = testkit::pooler_url();
    let url = format!(
        "{}/{name}",
        pooler.rsplit_once('/').map_or(&*pooler, |(b, _)| b)
    );
    let mut clients = JoinSet::new();
    for client in 0..CLIENTS as i64 {
        let settings = PoolSettings {
            max_connections: 1,
            ..PoolSettings::default()
        };
        let pool = postgres::connect_lazy(&url, settings).unwrap_or_else(|e| panic!("{e}"));
        clients.spawn(async move {
            let pool = pool.raw_pool();
            for round in 0..ROUNDS {
                // Three statements of different shapes: a statement bound on the wrong server
                // connection fails or answers with another's columns.
                let sum: i64 = sqlx::query_scalar("SELECT $1::int8 + $2::int8")
                    .bind(client)
                    .bind(round)
                    .fetch_one(pool)
                    .await
                    .unwrap_or_else(|e| panic!("client {client}, round {round}: {e}"));
                assert_eq!(sum, client + round);
                let text: String = sqlx::query_scalar("SELECT 'c' || $1::text")
                    .bind(client.to_string())
                    .fetch_one(pool)
                    .await
                    .unwrap_or_else(|e| panic!("client {client}, round {round}: {e}"));
                assert_eq!(text, format!("c{client}"));
                let mut tx = pool.begin().await.unwrap_or_else(|e| panic!("{e}"));
                let (a, b): (i64, String) = sqlx::query_as("SELECT $1::int8 * 2, $2::text")
                    .bind(round)
                    .bind("tx")
                    .fetch_one(&mut *tx)
                    .await
                    .unwrap_or_else(|e| panic!("client {client}, round {round}: {e}"));
                tx.commit().await.unwrap_or_else(|e| panic!("{e}"));
                assert_eq!((a, b.as_str()), (round * 2, "tx"));
            }
        });
    }
    let mut finished = 0;
    while let Some(done) = clients.join_next().await {
        done.unwrap_or_else(|e| panic!("{e}"));
        finished += 1;
    }
    assert_eq!(finished, CLIENTS);
}

#[tokio::test]
async fn tells_a_pooled_url_from_a_direct_one() {
    let database = PostgresDatabase::create().await;
    let direct =
        postgres::connect_lazy(&database.url, PoolSettings::default()).unwrap_or_else(|e| {
            panic!("{e}");
        });
    assert_eq!(
        postgres::route(&direct, &database.url).await.ok(),
        Some(Route::Direct)
    );
    let pooled_url = testkit::pooler_url();
    let pooled = postgres::connect_lazy(&pooled_url, PoolSettings::default()).unwrap_or_else(|e| {
        panic!("{e}");
    });
    let route = postgres::route(&pooled, &pooled_url)
        .await
        .unwrap_or_else(|e| panic!("{pooled_url}: {e}"));
    assert!(
        matches!(route, Route::Relayed { url_port, server_port } if url_port != server_port),
        "{route:?}"
    );
}
