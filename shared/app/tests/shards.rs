//! Tenant sharding through the whole API: a home database with two shard databases on the local
//! server, tenants kept apart across shards, the operators' listing, and a tenant moved between
//! shards, interrupted at every step and resumed, without a row lost or a second copy readable.

#[allow(dead_code)]
mod support;

use std::process::Command;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use database::shards::moves::{self, Interrupt, MoveError, MoveOptions, Step};
use database::{Backend, Db, Shard};
use kernel::TenantId;
use sqlx::Postgres;
use support::{TestApp, User};
use testkit::TestDb;

fn home(app: &TestApp) -> &Db<Postgres> {
    match &app.platform.backend {
        Backend::Postgres(db) => db,
        Backend::Sqlite(_) => unreachable!("shards are PostgreSQL databases"),
    }
}

fn tenant(user: &User) -> TenantId {
    user.tenant_id.parse().unwrap()
}

async fn shard_of(app: &TestApp, user: &User) -> String {
    home(app).route(tenant(user)).await.unwrap().shard
}

fn named(app: &TestApp, name: &str) -> Shard<Postgres> {
    home(app)
        .shards()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
}

/// Signs up owners until one tenant lives on each of the two shards: the owners of the tenant
/// on s1 and on s2, with their emails.
async fn one_tenant_per_shard(app: &TestApp) -> [(User, String); 2] {
    let mut on_s1 = None;
    let mut on_s2 = None;
    for i in 0..40 {
        let email = format!("owner{i}@example.com");
        let user = app.signup(&email, "Acme").await;
        match shard_of(app, &user).await.as_str() {
            "s1" if on_s1.is_none() => on_s1 = Some((user, email)),
            "s2" if on_s2.is_none() => on_s2 = Some((user, email)),
            _ => {}
        }
        if on_s1.is_some() && on_s2.is_some() {
            break;
        }
    }
    [
        on_s1.expect("a tenant placed on s1"),
        on_s2.expect("a tenant placed on s2"),
    ]
}

