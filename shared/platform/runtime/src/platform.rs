//! The clients every function shares, built once at start.

use std::sync::Arc;

use database::Backend;
use kernel::{Clock, SystemClock};
use sessions::Sessions;
use web::{BusinessMetrics, EmfMetrics};

use crate::{Config, Jobs, JobsConfig};

/// The database, sessions, jobs, clock and business metrics a function's modules are built on.
#[derive(Clone)]
pub struct Platform {
    pub backend: Backend,
    pub sessions: Sessions,
    pub jobs: Jobs,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<dyn BusinessMetrics>,
}

impl Platform {
    pub async fn from_config(config: &Config) -> anyhow::Result<Self> {
        let backend = crate::database::open(&config.database).await?;
        let metrics = EmfMetrics::stdout(config.metrics_namespace.clone(), config.service.clone());
        let ttl = time::Duration::seconds(config.session_ttl_seconds);
        let jobs = Jobs::new(&config.jobs, &backend);
        Ok(Self {
            jobs,
            ..Self::new(backend, Arc::new(metrics), ttl)
        })
    }

    /// Sessions and the embedded job queue live in the same database, with the system clock.
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
        Self {
            backend,
            sessions,
            jobs,
            clock,
            metrics,
        }
    }
}
