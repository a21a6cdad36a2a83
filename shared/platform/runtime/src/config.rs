//! Configuration from the environment, read once at start. A bad value names its variable.

use std::fmt;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use database::postgres::PoolSettings;

use crate::stores::StoresConfig;
pub use crate::values::{ConfigError, Secret};

/// `DATABASE_URL` unset means the embedded SQLite default at this path.
pub const DEFAULT_SQLITE_PATH: &str = "data/dev.sqlite";

#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseConfig,
    pub session_ttl_seconds: i64,
    pub host: String,
    pub port: u16,
    pub log_format: LogFormat,
    pub metrics_namespace: String,
    /// The service dimension of business metrics: the Lambda function name, or `local`.
    pub service: String,
    /// How many password hashes may run at once; unset means the hasher's default.
    pub hash_concurrency: Option<usize>,
    pub jobs: JobsConfig,
    /// Sessions, cache, rate limits, idempotency keys and the HTTP protections.
    pub stores: StoresConfig,
}

/// Where async jobs are queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobsConfig {
    /// `JOBS_QUEUE_URL` unset: the durable queue table in the same database, which dead-letters
    /// a message after `JOBS_MAX_RECEIVES` deliveries.
    Embedded { max_receives: u32 },
    /// `JOBS_QUEUE_URL`: SQS, whose redrive policy names the dead-letter queue (or
    /// `JOBS_DLQ_URL`).
    Sqs {
        queue_url: String,
        dlq_url: Option<String>,
    },
}

/// The accepted range of each numeric setting. A value outside it stops the process at start,
/// naming the variable, instead of failing requests later.
pub mod bounds {
    use std::ops::RangeInclusive;

    /// One minute to one year.
    pub const SESSION_TTL_SECONDS: RangeInclusive<i64> = 60..=31_536_000;
    pub const PORT: RangeInclusive<u16> = 1..=65_535;
    /// Lambda keeps one or two; a server more, within what PostgreSQL's max_connections allows.
    pub const DATABASE_MAX_CONNECTIONS: RangeInclusive<u32> = 1..=100;
    /// 100 ms to a minute: past API Gateway's 29 s, a wait only holds a Lambda instance.
    pub const DATABASE_ACQUIRE_TIMEOUT_MS: RangeInclusive<u64> = 100..=60_000;
    /// A second to eight hours (RDS Proxy's longest idle client timeout); keep it under the
    /// proxy's own, so the pool closes an idle connection before the proxy drops it.
    pub const DATABASE_IDLE_TIMEOUT_SECONDS: RangeInclusive<u64> = 1..=28_800;
    /// A minute to a day.
    pub const DATABASE_MAX_LIFETIME_SECONDS: RangeInclusive<u64> = 60..=86_400;
    /// The reader pool's size, like the writer's.
    pub const DATABASE_READ_MAX_CONNECTIONS: RangeInclusive<u32> = 1..=100;
    /// A second to five minutes: longer than any healthy replica lag, short enough that a
    /// client's reads soon leave the writer again.
    pub const DATABASE_READ_YOUR_WRITES_SECONDS: RangeInclusive<u64> = 1..=300;
    /// Up to five minutes; 0 reads every route from the routing table.
    pub const DATABASE_SHARD_ROUTE_TTL_SECONDS: RangeInclusive<u64> = 0..=300;
    pub const PASSWORD_HASH_CONCURRENCY: RangeInclusive<usize> = 1..=64;
    /// SQS allows 1 to 1,000 receives before its redrive; the embedded queue the same.
    pub const JOBS_MAX_RECEIVES: RangeInclusive<u32> = 1..=1000;
}

/// Read once per process at start, so the size of its variants does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum DatabaseConfig {
    Postgres {
        url: Secret,
        /// Sized for the process: two connections in Lambda, ten in a server, by default.
        pool: PoolSettings,
        auth: DatabaseAuth,
        /// `DATABASE_READ_URL`: a replica (Aurora's reader endpoint) for plain reads. None: the
        /// writer serves them.
        reader: Option<ReaderConfig>,
        /// `DATABASE_SHARDS`: databases that hold tenant data beside this one (see
        /// [`database::shards`]). None: every tenant's data is here.
        shards: Option<ShardsConfig>,
    },
    Sqlite {
        path: PathBuf,
    },
}