async fn member_ids(app: &TestApp, user: &User) -> Vec<String> {
    let path = format!("/v1/tenants/{}/members", user.tenant_id);
    let reply = app.call(Method::GET, &path, Some(&user.token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut ids: Vec<String> = reply.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn tenants_on_different_shards_stay_apart() {
    let app = TestApp::new(TestDb::postgres_sharded(&app::MIGRATIONS).await);
    let [(a, _), (b, b_email)] = one_tenant_per_shard(&app).await;
    for (user, other) in [(&a, &b), (&b, &a)] {
        for path in [
            format!("/v1/tenants/{}", other.tenant_id),
            format!("/v1/tenants/{}/members", other.tenant_id),
            format!("/v1/tenants/{}/invitations", other.tenant_id),
            format!("/v1/tenants/{}/dashboard", other.tenant_id),
        ] {
            let reply = app.call(Method::GET, &path, Some(&user.token), None).await;
            assert!(
                matches!(reply.status.as_u16(), 403 | 404),
                "{path}: {}",
                reply.status
            );
        }
        assert_eq!(member_ids(&app, user).await, vec![user.user_id.clone()]);
    }
    // Each tenant's rows are on its own shard and nowhere else.
    for (user, on, off) in [(&a, "s1", "s2"), (&b, "s2", "s1")] {
        let t = tenant(user);
        let tables = app::tenant_tables();
        let here = moves::counts(&named(&app, on).db, t, &tables[..2])
            .await
            .unwrap();
        let there = moves::counts(&named(&app, off).db, t, &tables[..2])
            .await
            .unwrap();
        let home_rows = moves::counts(home(&app), t, &tables[..2]).await.unwrap();
        assert_eq!(
            (here, there, home_rows),
            (vec![1, 1], vec![0, 0], vec![0, 0])
        );
    }
    // An account's tenant list gathers both shards.
    assert_eq!(app.add(&a, &b_email, "member").await.status, StatusCode::OK);
    let list = app
        .call(Method::GET, "/v1/tenants", Some(&b.token), None)
        .await;
    let mut ids: Vec<&str> = list.body["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenant_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected = vec![a.tenant_id.as_str(), b.tenant_id.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
}

/// A webhook endpoint with a delivery, and a day of usage: rows of the other modules, written
/// on the tenant's shard as their adapters would.
async fn seed_other_modules(app: &TestApp, owner: &User) {
    let t = tenant(owner);
    let user: uuid::Uuid = owner.user_id.parse().unwrap();
    let shard = named(app, &shard_of(app, owner).await);
    let endpoint = uuid::Uuid::now_v7();
    for (sql, id) in [
        (
            "INSERT INTO webhook_endpoints (id, tenant_id, url, secret, enabled, \
             consecutive_failures, created_at) \
             VALUES ($2, $1, 'https://hooks.example.com/in', 'whsec_x', true, 0, now())",
            endpoint,
        ),
        (
            "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, \
             attempt, status_code, succeeded, duration_ms, attempted_at) \
             VALUES (gen_random_uuid(), $1, $2, gen_random_uuid(), 'tenancy.member_added', 1, \
             204, true, 12, now())",
            endpoint,
        ),
        (
            "INSERT INTO activity_member_daily (tenant_id, day, user_id, api_calls) \
             VALUES ($1, current_date, $2, 7)",
            user,
        ),
    ] {
        sqlx::query(sql)
            .bind(t.as_uuid())
            .bind(id)
            .execute(shard.db.raw_pool())
            .await
            .unwrap();
    }
}

async fn webhook_count(app: &TestApp, owner: &User) -> usize {
    let path = format!("/v1/tenants/{}/webhooks", owner.tenant_id);
    let reply = app.call(Method::GET, &path, Some(&owner.token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["endpoints"].as_array().map_or(0, Vec::len)
}

/// Counts and checksums of one tenant's rows on the shard that serves it, table by table.
async fn serving_checksums(app: &TestApp, t: TenantId) -> Vec<(u64, String)> {
    let route = home(app).route(t).await.unwrap();
    moves::checksums(&named(app, &route.shard).db, t, &app::tenant_tables())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_move_interrupted_at_any_step_resumes_without_losing_a_row() {
    let db = TestDb::postgres_sharded_with(&app::MIGRATIONS, Duration::ZERO).await;
    let app = TestApp::new(db);
    let owner = app.signup("owner@example.com", "Acme").await;
    app.signup("member@example.com", "Other").await;
    assert_eq!(
        app.add(&owner, "member@example.com", "member").await.status,
        StatusCode::OK
    );
    app.signup("guest@example.com", "Guest").await;
    assert_eq!(
        app.invite(&owner, "guest@example.com", "admin")
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let t = tenant(&owner);
    seed_other_modules(&app, &owner).await;
    let members = member_ids(&app, &owner).await;
    assert_eq!(members.len(), 2);
    let original = serving_checksums(&app, t).await;
    let rows: Vec<u64> = original.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        rows,
        [1, 2, 2, 1, 1, 1],
        "every table of tenant data holds rows"
    );
    let tables = app::tenant_tables();
    let points = [
        Interrupt::After(Step::Freeze),
        Interrupt::DuringCopy,
        Interrupt::After(Step::Copy),
        Interrupt::After(Step::Verify),
        Interrupt::After(Step::Flip),
        Interrupt::After(Step::CleanUp),
    ];
    for interrupt in points {
        let from = shard_of(&app, &owner).await;
        let to = if from == "s1" { "s2" } else { "s1" };
        let options = MoveOptions {
            settle: Duration::ZERO,
            chunk: 1,
            interrupt: Some(interrupt),
        };
        let stopped = moves::move_tenant(home(&app), t, to, &tables, &options, &|_| {}).await;
        assert!(
            matches!(stopped, Err(MoveError::Interrupted(at)) if at == interrupt),
            "{stopped:?}"
        );

        // Wherever it stopped: one shard serves the tenant, with every row, through the API.
        let route = home(&app).route(t).await.unwrap();
        assert!(route.shard == from || route.shard == to, "{route:?}");
        assert_eq!(
            serving_checksums(&app, t).await,
            original,
            "after {interrupt:?}"
        );
        assert_eq!(
            member_ids(&app, &owner).await,
            members,
            "after {interrupt:?}"
        );
        assert_eq!(webhook_count(&app, &owner).await, 1, "after {interrupt:?}");
        let listed = tenancy_sql::tenants(&app.platform.backend, None, 100)
            .await
            .unwrap();
        assert_eq!(listed.iter().filter(|l| l.tenant.id == t).count(), 1);
        if route.moving() {
            let refused = app.invite(&owner, "late@example.com", "member").await;
            refused.assert_problem(503);
        }

        let done = moves::move_tenant(
            home(&app),
            t,
            to,
            &tables,
            &MoveOptions {
                interrupt: None,
                ..options
            },
            &|_| {},
        )
        .await
        .unwrap_or_else(|e| panic!("resuming after {interrupt:?}: {e}"));
        assert_eq!((done.from.as_str(), done.to.as_str()), (from.as_str(), to));
        let route = home(&app).route(t).await.unwrap();
        assert_eq!((route.shard.as_str(), route.move_step), (to, None));
        assert_eq!(serving_checksums(&app, t).await, original);
        let left = moves::counts(&named(&app, &from).db, t, &tables)
            .await
            .unwrap();
        assert!(left.iter().all(|&n| n == 0), "{from} kept {left:?}");
        assert_eq!(member_ids(&app, &owner).await, members);
    }
    // Writes go to the new shard once the move is done.
    assert_eq!(
        app.invite(&owner, "late@example.com", "member")
            .await
            .status,
        StatusCode::ACCEPTED
    );
    let on = shard_of(&app, &owner).await;
    let invitations = moves::counts(&named(&app, &on).db, t, &tables[2..3])
        .await
        .unwrap();
    assert_eq!(
        invitations,
        vec![original[2].0 + 1],
        "the new invitation beside the moved ones"
    );
}

#[tokio::test]
async fn the_shards_command_lists_every_tenant_and_moves_one() {
    let db = TestDb::postgres_sharded_with(&app::MIGRATIONS, Duration::ZERO).await;
    let urls = db.shard_urls.clone();
    let app = TestApp::new(db);
    let [(a, _), (b, _)] = one_tenant_per_shard(&app).await;
    let shards: Vec<String> = urls[1..].iter().map(|(n, u)| format!("{n}={u}")).collect();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_shards"))
            .args(args)
            .env("DATABASE_URL", &urls[0].1)
            .env("DATABASE_SHARDS", shards.join(","))
            .env("DATABASE_SHARD_ROUTE_TTL_SECONDS", "0")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let listing = run(&["tenants"]);
    for (user, shard) in [(&a, "s1"), (&b, "s2")] {
        let line = listing
            .lines()
            .find(|l| l.starts_with(&user.tenant_id))
            .unwrap();
        assert!(line.split_whitespace().nth(1) == Some(shard), "{line}");
    }
    let moved = run(&["move", &a.tenant_id, "s2", "--settle-seconds", "0"]);
    assert!(moved.contains("from s1 to s2"), "{moved}");
    assert_eq!(shard_of(&app, &a).await, "s2");
    assert_eq!(member_ids(&app, &a).await, vec![a.user_id.clone()]);
    let listing = run(&["tenants"]);
    let line = listing
        .lines()
        .find(|l| l.starts_with(&a.tenant_id))
        .unwrap();
    assert!(line.split_whitespace().nth(1) == Some("s2"), "{line}");
}
