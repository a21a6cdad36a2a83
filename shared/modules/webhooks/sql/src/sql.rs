//! The statements both drivers run. Every tenant-scoped statement filters by `tenant_id`.

pub const SELECT_ROLE: &str =
    "SELECT role FROM tenant_members WHERE tenant_id = $1 AND user_id = $2";

pub const COUNT_ENDPOINTS: &str = "SELECT count(*) FROM webhook_endpoints WHERE tenant_id = $1";
pub const INSERT_ENDPOINT: &str = "INSERT INTO webhook_endpoints \
     (id, tenant_id, url, description, secret, enabled, consecutive_failures, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub const SELECT_ENDPOINTS: &str = "SELECT id, tenant_id, url, description, enabled, \
     consecutive_failures, created_at FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY id";
pub const SELECT_ENDPOINT: &str = "SELECT id, tenant_id, url, description, enabled, \
     consecutive_failures, created_at FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2";
pub const DELETE_DELIVERIES: &str =
    "DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND endpoint_id = $2";
pub const DELETE_ENDPOINT: &str = "DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2";

pub const SELECT_DELIVERIES: &str = "SELECT id, endpoint_id, event_id, event_type, attempt, \
     status_code, error, duration_ms, attempted_at FROM webhook_deliveries \
     WHERE tenant_id = $1 AND endpoint_id = $2 AND ($3 IS NULL OR id < $3) \
     ORDER BY id DESC LIMIT $4";

/// The enabled endpoints of a tenant that have not had the event delivered yet.
pub const SELECT_TARGETS: &str = "SELECT e.id, e.url, e.secret FROM webhook_endpoints e \
     WHERE e.tenant_id = $1 AND e.enabled AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d \
     WHERE d.endpoint_id = e.id AND d.event_id = $2 AND d.succeeded) ORDER BY e.id";

pub const COUNT_ATTEMPTS: &str =
    "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1 AND event_id = $2";
pub const INSERT_DELIVERY: &str = "INSERT INTO webhook_deliveries \
     (id, tenant_id, endpoint_id, event_id, event_type, attempt, status_code, error, succeeded, \
     duration_ms, attempted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub const UPDATE_STREAK: &str = "UPDATE webhook_endpoints \
     SET consecutive_failures = $3, enabled = $4 WHERE tenant_id = $1 AND id = $2";

pub const DELETE_OLD_DELIVERIES: &str = "DELETE FROM webhook_deliveries WHERE attempted_at < $1";

/// Records an inbound delivery's id; a repeat of a recorded id inserts nothing.
pub const INSERT_INBOUND_ID: &str = "INSERT INTO inbound_webhooks (webhook_id, received_at) \
     VALUES ($1, $2) ON CONFLICT (webhook_id) DO NOTHING";
pub const DELETE_OLD_INBOUND_IDS: &str = "DELETE FROM inbound_webhooks WHERE received_at < $1";

/// Every statement that finds rows (plain inserts find none), by name, as PostgreSQL runs
/// it: the query audit explains each one over a seeded database and refuses a sequential scan
/// of a large table.
pub const AUDITED: &[(&str, &str)] = &[
    ("webhooks_sql::SELECT_ROLE", SELECT_ROLE),
    ("webhooks_sql::COUNT_ENDPOINTS", COUNT_ENDPOINTS),
    ("webhooks_sql::SELECT_ENDPOINTS", SELECT_ENDPOINTS),
    ("webhooks_sql::SELECT_ENDPOINT", SELECT_ENDPOINT),
    ("webhooks_sql::DELETE_DELIVERIES", DELETE_DELIVERIES),
    ("webhooks_sql::DELETE_ENDPOINT", DELETE_ENDPOINT),
    ("webhooks_sql::SELECT_DELIVERIES", SELECT_DELIVERIES),
    ("webhooks_sql::SELECT_TARGETS", SELECT_TARGETS),
    ("webhooks_sql::COUNT_ATTEMPTS", COUNT_ATTEMPTS),
    ("webhooks_sql::UPDATE_STREAK", UPDATE_STREAK),
    ("webhooks_sql::DELETE_OLD_DELIVERIES", DELETE_OLD_DELIVERIES),
    ("webhooks_sql::INSERT_INBOUND_ID", INSERT_INBOUND_ID),
    (
        "webhooks_sql::DELETE_OLD_INBOUND_IDS",
        DELETE_OLD_INBOUND_IDS,
    ),
    (
        "webhooks_sql::LOCK_ENDPOINT",
        <sqlx::Postgres as crate::WebhooksDialect>::LOCK_ENDPOINT,
    ),
];
