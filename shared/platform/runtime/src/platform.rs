//! The clients every function shares, built once at start.

use std::sync::Arc;
use std::time::Duration;

use database::Backend;
use kernel::{Clock, SystemClock};
use kv::{Cache, Idempotency, MemoryKv, RateLimiter};
use sessions::Sessions;
use web::{
    BusinessMetrics, EmfMetrics, Handling, HttpOptions, LimiterFailure, Limits, ReadYourWrites,
};

use crate::{Config, DatabaseConfig, Jobs, JobsConfig};

/// How long an idempotency key's response is replayed.
const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 3600);

/// The database, sessions, jobs, cache, clock, business metrics and HTTP protections a
/// function's modules are built on.
#[derive(Clone)]
pub struct Platform {
    pub backend: Backend,
    pub sessions: Sessions,
    pub jobs: Jobs,
    pub cache: Cache,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<dyn BusinessMetrics>,
    pub http: HttpOptions,
}

impl Platform {
    /// Every client as configured. None connects here: each connects on first use, so a cold
    /// start makes no network round trip.
    pub async fn from_config(config: &Config) -> anyhow::Result<Self> {
        let backend = crate::database::open(&config.database).await?;
        let metrics: Arc<dyn BusinessMetrics> = Arc::new(EmfMetrics::stdout(
            config.metrics_namespace.clone(),
            config.service.clone(),
        ));
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let stores = crate::stores::Stores::open(&config.stores)?;
        let ttl = time::Duration::seconds(config.session_ttl_seconds);
        let sessions = Sessions::new(stores.sessions(&backend), clock.clone(), ttl);
        let s = &config.stores;
        let limits = s.rate_limits_enabled.then(|| Limits {
            limiter: RateLimiter::new(stores.kv(&s.rate_limits), clock.clone()),
            on_failure: if s.rate_limit_fail_closed {
                LimiterFailure::Closed
            } else {
                LimiterFailure::Open
            },
        });
        let http = HttpOptions {
            cors_origins: s.cors_origins.clone(),
            origin_secret: s.origin_secret.as_ref().map(|v| v.expose().to_owned()),
            limits,
            idempotency: Some(Idempotency::new(stores.kv(&s.idempotency), IDEMPOTENCY_TTL)),
            // Each function that serves tenant routes sets its own: they come from its modules.
            tenant_quotas: None,
            activity: None,
            metrics: Some(metrics.clone()),
            // Marks go where idempotency keys do: a store all instances share in AWS.
            read_your_writes: read_your_writes(&config.database).map(|window| {
                ReadYourWrites::new(stores.kv(&s.idempotency), window, pin_reads_to_writer)
            }),
        };
        Ok(Self {
            jobs: Jobs::new(&config.jobs, &backend),
            cache: match s.cache {
                crate::Store::Off => Cache::off(clock.clone()),
                _ => Cache::new(stores.kv(&s.cache), clock.clone()),
            },
            backend,
            sessions,
            clock,
            metrics,
            http,
        })
    }

    /// Sessions and the embedded job queue in the same database, state in process memory,
    /// idempotency keys honoured, no rate limits, with the system clock.
    pub fn new(
        backend: Backend,
        metrics: Arc<dyn BusinessMetrics>,
        session_ttl: time::Duration,
    ) -> Self {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let sessions = Sessions::new(
            database::session_store(&backend),
            clock.clone(),
            session_ttl,
        );
        let jobs = Jobs::new(&JobsConfig::Embedded { max_receives: 5 }, &backend);
        let http = HttpOptions {
            idempotency: Some(Idempotency::new(MemoryKv::default(), IDEMPOTENCY_TTL)),
            metrics: Some(metrics.clone()),
            ..HttpOptions::default()
        };
        Self {
            backend,
            sessions,
            jobs,
            cache: Cache::new(MemoryKv::default(), clock.clone()),
            clock,
            metrics,
            http,
        }
    }
}

/// How long a session's reads stay on the writer after it writes; None without a reader.
fn read_your_writes(database: &DatabaseConfig) -> Option<Duration> {
    match database {
        DatabaseConfig::Postgres {
            reader: Some(reader),
            ..
        } => Some(reader.read_your_writes),
        _ => None,
    }
}

/// [`web::OnWriter`] over the database's task-scoped pin: the request's plain reads are served
/// by the writer.
pub fn pin_reads_to_writer(handling: Handling) -> Handling {
    Box::pin(database::reads::on_writer(handling))
}
