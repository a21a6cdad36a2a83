//! Fills a PostgreSQL database with a realistic volume of every module's data, written as set
//! statements (`INSERT … SELECT … generate_series`) a few tens of thousands of rows at a time:
//! the load the query audit plans against, and what benchmarks and local runs at scale use.
//!
//! Tenants are skewed as in a real product: the first 1% are big (a fiftieth of the users
//! each), the next 9% medium, the rest small. Ids are deterministic UUIDv7-shaped values, so
//! every statement can name the rows another one wrote without reading them back. Everything
//! the outbox holds is already published, so a server started on the seeded database sends
//! no mail and no webhook for it, and every row is as young as the sweeper leaves it (the
//! outbox a week, sessions and invitations unexpired, the delivery log a month).

use indicatif::ProgressBar;
use sqlx::{PgPool, Postgres};

/// How much to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    pub tenants: u64,
    pub users: u64,
    /// Daily API-call counts per member over 90 days; the daily logins get half as many, the
    /// delivery log, the outbox and the ledger a tenth each.
    pub rows: u64,
}

impl Default for Scale {
    fn default() -> Self {
        Self {
            tenants: 1_000,
            users: 100_000,
            rows: 1_000_000,
        }
    }
}

/// Every table the seed writes, in an order that satisfies their foreign keys.
pub const TABLES: &[&str] = &[
    "tenants",
    "users",
    "webhook_endpoints",
    "memberships",
    "invitations",
    "webhook_deliveries",
    "activity_member_daily",
    "activity_user_daily",
    "sessions",
    "password_resets",
    "outbox",
    "job_ledger",
];

/// Rows per statement, about: big enough that round trips do not count, small enough that
/// the progress bar moves.
const BATCH: u64 = 25_000;

/// One statement of the seed: the table it writes and how many rows it adds.
#[derive(Debug, Clone)]
pub struct Step {
    pub table: &'static str,
    pub sql: String,
    pub rows: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    Big,
    Medium,
    Small,
}

impl Scale {
    fn big(&self) -> u64 {
        (self.tenants / 100).max(1)
    }

    fn medium_end(&self) -> u64 {
        (self.tenants / 10).max(self.big() + 1)
    }

    fn tier(&self, i: u64) -> Tier {
        if i < self.big() {
            Tier::Big
        } else if i < self.medium_end() {
            Tier::Medium
        } else {
            Tier::Small
        }
    }

    fn members(&self, i: u64) -> u64 {
        let size = match self.tier(i) {
            Tier::Big => (self.users / 50).max(3),
            Tier::Medium => (self.users / 300).max(3),
            Tier::Small => 10 + (i * 37) % 90,
        };
        size.min(self.users)
    }

    /// Member `k` of tenant `i` is user `(i * 7919 + k) % users`: distinct within a tenant.
    fn members_sql(&self) -> String {
        format!(
            "LEAST(CASE WHEN i < {big} THEN {b} WHEN i < {mid} THEN {m} ELSE 10 + (i * 37) % 90 END, {u})",
            big = self.big(),
            mid = self.medium_end(),
            b = (self.users / 50).max(3),
            m = (self.users / 300).max(3),
            u = self.users,
        )
    }

    fn invitations(&self, i: u64) -> u64 {
        self.members(i) / 4 + 4
    }

    fn invitations_sql(&self) -> String {
        format!("({}) / 4 + 4", self.members_sql())
    }

    fn endpoints(&self, i: u64) -> u64 {
        match self.tier(i) {
            Tier::Big => 100,
            Tier::Medium => 30,
            Tier::Small => 8,
        }
    }

    fn endpoints_sql(&self) -> String {
        format!(
            "CASE WHEN i < {} THEN 100 WHEN i < {} THEN 30 ELSE 8 END",
            self.big(),
            self.medium_end()
        )
    }

    fn memberships(&self) -> u64 {
        (0..self.tenants).map(|i| self.members(i)).sum()
    }

    fn all_endpoints(&self) -> u64 {
        (0..self.tenants).map(|i| self.endpoints(i)).sum()
    }

    /// Days of API calls per member, so that the activity table gets about `rows` rows.
    fn active_days(&self) -> u64 {
        self.rows
            .checked_div(self.memberships())
            .unwrap_or(0)
            .clamp(1, 90)
    }

    /// Delivery attempts per endpoint, so that the log gets about a tenth of `rows`.
    fn deliveries_per_endpoint(&self) -> u64 {
        (self.rows / 10)
            .checked_div(self.all_endpoints())
            .unwrap_or(0)
            .clamp(1, 999)
    }

    /// Days with logins per user (about one a week at the defaults), so that the table gets
    /// about half of `rows`.
    fn login_days(&self) -> u64 {
        (self.rows / 2)
            .checked_div(self.users)
            .unwrap_or(0)
            .clamp(1, 90)
    }

