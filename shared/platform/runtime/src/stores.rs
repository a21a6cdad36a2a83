//! Where sessions, cached results, rate-limit counters and idempotency records live, each chosen
//! by its own setting, and the HTTP protections read with them.
//!
//! | Setting | Values | Unset |
//! |---|---|---|
//! | `SESSIONS_BACKEND` | `database`, `redis`, `dynamodb`, `memory` | `database` |
//! | `CACHE_BACKEND`, `RATE_LIMIT_BACKEND`, `IDEMPOTENCY_BACKEND` | `memory`, `redis`, `dynamodb` (and `off` for the cache) | `redis` with `REDIS_URL`, else `dynamodb` with the store's table, else `memory` |
//!
//! Tables come from `SESSIONS_TABLE`, `CACHE_TABLE`, `RATE_LIMITS_TABLE` and `IDEMPOTENCY_TABLE`
//! (Terraform sets them), Redis from `REDIS_URL`.

use anyhow::Context;
use database::Backend;
use kv::{DynKeyValue, MemoryKv};
use kv_dynamodb::{DynamoKv, DynamoSessions};
use kv_redis::{Redis, RedisKv, RedisSessions};
use sessions::{DynSessionStore, MemorySessions};

use crate::values::{ConfigError, Secret};

/// Where one kind of key-value state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// Nowhere: for the cache only (`CACHE_BACKEND=off`), every read computes. The baseline
    /// of `scripts/bench cache`.
    Off,
    /// In this process only: the embedded default.
    Memory,
    Redis,
    Dynamodb {
        table: String,
    },
}

/// Where sessions live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionsBackend {
    /// The `sessions` table of the application database.
    Database,
    Store(Store),
}

#[derive(Debug, Clone)]
pub struct StoresConfig {
    pub sessions: SessionsBackend,
    pub cache: Store,
    pub rate_limits: Store,
    pub idempotency: Store,
    pub redis_url: Option<Secret>,
    /// `RATE_LIMITS=off` turns every limit off (load tests, fuzzing); on by default.
    pub rate_limits_enabled: bool,
    /// `RATE_LIMIT_FAILURE`: `open` (default) or `closed`.
    pub rate_limit_fail_closed: bool,
    /// `CORS_ALLOWED_ORIGINS`, comma-separated.
    pub cors_origins: Vec<String>,
    /// `ORIGIN_VERIFY_SECRET`: the value the CDN sends in `X-Origin-Verify`.
    pub origin_secret: Option<Secret>,
}

impl StoresConfig {
    pub(crate) fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let redis_url = get("REDIS_URL").map(|url| Secret::new(url.trim().to_owned()));
        let store = |name: &'static str, table_var: &'static str| {
            let table = get(table_var).map(|t| t.trim().to_owned());
            let default = if redis_url.is_some() {
                "redis".to_owned()
            } else if table.is_some() {
                "dynamodb".to_owned()
            } else {
                "memory".to_owned()
            };
            let choice = get(name).unwrap_or(default);
            parse_store(name, table_var, &choice, table, redis_url.is_some())
        };
        let sessions = match get("SESSIONS_BACKEND").as_deref().map(str::trim) {
            None | Some("database") => SessionsBackend::Database,
            Some(other) => SessionsBackend::Store(parse_store(
                "SESSIONS_BACKEND",
                "SESSIONS_TABLE",
                other,
                get("SESSIONS_TABLE").map(|t| t.trim().to_owned()),
                redis_url.is_some(),
            )?),
        };
        Ok(Self {
            sessions,
            cache: match get("CACHE_BACKEND").as_deref().map(str::trim) {
                Some("off") => Store::Off,
                _ => store("CACHE_BACKEND", "CACHE_TABLE")?,
            },
            rate_limits: store("RATE_LIMIT_BACKEND", "RATE_LIMITS_TABLE")?,
            idempotency: store("IDEMPOTENCY_BACKEND", "IDEMPOTENCY_TABLE")?,
            redis_url,
            rate_limits_enabled: switch(get, "RATE_LIMITS", "on", "off", true)?,
            rate_limit_fail_closed: !switch(get, "RATE_LIMIT_FAILURE", "open", "closed", true)?,
            cors_origins: get("CORS_ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            origin_secret: get("ORIGIN_VERIFY_SECRET").map(|s| Secret::new(s.trim().to_owned())),
        })
    }
}

/// The configured stores' clients, built without I/O: each connects on first use. One
/// in-process store serves every kind of state configured `memory`, and one Redis connection
/// every kind configured `redis`.
pub(crate) struct Stores {
    memory: MemoryKv,
    redis: Option<Redis>,
    sessions: SessionsBackend,
}

impl Stores {
    pub(crate) fn open(config: &StoresConfig) -> anyhow::Result<Self> {
        let redis = config
            .redis_url
            .as_ref()
            .map(|url| Redis::open(url.expose()))
            .transpose()
            .context("REDIS_URL")?;
        Ok(Self {
            memory: MemoryKv::default(),
            redis,
            sessions: config.sessions.clone(),
        })
    }

