use database::Dialect;
use sqlx::{Postgres, Sqlite};

/// The one statement the drivers write differently: the UTC day of a member's `joined_at`.
pub trait ActivityDialect: Dialect {
    /// Per day from `$2` to `$3`, how many current members of tenant `$1` joined.
    const SELECT_SIGNUPS: &'static str;
}

impl ActivityDialect for Postgres {
    const SELECT_SIGNUPS: &'static str = "SELECT (joined_at AT TIME ZONE 'UTC')::date AS day, \
         count(*) FROM tenant_members WHERE tenant_id = $1 \
         AND (joined_at AT TIME ZONE 'UTC')::date BETWEEN $2 AND $3 GROUP BY 1";
}

impl ActivityDialect for Sqlite {
    /// `date()` reads the stored RFC 3339 text and its offset, and answers the UTC day.
    const SELECT_SIGNUPS: &'static str = "SELECT date(joined_at) AS day, count(*) \
         FROM tenant_members WHERE tenant_id = $1 AND date(joined_at) BETWEEN $2 AND $3 \
         GROUP BY 1";
}
