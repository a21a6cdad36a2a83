//! The statements both drivers run. Every tenant-scoped statement filters by `tenant_id`.

pub const INSERT_TENANT: &str = "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)";
pub const INSERT_MEMBERSHIP: &str =
    "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)";

pub const SELECT_MEMBERSHIPS: &str = "SELECT m.tenant_id, t.name AS tenant_name, m.role \
     FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
     WHERE m.user_id = $1 ORDER BY m.tenant_id";
pub const SELECT_TENANT: &str = "SELECT id, name, created_at, plan FROM tenants WHERE id = $1";
/// A page of tenants in id order, with their member counts, for operators.
pub const SELECT_TENANTS_PAGE: &str = "SELECT t.id, t.name, t.created_at, t.plan, \
     (SELECT count(*) FROM memberships m WHERE m.tenant_id = t.id) AS members \
     FROM tenants t WHERE ($1 IS NULL OR t.id > $1) ORDER BY t.id LIMIT $2";
pub const SELECT_ROLE: &str = "SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2";
/// Members are read from the tenant's shard, their emails from the directory (which may be
/// another database), with [`select_emails`].
pub const SELECT_MEMBER: &str = "SELECT user_id, role, created_at FROM memberships \
     WHERE tenant_id = $1 AND user_id = $2";
pub const SELECT_MEMBERS: &str = "SELECT user_id, role, created_at FROM memberships \
     WHERE tenant_id = $1 AND ($2 IS NULL OR user_id > $2) ORDER BY user_id LIMIT $3";
/// The actor's role, the target's role and the number of owners: what a change is decided on.
pub const SELECT_SEEN: &str = "SELECT \
     max(CASE WHEN user_id = $2 THEN role END) AS actor_role, \
     max(CASE WHEN user_id = $3 THEN role END) AS target_role, \
     coalesce(sum(CASE WHEN role = 'owner' THEN 1 ELSE 0 END), 0) AS owners \
     FROM memberships WHERE tenant_id = $1";
pub const UPDATE_ROLE: &str =
    "UPDATE memberships SET role = $3 WHERE tenant_id = $1 AND user_id = $2";
pub const DELETE_MEMBERSHIP: &str = "DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2";

pub const SELECT_DIRECTORY_USER: &str = "SELECT id, email FROM directory_users WHERE email = $1";

/// The emails of `count` accounts (`count` ≥ 1), by id.
pub fn select_emails(count: usize) -> String {
    let ids: Vec<String> = (1..=count).map(|i| format!("${i}")).collect();
    format!(
        "SELECT id, email FROM directory_users WHERE id IN ({})",
        ids.join(", ")
    )
}

/// The statement that finds an invitation's shard: any of them may hold the token.
pub const SELECT_INVITATION_TENANT: &str =
    "SELECT tenant_id FROM invitations WHERE token_hash = $1";

pub const SELECT_DIRECTORY_USER_BY_ID: &str = "SELECT id, email FROM directory_users WHERE id = $1";

pub const INSERT_INVITATION: &str = "INSERT INTO invitations \
     (id, tenant_id, email, role, token_hash, invited_by, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
/// Revokes the pending invitations of one email, which a newer one replaces.
pub const REPLACE_INVITATIONS: &str = "UPDATE invitations SET revoked_at = $3 \
     WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL";
pub const SELECT_INVITATIONS: &str = "SELECT id, tenant_id, email, role, invited_by, \
     created_at, expires_at FROM invitations WHERE tenant_id = $1 \
     AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2 ORDER BY id DESC";
pub const SELECT_INVITATION: &str = "SELECT id, tenant_id, email, role, invited_by, \
     created_at, expires_at FROM invitations WHERE tenant_id = $1 AND id = $2";
pub const REVOKE_INVITATION: &str = "UPDATE invitations SET revoked_at = $3 \
     WHERE tenant_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL \
     AND expires_at > $3";
pub const SELECT_INVITATION_BY_TOKEN: &str = "SELECT id, tenant_id, email, role, \
     invited_by, created_at, expires_at FROM invitations WHERE token_hash = $1 \
     AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2";
/// Marks an invitation accepted, if it is still pending: the statement that decides a race
/// between two acceptances.
pub const ACCEPT_INVITATION: &str = "UPDATE invitations SET accepted_at = $2 \
     WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL";
pub const DELETE_EXPIRED_INVITATIONS: &str = "DELETE FROM invitations WHERE expires_at < $1";

/// Every statement that finds rows (plain inserts find none), by name, as PostgreSQL runs
/// it: the query audit explains each one over a seeded database and refuses a sequential scan
/// of a large table.
pub const AUDITED: &[(&str, &str)] = &[
    (
        "tenancy_sql::LOCK_TENANT",
        <sqlx::Postgres as crate::TenancyDialect>::LOCK_TENANT,
    ),
    ("tenancy_sql::SELECT_MEMBERSHIPS", SELECT_MEMBERSHIPS),
    ("tenancy_sql::SELECT_TENANT", SELECT_TENANT),
    ("tenancy_sql::SELECT_TENANTS_PAGE", SELECT_TENANTS_PAGE),
    ("tenancy_sql::SELECT_ROLE", SELECT_ROLE),
    ("tenancy_sql::SELECT_MEMBER", SELECT_MEMBER),
    ("tenancy_sql::SELECT_MEMBERS", SELECT_MEMBERS),
    ("tenancy_sql::SELECT_SEEN", SELECT_SEEN),
    ("tenancy_sql::UPDATE_ROLE", UPDATE_ROLE),
    ("tenancy_sql::DELETE_MEMBERSHIP", DELETE_MEMBERSHIP),
    ("tenancy_sql::SELECT_DIRECTORY_USER", SELECT_DIRECTORY_USER),
    (
        "tenancy_sql::SELECT_INVITATION_TENANT",
        SELECT_INVITATION_TENANT,
    ),
    (
        "tenancy_sql::SELECT_DIRECTORY_USER_BY_ID",
        SELECT_DIRECTORY_USER_BY_ID,
    ),
    ("tenancy_sql::REPLACE_INVITATIONS", REPLACE_INVITATIONS),
    ("tenancy_sql::SELECT_INVITATIONS", SELECT_INVITATIONS),
    ("tenancy_sql::SELECT_INVITATION", SELECT_INVITATION),
    ("tenancy_sql::REVOKE_INVITATION", REVOKE_INVITATION),
    (
        "tenancy_sql::SELECT_INVITATION_BY_TOKEN",
        SELECT_INVITATION_BY_TOKEN,
    ),
    ("tenancy_sql::ACCEPT_INVITATION", ACCEPT_INVITATION),
    (
        "tenancy_sql::DELETE_EXPIRED_INVITATIONS",
        DELETE_EXPIRED_INVITATIONS,
    ),
];