/// The shards beside the home database. Their pools are sized and authenticated as its.
#[derive(Debug, Clone)]
pub struct ShardsConfig {
    /// `DATABASE_SHARDS`: `name=url` pairs, comma-separated. No shard is named `main`, the
    /// home database's name.
    pub urls: Vec<(String, Secret)>,
    /// `DATABASE_SHARDS_OPEN`: the shards new tenants are placed on, comma-separated (default:
    /// every shard and `main`).
    pub open: Vec<String>,
    /// `DATABASE_SHARD_ROUTE_TTL_SECONDS` (default 5): how long a process trusts a tenant's
    /// route. A move waits longer than this after freezing a tenant.
    pub route_ttl: Duration,
}

/// The reader pool. Its passwords come from the same source as the writer's.
#[derive(Debug, Clone)]
pub struct ReaderConfig {
    pub url: Secret,
    /// The writer's settings, with `DATABASE_READ_MAX_CONNECTIONS` connections (by default as
    /// many as the writer).
    pub pool: PoolSettings,
    /// `DATABASE_READ_YOUR_WRITES_SECONDS` (default 5): how long after a session's write its
    /// reads stay on the writer.
    pub read_your_writes: Duration,
}

/// Where PostgreSQL connections get their password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseAuth {
    /// In `DATABASE_URL` itself, or none (local trust auth).
    Url,
    /// `DATABASE_SECRET_ARN`: the JSON secret RDS keeps and rotates (`{"password": ...}`).
    Secret { secret_id: String },
    /// `DATABASE_IAM_AUTH=true`: an RDS IAM auth token for the URL's host, port and user, signed
    /// with the function's role (RDS Proxy with IAM auth required).
    IamToken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let in_lambda = get("AWS_LAMBDA_FUNCTION_NAME");
        let default_connections = if in_lambda.is_some() { 2 } else { 10 };
        let database = match get("DATABASE_URL") {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let pool = pool_settings(&get, default_connections)?;
                DatabaseConfig::Postgres {
                    url: Secret::new(url),
                    reader: reader_config(&get, pool)?,
                    shards: shards_config(&get)?,
                    pool,
                    auth: database_auth(&get)?,
                }
            }
            Some(url) => match url.strip_prefix("sqlite://") {
                Some(path) => DatabaseConfig::Sqlite { path: path.into() },
                None => {
                    return Err(ConfigError::Invalid {
                        name: "DATABASE_URL",
                        reason: "must start with postgres:// or sqlite://".into(),
                    });
                }
            },
            None => DatabaseConfig::Sqlite {
                path: get("SQLITE_PATH")
                    .unwrap_or_else(|| DEFAULT_SQLITE_PATH.into())
                    .into(),
            },
        };
        if matches!(database, DatabaseConfig::Sqlite { .. }) && get("DATABASE_SHARDS").is_some() {
            return Err(ConfigError::Invalid {
                name: "DATABASE_SHARDS",
                reason: "shards are PostgreSQL databases beside a PostgreSQL DATABASE_URL".into(),
            });
        }
        let json = get("AWS_LAMBDA_LOG_FORMAT")
            .or_else(|| get("LOG_FORMAT"))
            .is_some_and(|f| f.eq_ignore_ascii_case("json"));
        Ok(Self {
            database,
            session_ttl_seconds: parse(
                &get,
                "SESSION_TTL_SECONDS",
                7 * 24 * 3600,
                bounds::SESSION_TTL_SECONDS,
            )?,
            host: get("HOST").unwrap_or_else(|| "127.0.0.1".into()),
            port: parse(&get, "PORT", 3000, bounds::PORT)?,
            log_format: if json {
                LogFormat::Json
            } else {
                LogFormat::Text
            },
            metrics_namespace: get("METRICS_NAMESPACE").unwrap_or_else(|| "Saas".into()),
            service: in_lambda.unwrap_or_else(|| "local".into()),
            hash_concurrency: get("PASSWORD_HASH_CONCURRENCY")
                .map(|_| {
                    parse(
                        &get,
                        "PASSWORD_HASH_CONCURRENCY",
                        1,
                        bounds::PASSWORD_HASH_CONCURRENCY,
                    )
                })
                .transpose()?,
            jobs: match get("JOBS_QUEUE_URL") {
                Some(queue_url) => JobsConfig::Sqs {
                    queue_url: queue_url.trim().to_owned(),
                    dlq_url: get("JOBS_DLQ_URL").map(|url| url.trim().to_owned()),
                },
                None => JobsConfig::Embedded {
                    max_receives: parse(&get, "JOBS_MAX_RECEIVES", 5, bounds::JOBS_MAX_RECEIVES)?,
                },
            },
            stores: StoresConfig::from_lookup(&get)?,
        })
    }
}

