//! Business metrics as CloudWatch Embedded Metric Format lines on stdout. In Lambda, CloudWatch
//! turns each line into a metric point with no API call and no added latency.

use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// A countable business event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusinessMetric {
    Signups,
    Logins,
    /// A request was refused by a rate limit.
    RateLimited,
    /// The rate limiter's store was down; the request was let through or refused by config.
    RateLimiterUnavailable,
    /// The cache's store was down; the result came from the database.
    CacheBypassed,
}

impl BusinessMetric {
    pub const fn name(self) -> &'static str {
        match self {
            Self::Signups => "Signups",
            Self::Logins => "Logins",
            Self::RateLimited => "RateLimited",
            Self::RateLimiterUnavailable => "RateLimiterUnavailable",
            Self::CacheBypassed => "CacheBypassed",
        }
    }
}

/// Where business events are counted.
pub trait BusinessMetrics: Send + Sync + 'static {
    fn count(&self, metric: BusinessMetric);
}

/// Writes one EMF line per event, dimensioned by service.
pub struct EmfMetrics {
    namespace: String,
    service: String,
    sink: Mutex<Box<dyn Write + Send>>,
}

impl EmfMetrics {
    pub fn new(namespace: String, service: String, sink: Box<dyn Write + Send>) -> Self {
        Self {
            namespace,
            service,
            sink: Mutex::new(sink),
        }
    }

    pub fn stdout(namespace: String, service: String) -> Self {
        Self::new(namespace, service, Box::new(std::io::stdout()))
    }

    fn line(&self, metric: BusinessMetric, timestamp_ms: u128) -> String {
        let name = metric.name();
        let mut line = serde_json::json!({
            "_aws": {
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": self.namespace,
                    "Dimensions": [["Service"]],
                    "Metrics": [{ "Name": name, "Unit": "Count" }],
                }],
            },
            "Service": self.service,
        });
        line[name] = 1.into();
        line.to_string()
    }
}

impl BusinessMetrics for EmfMetrics {
    fn count(&self, metric: BusinessMetric) {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let line = self.line(metric, now);
        // A metric that cannot be written must never fail the request that produced it.
        if let Ok(mut sink) = self.sink.lock() {
            let _ = writeln!(sink, "{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emits_a_valid_emf_document() {
        let metrics = EmfMetrics::new(
            "Saas/test".into(),
            "accounts-api".into(),
            Box::new(std::io::sink()),
        );
        let line = metrics.line(BusinessMetric::Logins, 1_700_000_000_000);
        let doc: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        let directive = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(doc["_aws"]["Timestamp"], 1_700_000_000_000u64);
        assert_eq!(directive["Namespace"], "Saas/test");
        assert_eq!(directive["Metrics"][0]["Name"], "Logins");
        assert_eq!(directive["Dimensions"][0][0], "Service");
        assert_eq!(doc["Service"], "accounts-api");
        assert_eq!(doc["Logins"], 1);
    }
}