    pub(crate) fn kv(&self, store: &Store) -> Box<DynKeyValue<'static>> {
        match (store, &self.redis) {
            (Store::Redis, Some(redis)) => DynKeyValue::new_box(RedisKv::new(redis)),
            (Store::Dynamodb { table }, _) => DynKeyValue::new_box(DynamoKv::new(table.clone())),
            // Configuration refuses `redis` without REDIS_URL.
            (Store::Off | Store::Memory | Store::Redis, _) => {
                DynKeyValue::new_box(self.memory.clone())
            }
        }
    }

    pub(crate) fn sessions(&self, backend: &Backend) -> Box<DynSessionStore<'static>> {
        match (&self.sessions, &self.redis) {
            (SessionsBackend::Database, _) => database::session_store(backend),
            (SessionsBackend::Store(Store::Redis), Some(redis)) => {
                DynSessionStore::new_box(RedisSessions::new(redis))
            }
            (SessionsBackend::Store(Store::Dynamodb { table }), _) => {
                DynSessionStore::new_box(DynamoSessions::new(table.clone()))
            }
            (SessionsBackend::Store(Store::Off | Store::Memory | Store::Redis), _) => {
                DynSessionStore::new_box(MemorySessions::default())
            }
        }
    }
}

fn parse_store(
    name: &'static str,
    table_var: &'static str,
    choice: &str,
    table: Option<String>,
    has_redis: bool,
) -> Result<Store, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid { name, reason };
    match choice.trim() {
        "memory" => Ok(Store::Memory),
        "redis" if has_redis => Ok(Store::Redis),
        "redis" => Err(invalid("redis needs REDIS_URL".into())),
        "dynamodb" => match table {
            Some(table) => Ok(Store::Dynamodb { table }),
            None => Err(invalid(format!("dynamodb needs {table_var}"))),
        },
        other => Err(invalid(format!(
            "{other:?} is not one of memory, redis, dynamodb{}",
            if name == "SESSIONS_BACKEND" {
                ", database"
            } else {
                ""
            }
        ))),
    }
}

/// A two-valued setting: `yes` or `no`, `default` when unset.
fn switch(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    yes: &str,
    no: &str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if v == yes => Ok(true),
        Some(v) if v == no => Ok(false),
        Some(v) => Err(ConfigError::Invalid {
            name,
            reason: format!("{v:?} is not {yes} or {no}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn stores(vars: &[(&str, &str)]) -> Result<StoresConfig, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        StoresConfig::from_lookup(&|name: &str| vars.get(name).cloned())
    }

    #[test]
    fn embedded_defaults_need_no_cloud() {
        let s = stores(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.sessions, SessionsBackend::Database);
        assert_eq!(
            [&s.cache, &s.rate_limits, &s.idempotency],
            [&Store::Memory; 3]
        );
        assert!(s.rate_limits_enabled && !s.rate_limit_fail_closed);
        assert!(s.cors_origins.is_empty() && s.origin_secret.is_none());
    }

    #[test]
    fn tables_then_redis_pick_the_default_store() {
        let tables = [
            ("CACHE_TABLE", "saas-prod-cache"),
            ("RATE_LIMITS_TABLE", "saas-prod-rate-limits"),
            ("SESSIONS_TABLE", "saas-prod-sessions"),
            ("SESSIONS_BACKEND", "dynamodb"),
        ];
        let s = stores(&tables).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s.cache,
            Store::Dynamodb {
                table: "saas-prod-cache".into()
            }
        );
        assert_eq!(s.idempotency, Store::Memory);
        assert_eq!(
            s.sessions,
            SessionsBackend::Store(Store::Dynamodb {
                table: "saas-prod-sessions".into()
            })
        );
        let mut with_redis = tables.to_vec();
        with_redis.push(("REDIS_URL", "rediss://cache.example:6379"));
        with_redis.push(("RATE_LIMIT_BACKEND", "dynamodb"));
        let s = stores(&with_redis).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.cache, Store::Redis);
        assert!(matches!(s.rate_limits, Store::Dynamodb { .. }));
    }

    #[test]
    fn bad_choices_name_their_variable() {
        for (vars, name) in [
            (vec![("CACHE_BACKEND", "redis")], "CACHE_BACKEND"),
            (vec![("SESSIONS_BACKEND", "dynamodb")], "SESSIONS_BACKEND"),
            (vec![("IDEMPOTENCY_BACKEND", "disk")], "IDEMPOTENCY_BACKEND"),
            (vec![("RATE_LIMIT_FAILURE", "maybe")], "RATE_LIMIT_FAILURE"),
            (vec![("RATE_LIMITS", "yes")], "RATE_LIMITS"),
        ] {
            let err = stores(&vars)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.starts_with(name), "{vars:?}: {err}");
        }
    }

    #[test]
    fn origins_are_listed_and_secrets_hidden() {
        let s = stores(&[
            (
                "CORS_ALLOWED_ORIGINS",
                "https://app.example.com/, https://admin.example.com",
            ),
            ("ORIGIN_VERIFY_SECRET", "s3cr3t"),
            ("RATE_LIMIT_FAILURE", "closed"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s.cors_origins,
            ["https://app.example.com", "https://admin.example.com"]
        );
        assert!(s.rate_limit_fail_closed);
        assert!(!format!("{s:?}").contains("s3cr3t"));
    }
}