fn pool_settings(
    get: &impl Fn(&str) -> Option<String>,
    default_connections: u32,
) -> Result<PoolSettings, ConfigError> {
    let defaults = PoolSettings::default();
    let seconds = |name, default: Duration, range| -> Result<Duration, ConfigError> {
        parse(get, name, default.as_secs(), range).map(Duration::from_secs)
    };
    Ok(PoolSettings {
        max_connections: parse(
            get,
            "DATABASE_MAX_CONNECTIONS",
            default_connections,
            bounds::DATABASE_MAX_CONNECTIONS,
        )?,
        acquire_timeout: Duration::from_millis(parse(
            get,
            "DATABASE_ACQUIRE_TIMEOUT_MS",
            u64::try_from(defaults.acquire_timeout.as_millis()).unwrap_or(u64::MAX),
            bounds::DATABASE_ACQUIRE_TIMEOUT_MS,
        )?),
        idle_timeout: seconds(
            "DATABASE_IDLE_TIMEOUT_SECONDS",
            defaults.idle_timeout,
            bounds::DATABASE_IDLE_TIMEOUT_SECONDS,
        )?,
        max_lifetime: seconds(
            "DATABASE_MAX_LIFETIME_SECONDS",
            defaults.max_lifetime,
            bounds::DATABASE_MAX_LIFETIME_SECONDS,
        )?,
    })
}

fn reader_config(
    get: &impl Fn(&str) -> Option<String>,
    writer: PoolSettings,
) -> Result<Option<ReaderConfig>, ConfigError> {
    let Some(url) = get("DATABASE_READ_URL") else {
        return Ok(None);
    };
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(ConfigError::Invalid {
            name: "DATABASE_READ_URL",
            reason: "must start with postgres://".into(),
        });
    }
    Ok(Some(ReaderConfig {
        url: Secret::new(url),
        pool: PoolSettings {
            max_connections: parse(
                get,
                "DATABASE_READ_MAX_CONNECTIONS",
                writer.max_connections,
                bounds::DATABASE_READ_MAX_CONNECTIONS,
            )?,
            ..writer
        },
        read_your_writes: Duration::from_secs(parse(
            get,
            "DATABASE_READ_YOUR_WRITES_SECONDS",
            5,
            bounds::DATABASE_READ_YOUR_WRITES_SECONDS,
        )?),
    }))
}