    fn events(&self) -> u64 {
        (self.rows / 10).max(1)
    }
}

/// A deterministic UUIDv7-shaped id for row `n` of a kind of row: the time part grows with `n`
/// (so ids sort by creation, as the application's do), the rest is a digest of the kind and `n`.
fn id(kind: &str, n: &str) -> String {
    format!(
        "(lpad(to_hex(1760000000000 + ({n})), 12, '0') || '7' || substr(md5('{kind}' || ({n})), 1, 3) \
         || '8' || substr(md5('{kind}' || ({n})), 4, 15))::uuid"
    )
}

fn tenant_id(i: &str) -> String {
    id("tenant", i)
}

fn user_id(n: &str) -> String {
    id("user", n)
}

/// The user who is member `k` of tenant `i`.
fn member_sql(scale: &Scale) -> String {
    user_id(&format!("(i * 7919 + k) % {}", scale.users))
}

/// Consecutive tenant ranges of about `BATCH` rows each, `rows(i)` being tenant `i`'s rows.
fn tenant_batches(scale: &Scale, rows: impl Fn(u64) -> u64) -> Vec<(u64, u64, u64)> {
    let mut batches = Vec::new();
    let (mut start, mut sum) = (0, 0);
    for i in 0..scale.tenants {
        sum += rows(i);
        if sum >= BATCH || i + 1 == scale.tenants {
            batches.push((start, i, sum));
            (start, sum) = (i + 1, 0);
        }
    }
    batches
}

/// Ranges of `0..count` of `per_batch` each.
fn ranges(count: u64, per_batch: u64) -> Vec<(u64, u64)> {
    let per_batch = per_batch.max(1);
    (0..count.div_ceil(per_batch))
        .map(|b| (b * per_batch, ((b + 1) * per_batch).min(count) - 1))
        .collect()
}

