//! The statements both drivers run. Every tenant-scoped statement filters by `tenant_id`.

pub const SELECT_MEMBER: &str =
    "SELECT role FROM tenant_members WHERE tenant_id = $1 AND user_id = $2";

/// Per day, the logins of the tenant's current members.
pub const SELECT_LOGINS: &str = "SELECT u.day, CAST(sum(u.logins) AS bigint) \
     FROM activity_user_daily u JOIN tenant_members m ON m.user_id = u.user_id \
     WHERE m.tenant_id = $1 AND u.day BETWEEN $2 AND $3 GROUP BY u.day";

/// Per day, how many members made calls on the tenant, and how many calls.
pub const SELECT_CALLS: &str = "SELECT day, count(DISTINCT user_id), \
     CAST(sum(api_calls) AS bigint) FROM activity_member_daily \
     WHERE tenant_id = $1 AND day BETWEEN $2 AND $3 GROUP BY day";

/// Rows per statement of a flush: few round trips, far below either driver's parameter limit.
pub const CHUNK: usize = 500;

/// An additive upsert of `rows` (tenant, day, user, calls) rows.
pub fn upsert_calls(rows: usize) -> String {
    format!(
        "INSERT INTO activity_member_daily (tenant_id, day, user_id, api_calls) VALUES {} \
         ON CONFLICT (tenant_id, day, user_id) \
         DO UPDATE SET api_calls = activity_member_daily.api_calls + excluded.api_calls",
        placeholders(rows, 4)
    )
}

/// An additive upsert of `rows` (user, day, logins) rows.
pub fn upsert_logins(rows: usize) -> String {
    format!(
        "INSERT INTO activity_user_daily (user_id, day, logins) VALUES {} \
         ON CONFLICT (user_id, day) \
         DO UPDATE SET logins = activity_user_daily.logins + excluded.logins",
        placeholders(rows, 3)
    )
}

/// `($1, $2), ($3, $4)` for two rows of two columns.
fn placeholders(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=columns)
                .map(|c| format!("${}", r * columns + c))
                .collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub const DELETE_OLD_CALLS: &str = "DELETE FROM activity_member_daily WHERE day < $1";
pub const DELETE_OLD_LOGINS: &str = "DELETE FROM activity_user_daily WHERE day < $1";

/// Every statement that finds rows (the additive upserts find theirs by primary key), by name,
/// as PostgreSQL runs it: the query audit explains each one over a seeded database and refuses
/// a sequential scan of a large table.
pub const AUDITED: &[(&str, &str)] = &[
    ("activity_sql::SELECT_MEMBER", SELECT_MEMBER),
    ("activity_sql::SELECT_LOGINS", SELECT_LOGINS),
    ("activity_sql::SELECT_CALLS", SELECT_CALLS),
    (
        "activity_sql::SELECT_SIGNUPS",
        <sqlx::Postgres as crate::ActivityDialect>::SELECT_SIGNUPS,
    ),
    ("activity_sql::DELETE_OLD_CALLS", DELETE_OLD_CALLS),
    ("activity_sql::DELETE_OLD_LOGINS", DELETE_OLD_LOGINS),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_every_column_of_every_row() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert!(upsert_logins(1).contains("VALUES ($1, $2, $3) ON CONFLICT"));
    }
}