fn shards_config(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<ShardsConfig>, ConfigError> {
    let Some(list) = get("DATABASE_SHARDS") else {
        return Ok(None);
    };
    let invalid = |name, reason: String| ConfigError::Invalid { name, reason };
    let mut urls = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (name, url) = entry.split_once('=').ok_or_else(|| {
            invalid(
                "DATABASE_SHARDS",
                format!("{entry:?} is not name=postgres://..."),
            )
        })?;
        let valid_name = !name.is_empty()
            && name.len() <= 32
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_name || name == database::HOME || urls.iter().any(|(n, _)| n == name) {
            return Err(invalid(
                "DATABASE_SHARDS",
                format!(
                    "shard names are unique, up to 32 of a-z 0-9 _, and not {}",
                    database::HOME
                ),
            ));
        }
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(invalid(
                "DATABASE_SHARDS",
                format!("shard {name}: must start with postgres://"),
            ));
        }
        urls.push((name.to_owned(), Secret::new(url.to_owned())));
    }
    let open: Vec<String> = match get("DATABASE_SHARDS_OPEN") {
        Some(names) => names
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect(),
        None => std::iter::once(database::HOME.to_owned())
            .chain(urls.iter().map(|(n, _)| n.clone()))
            .collect(),
    };
    if open.is_empty() {
        return Err(invalid("DATABASE_SHARDS_OPEN", "names no shard".into()));
    }
    if let Some(unknown) = open
        .iter()
        .find(|n| *n != database::HOME && !urls.iter().any(|(u, _)| u == *n))
    {
        return Err(invalid(
            "DATABASE_SHARDS_OPEN",
            format!("{unknown} is not in DATABASE_SHARDS"),
        ));
    }
    Ok(Some(ShardsConfig {
        urls,
        open,
        route_ttl: Duration::from_secs(parse(
            get,
            "DATABASE_SHARD_ROUTE_TTL_SECONDS",
            5,
            bounds::DATABASE_SHARD_ROUTE_TTL_SECONDS,
        )?),
    }))
}

/// IAM tokens take precedence: with the proxy requiring them, the secret's password is refused.
fn database_auth(get: &impl Fn(&str) -> Option<String>) -> Result<DatabaseAuth, ConfigError> {
    let iam = match get("DATABASE_IAM_AUTH").map(|v| v.trim().to_ascii_lowercase()) {
        None => false,
        Some(v) if v == "true" || v == "1" => true,
        Some(v) if v == "false" || v == "0" => false,
        Some(_) => {
            return Err(ConfigError::Invalid {
                name: "DATABASE_IAM_AUTH",
                reason: "must be true or false".into(),
            });
        }
    };
    Ok(match get("DATABASE_SECRET_ARN") {
        _ if iam => DatabaseAuth::IamToken,
        Some(secret_id) => DatabaseAuth::Secret {
            secret_id: secret_id.trim().to_owned(),
        },
        None => DatabaseAuth::Url,
    })
}