/// Every statement of the seed, in order. Users' statements bind `$1`, the password hash.
pub fn plan(scale: &Scale) -> Vec<Step> {
    let mut steps = Vec::new();
    let tid = tenant_id("i");
    let owner = user_id(&format!("(i * 7919) % {}", scale.users));

    steps.push(Step {
        table: "tenants",
        sql: format!(
            "INSERT INTO tenants (id, name, created_at, plan) \
             SELECT {tid}, 'Tenant ' || i, now() - make_interval(days => 400 - i % 365), \
             CASE WHEN i < {big} THEN 'business' WHEN i < {mid} THEN 'team' ELSE 'free' END \
             FROM generate_series(0, {last}) AS i",
            big = scale.big(),
            mid = scale.medium_end(),
            last = scale.tenants - 1,
        ),
        rows: scale.tenants,
    });

    for (a, b) in ranges(scale.users, BATCH) {
        steps.push(Step {
            table: "users",
            sql: format!(
                "INSERT INTO users (id, email, password_hash, created_at) \
                 SELECT {}, 'user' || n || '@seed.example.com', $1, \
                 now() - make_interval(days => 365 - n % 365, secs => n % 86400) \
                 FROM generate_series({a}, {b}) AS n",
                user_id("n")
            ),
            rows: b - a + 1,
        });
    }

    let endpoint = id("endpoint", "i * 1000 + q");
    for (a, b, rows) in tenant_batches(scale, |i| scale.endpoints(i)) {
        steps.push(Step {
            table: "webhook_endpoints",
            sql: format!(
                "INSERT INTO webhook_endpoints (id, tenant_id, url, description, secret, enabled, \
                 consecutive_failures, created_at) \
                 SELECT {endpoint}, {tid}, 'https://hooks.seed.example.com/' || i || '/' || q, \
                 'Seeded endpoint ' || q, \
                 'whsec_' || encode(sha256(convert_to('endpoint:' || i || ':' || q, 'UTF8')), 'base64'), \
                 q % 10 <> 9, CASE WHEN q % 10 = 9 THEN 10 ELSE 0 END, \
                 now() - make_interval(days => (30 + q)::int) \
                 FROM generate_series({a}::bigint, {b}) AS i, generate_series(0, {} - 1) AS q",
                scale.endpoints_sql()
            ),
            rows,
        });
    }

    let member = member_sql(scale);
    for (a, b, rows) in tenant_batches(scale, |i| scale.members(i)) {
        steps.push(Step {
            table: "memberships",
            sql: format!(
                "INSERT INTO memberships (tenant_id, user_id, role, created_at) \
                 SELECT {tid}, {member}, \
                 CASE WHEN k = 0 THEN 'owner' WHEN k < 3 THEN 'admin' ELSE 'member' END, \
                 now() - make_interval(days => ((i * 31 + k * 17) % 180)::int, secs => k % 86400) \
                 FROM generate_series({a}::bigint, {b}) AS i, generate_series(0, {} - 1) AS k",
                scale.members_sql()
            ),
            rows,
        });
    }

    // Half pending, a quarter each accepted and revoked; none expired, as the sweeper leaves
    // the table.
    for (a, b, rows) in tenant_batches(scale, |i| scale.invitations(i)) {
        steps.push(Step {
            table: "invitations",
            sql: format!(
                "INSERT INTO invitations (id, tenant_id, email, role, token_hash, invited_by, \
                 created_at, expires_at, accepted_at, revoked_at) \
                 SELECT {}, {tid}, 'invitee' || q || '.t' || i || '@seed.example.com', \
                 CASE WHEN q % 5 = 0 THEN 'admin' ELSE 'member' END, \
                 sha256(convert_to('invitation:' || i || ':' || q, 'UTF8')), {owner}, \
                 c.at, c.at + interval '7 days', \
                 CASE WHEN q % 4 = 1 THEN c.at + interval '1 hour' END, \
                 CASE WHEN q % 4 = 2 THEN c.at + interval '2 hours' END \
                 FROM generate_series({a}::bigint, {b}) AS i, generate_series(0, {} - 1) AS q, \
                 LATERAL (SELECT now() - make_interval(hours => ((q * 7) % 160)::int)) AS c(at)",
                id("invitation", "i * 1000000 + q"),
                scale.invitations_sql()
            ),
            rows,
        });
    }

    let per_endpoint = scale.deliveries_per_endpoint();
    let attempt = "(i * 1000 + q) * 1000 + r";
    for (a, b, rows) in tenant_batches(scale, |i| scale.endpoints(i) * per_endpoint) {
        steps.push(Step {
            table: "webhook_deliveries",
            sql: format!(
                "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, \
                 attempt, status_code, error, succeeded, duration_ms, attempted_at) \
                 SELECT {}, {tid}, {endpoint}, {}, \
                 (ARRAY['tenancy.member_added', 'tenancy.role_changed', 'tenancy.member_removed', \
                 'tenancy.invitation_accepted'])[1 + r % 4], \
                 1, CASE WHEN r % 10 = 0 THEN 500 ELSE 200 END, NULL, r % 10 <> 0, 20 + r % 200, \
                 now() - make_interval(hours => ((r * 37) % 700)::int) \
                 FROM generate_series({a}::bigint, {b}) AS i, generate_series(0, {} - 1) AS q, \
                 generate_series(0, {per_endpoint} - 1) AS r",
                id("delivery", attempt),
                id("event", attempt),
                scale.endpoints_sql()
            ),
            rows,
        });
    }

    // Distinct days per member: 7 and 90 are coprime.
    let days = scale.active_days();
    for (a, b, rows) in tenant_batches(scale, |i| scale.members(i) * days) {
        steps.push(Step {
            table: "activity_member_daily",
            sql: format!(
                "INSERT INTO activity_member_daily (tenant_id, day, user_id, api_calls) \
                 SELECT {tid}, current_date - ((i * 13 + k * 7 + j * 7) % 90)::int, {member}, \
                 1 + (i + k + j) % 50 \
                 FROM generate_series({a}::bigint, {b}) AS i, generate_series(0, {} - 1) AS k, \
                 generate_series(0, {days} - 1) AS j",
                scale.members_sql()
            ),
            rows,
        });
    }

    let login_days = scale.login_days();
    for (a, b) in ranges(scale.users, BATCH / login_days) {
        steps.push(Step {
            table: "activity_user_daily",
            sql: format!(
                "INSERT INTO activity_user_daily (user_id, day, logins) \
                 SELECT {}, current_date - ((n * 11 + j * 7) % 90)::int, 1 + (n + j) % 3 \
                 FROM generate_series({a}::bigint, {b}) AS n, generate_series(0, {login_days} - 1) AS j",
                user_id("n")
            ),
            rows: (b - a + 1) * login_days,
        });
    }

    // Every user has a live session, every other one a second; expired ones are swept.
    for (a, b) in ranges(scale.users, BATCH * 2 / 3) {
        steps.push(Step {
            table: "sessions",
            sql: format!(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
                 SELECT sha256(convert_to('session:' || n || ':' || s, 'UTF8')), {}, \
                 now() - make_interval(hours => (n % 160)::int), \
                 now() + make_interval(hours => (8 + (n + s * 40) % 160)::int) \
                 FROM generate_series({a}::bigint, {b}) AS n, \
                 generate_series(0, CASE WHEN n % 2 = 0 THEN 1 ELSE 0 END) AS s",
                user_id("n")
            ),
            rows: (b - a + 1) + (a..=b).filter(|n| n % 2 == 0).count() as u64,
        });
    }

    for (a, b) in ranges(scale.users, BATCH * 5) {
        steps.push(Step {
            table: "password_resets",
            sql: format!(
                "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) \
                 SELECT sha256(convert_to('reset:' || n, 'UTF8')), {}, c.at, c.at + interval '1 hour' \
                 FROM generate_series({a}::bigint, {b}) AS n, \
                 LATERAL (SELECT now() - make_interval(mins => (n % 55)::int)) AS c(at) \
                 WHERE n % 5 = 0",
                user_id("n")
            ),
            rows: (a..=b).filter(|n| n % 5 == 0).count() as u64,
        });
    }

    let event = id("outbox", "n");
    for (a, b) in ranges(scale.events(), BATCH) {
        steps.push(Step {
            table: "outbox",
            sql: format!(
                "INSERT INTO outbox (id, event_type, event_version, tenant_id, payload, created_at, \
                 published_at) \
                 SELECT {event}, t.kind, 1, \
                 CASE WHEN t.kind LIKE 'tenancy.%' THEN {} END, \
                 jsonb_build_object('seeded', n), c.at, c.at + interval '1 second' \
                 FROM generate_series({a}::bigint, {b}) AS n, \
                 LATERAL (SELECT (ARRAY['identity.user_signed_up', 'tenancy.tenant_created', \
                 'tenancy.member_added', 'tenancy.role_changed', 'tenancy.member_removed', \
                 'tenancy.invitation_accepted'])[1 + n % 6]) AS t(kind), \
                 LATERAL (SELECT now() - make_interval(mins => (n % 10000)::int)) AS c(at)",
                tenant_id(&format!("n % {}", scale.tenants))
            ),
            rows: b - a + 1,
        });
        steps.push(Step {
            table: "job_ledger",
            sql: format!(
                "INSERT INTO job_ledger (consumer, event_id, lease_until, done_at) \
                 SELECT (ARRAY['notifications', 'webhooks', 'activity'])[1 + n % 3], {event}, NULL, \
                 (extract(epoch FROM now()) * 1000)::bigint - (n % 1200000) * 1000 \
                 FROM generate_series({a}::bigint, {b}) AS n"
            ),
            rows: b - a + 1,
        });
    }
    steps
}

