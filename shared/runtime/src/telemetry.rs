//! Logs through `tracing`: JSON in Lambda (per `AWS_LAMBDA_LOG_FORMAT`), readable text locally.

use tracing::Subscriber;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

/// Installs the global subscriber, writing to stdout. The filter comes from `RUST_LOG`,
/// `info` by default.
pub fn init(format: LogFormat) {
    // A second init (as in tests) keeps the first subscriber; that is not worth failing over.
    let _ = tracing::subscriber::set_global_default(subscriber(format, std::io::stdout));
}

/// The subscriber `init` installs, writing to `writer`.
pub fn subscriber<W>(format: LogFormat, writer: W) -> Box<dyn Subscriber + Send + Sync>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Json => Box::new(
            builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_ansi(false)
                .finish(),
        ),
        LogFormat::Text => Box::new(builder.with_target(false).finish()),
    }
}