fn parse<T: FromStr + PartialOrd + fmt::Display>(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
    range: RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T::Err: fmt::Display,
{
    let Some(raw) = get(name) else {
        return Ok(default);
    };
    let value: T = raw
        .trim()
        .parse()
        .map_err(|e: T::Err| ConfigError::Invalid {
            name,
            reason: e.to_string(),
        })?;
    if !range.contains(&value) {
        return Err(ConfigError::Invalid {
            name,
            reason: format!("must be between {} and {}", range.start(), range.end()),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_to_embedded_sqlite_and_text_logs() {
        let config = config(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(&config.database, DatabaseConfig::Sqlite { path } if path.ends_with("dev.sqlite"))
        );
        assert_eq!(config.port, 3000);
        assert_eq!(config.log_format, LogFormat::Text);
        assert_eq!(config.service, "local");
        assert_eq!(config.session_ttl_seconds, 604_800);
        assert_eq!(config.jobs, JobsConfig::Embedded { max_receives: 5 });
    }

    #[test]
    fn a_queue_url_means_sqs() {
        let url = "https://sqs.eu-west-1.amazonaws.com/123456789012/saas-prod-jobs";
        let config = config(&[("JOBS_QUEUE_URL", url)]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.jobs,
            JobsConfig::Sqs {
                queue_url: url.into(),
                dlq_url: None
            }
        );
    }

    #[test]
    fn lambda_gets_json_logs_and_a_small_pool() {
        let config = config(&[
            ("AWS_LAMBDA_FUNCTION_NAME", "accounts-api"),
            ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ("DATABASE_URL", "postgres://app:pw@db:5432/app"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.log_format, LogFormat::Json);
        assert_eq!(config.service, "accounts-api");
        let DatabaseConfig::Postgres {
            url, pool, auth, ..
        } = &config.database
        else {
            panic!("expected postgres");
        };
        assert_eq!(pool.max_connections, 2);
        assert_eq!(pool.acquire_timeout, Duration::from_secs(5));
        assert_eq!(pool.idle_timeout, Duration::from_secs(300));
        assert_eq!(pool.max_lifetime, Duration::from_secs(1800));
        assert_eq!(*auth, DatabaseAuth::Url);
        assert!(!format!("{url:?}").contains("pw"));
    }

    #[test]
    fn database_passwords_come_from_the_secret_or_an_iam_token() {
        let auth = |vars: &[(&str, &str)]| {
            let mut all = vec![("DATABASE_URL", "postgres://app@db:5432/app")];
            all.extend_from_slice(vars);
            match config(&all).unwrap_or_else(|e| panic!("{e}")).database {
                DatabaseConfig::Postgres { auth, .. } => auth,
                DatabaseConfig::Sqlite { .. } => panic!("expected postgres"),
            }
        };
        let arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1";
        assert_eq!(
            auth(&[("DATABASE_SECRET_ARN", arn), ("DATABASE_IAM_AUTH", "false")]),
            DatabaseAuth::Secret {
                secret_id: arn.into()
            }
        );
        assert_eq!(
            auth(&[("DATABASE_SECRET_ARN", arn), ("DATABASE_IAM_AUTH", "true")]),
            DatabaseAuth::IamToken
        );
        assert_eq!(
            auth(&[("DATABASE_IAM_AUTH", "TRUE")]),
            DatabaseAuth::IamToken
        );
        assert_eq!(auth(&[]), DatabaseAuth::Url);
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("PORT", "eighty"),
            ("SESSION_TTL_SECONDS", "0"),
            ("DATABASE_URL", "mysql://x"),
            ("PASSWORD_HASH_CONCURRENCY", "-1"),
            ("PASSWORD_HASH_CONCURRENCY", "0"),
            ("DATABASE_IAM_AUTH", "yes"),
            // Past a year, and far past what a timestamp can hold: refused at start.
            ("SESSION_TTL_SECONDS", "31536001"),
            ("SESSION_TTL_SECONDS", "9223372036854775807"),
            ("SESSION_TTL_SECONDS", "59"),
            ("PORT", "0"),
            ("DATABASE_MAX_CONNECTIONS", "101"),
            ("DATABASE_ACQUIRE_TIMEOUT_MS", "99"),
            ("DATABASE_ACQUIRE_TIMEOUT_MS", "60001"),
            ("DATABASE_IDLE_TIMEOUT_SECONDS", "0"),
            ("DATABASE_IDLE_TIMEOUT_SECONDS", "28801"),
            ("DATABASE_MAX_LIFETIME_SECONDS", "59"),
            ("DATABASE_MAX_LIFETIME_SECONDS", "1.5"),
            ("JOBS_MAX_RECEIVES", "0"),
        ] {
            // A later entry wins, so a bad DATABASE_URL replaces the good one.
            let err = config(&[("DATABASE_URL", "postgres://app@db/app"), (name, value)])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.starts_with(name), "{name}={value}: {err:?}");
        }
    }

    #[test]
    fn bounds_are_inclusive() {
        let config = config(&[
            ("SESSION_TTL_SECONDS", "31536000"),
            ("PASSWORD_HASH_CONCURRENCY", "64"),
            ("PORT", "65535"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.session_ttl_seconds, 31_536_000);
        assert_eq!(config.hash_concurrency, Some(64));
        assert_eq!(config.port, 65_535);
        let out = config_err(&[("SESSION_TTL_SECONDS", "31536001")]);
        assert_eq!(
            out,
            "SESSION_TTL_SECONDS is invalid: must be between 60 and 31536000"
        );
    }

    #[test]
    fn pool_limits_come_from_the_environment() {
        let config = config(&[
            ("DATABASE_URL", "postgres://app@db/app"),
            ("DATABASE_MAX_CONNECTIONS", "1"),
            ("DATABASE_ACQUIRE_TIMEOUT_MS", "100"),
            ("DATABASE_IDLE_TIMEOUT_SECONDS", "28800"),
            ("DATABASE_MAX_LIFETIME_SECONDS", "60"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let DatabaseConfig::Postgres { pool, .. } = config.database else {
            panic!("expected postgres");
        };
        assert_eq!(
            pool,
            PoolSettings {
                max_connections: 1,
                acquire_timeout: Duration::from_millis(100),
                idle_timeout: Duration::from_secs(28_800),
                max_lifetime: Duration::from_secs(60),
            }
        );
    }

    fn config_err(vars: &[(&str, &str)]) -> String {
        config(vars)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn shards_are_named_urls_with_an_open_list_and_a_route_ttl() {
        let url = ("DATABASE_URL", "postgres://app@home/app");
        let shards = (
            "DATABASE_SHARDS",
            "s1=postgres://app@one/app, s2=postgres://app@two/app",
        );
        let of = |c: Config| match c.database {
            DatabaseConfig::Postgres { shards, .. } => shards,
            other => panic!("expected postgres: {other:?}"),
        };
        assert!(of(config(&[url]).unwrap()).is_none());
        let layout = of(config(&[url, shards]).unwrap()).unwrap();
        let names: Vec<&str> = layout.urls.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["s1", "s2"]);
        assert_eq!(layout.urls[1].1.expose(), "postgres://app@two/app");
        assert_eq!(layout.open, ["main", "s1", "s2"]);
        assert_eq!(layout.route_ttl, Duration::from_secs(5));
        let closed = config(&[url, shards, ("DATABASE_SHARDS_OPEN", "s2")]).unwrap();
        assert_eq!(of(closed).unwrap().open, ["s2"]);
        for bad in [
            vec![url, ("DATABASE_SHARDS", "main=postgres://app@one/app")],
            vec![
                url,
                ("DATABASE_SHARDS", "s1=postgres://a@b/c,s1=postgres://a@d/c"),
            ],
            vec![url, ("DATABASE_SHARDS", "S 1=postgres://a@b/c")],
            vec![url, ("DATABASE_SHARDS", "s1=mysql://a@b/c")],
            vec![url, shards, ("DATABASE_SHARDS_OPEN", "s3")],
            vec![url, shards, ("DATABASE_SHARD_ROUTE_TTL_SECONDS", "301")],
            vec![("DATABASE_URL", "sqlite://x.db"), shards],
        ] {
            assert!(config(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_read_url_gives_a_reader_pool_and_a_read_your_writes_window() {
        let url = ("DATABASE_URL", "postgres://app@writer/app");
        let none = config(&[url]).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            none.database,
            DatabaseConfig::Postgres { reader: None, .. }
        ));
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut all = vec![url, ("DATABASE_MAX_CONNECTIONS", "3")];
            all.extend_from_slice(extra);
            config(&all)
        };
        let reader = |c: Config| match c.database {
            DatabaseConfig::Postgres {
                reader: Some(reader),
                ..
            } => reader,
            other => panic!("no reader: {other:?}"),
        };
        let defaults = reader(with(&[("DATABASE_READ_URL", "postgres://app@reader/app")]).unwrap());
        assert_eq!(defaults.url.expose(), "postgres://app@reader/app");
        assert_eq!(defaults.pool.max_connections, 3);
        assert_eq!(defaults.read_your_writes, Duration::from_secs(5));
        let set = reader(
            with(&[
                ("DATABASE_READ_URL", "postgres://app@reader/app"),
                ("DATABASE_READ_MAX_CONNECTIONS", "7"),
                ("DATABASE_READ_YOUR_WRITES_SECONDS", "30"),
            ])
            .unwrap(),
        );
        assert_eq!(set.pool.max_connections, 7);
        assert_eq!(set.read_your_writes, Duration::from_secs(30));
        for (name, value) in [
            ("DATABASE_READ_URL", "mysql://reader"),
            ("DATABASE_READ_MAX_CONNECTIONS", "0"),
            ("DATABASE_READ_MAX_CONNECTIONS", "101"),
            ("DATABASE_READ_YOUR_WRITES_SECONDS", "0"),
            ("DATABASE_READ_YOUR_WRITES_SECONDS", "301"),
        ] {
            let mut extra = vec![("DATABASE_READ_URL", "postgres://app@reader/app")];
            extra.push((name, value));
            let err = with(&extra).expect_err(value).to_string();
            assert!(err.contains(name), "{err}");
        }
    }
}