/// Whether any table the seed writes holds a row already.
pub async fn has_data(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let probes: Vec<String> = TABLES
        .iter()
        .map(|table| format!("EXISTS (SELECT 1 FROM {table})"))
        .collect();
    sqlx::query_scalar::<Postgres, bool>(&format!("SELECT {}", probes.join(" OR ")))
        .fetch_one(pool)
        .await
}

/// Deletes every row of every table the seed writes.
pub async fn empty(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("TRUNCATE {}", TABLES.join(", ")))
        .execute(pool)
        .await
        .map(drop)
}

/// Runs `steps` (from [`plan`]) with `password_hash` as every user's password, advancing
/// `progress` by the rows each writes, then vacuums and analyzes the database. Returns the
/// rows written.
pub async fn run(
    pool: &PgPool,
    steps: &[Step],
    password_hash: &str,
    progress: &ProgressBar,
) -> Result<u64, sqlx::Error> {
    let mut written = 0;
    for step in steps {
        progress.set_message(step.table);
        let query = sqlx::query(&step.sql);
        let query = if step.table == "users" {
            query.bind(password_hash)
        } else {
            query
        };
        let done = query.execute(pool).await?;
        written += done.rows_affected();
        progress.inc(done.rows_affected());
    }
    // What autovacuum would do after a bulk load: statistics for the planner, and the
    // visibility map that lets index-only scans skip the table.
    progress.set_message("VACUUM ANALYZE");
    sqlx::raw_sql("VACUUM ANALYZE").execute(pool).await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_are_skewed_and_batches_cover_every_tenant() {
        let scale = Scale::default();
        assert_eq!(scale.members(0), 2_000);
        assert_eq!(scale.members(50), 333);
        assert!(scale.members(500) < 100);
        let batches = tenant_batches(&scale, |i| scale.members(i));
        assert_eq!(batches.first().map(|b| b.0), Some(0));
        assert_eq!(batches.last().map(|b| b.1), Some(scale.tenants - 1));
        let rows: u64 = batches.iter().map(|b| b.2).sum();
        assert_eq!(rows, scale.memberships());
        assert!(batches.windows(2).all(|w| w[0].1 + 1 == w[1].0));
    }

    #[test]
    fn ranges_split_a_count_without_gaps() {
        assert_eq!(ranges(5, 2), [(0, 1), (2, 3), (4, 4)]);
        assert_eq!(ranges(4, 2), [(0, 1), (2, 3)]);
    }
}
