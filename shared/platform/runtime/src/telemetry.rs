//! Logs through `tracing`: JSON in Lambda (per `AWS_LAMBDA_LOG_FORMAT`), readable text locally.

use tracing::Subscriber;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;

use crate::config::LogFormat;

/// Installs the global subscriber, writing to stdout. The filter comes from `RUST_LOG`
/// (`level` or `target=level` directives, comma-separated), `info` by default.
pub fn init(format: LogFormat) {
    // A second init (as in tests) keeps the first subscriber; that is not worth failing over.
    let _ = tracing::subscriber::set_global_default(subscriber(format, std::io::stdout));
}

/// The subscriber `init` installs, writing to `writer`.
pub fn subscriber<W>(format: LogFormat, writer: W) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = log_filter(std::env::var("RUST_LOG").ok().as_deref());
    let builder = tracing_subscriber::fmt().with_writer(writer);
    match format {
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_ansi(false)
                .finish()
                .with(filter),
        ),
        LogFormat::Text => Box::new(builder.with_target(false).finish().with(filter)),
    }
}

/// `Targets` rather than `EnvFilter`: the same directives minus span filters, without pulling
/// a regex engine into every function binary.
fn log_filter(directives: Option<&str>) -> Targets {
    directives
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    use super::*;

    #[test]
    fn reads_rust_log_directives_and_defaults_to_info() {
        let default = log_filter(None);
        assert!(default.would_enable("anything", &Level::INFO));
        assert!(!default.would_enable("anything", &Level::DEBUG));
        let custom = log_filter(Some("warn,sqlx=error"));
        assert!(!custom.would_enable("http_api", &Level::INFO));
        assert!(custom.would_enable("http_api", &Level::WARN));
        assert!(!custom.would_enable("sqlx::query", &Level::WARN));
        assert!(log_filter(Some("=not valid=")).would_enable("x", &Level::INFO));
    }
}
