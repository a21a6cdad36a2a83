//! The jobs worker's Lambda function: the SQS event source delivers batches of the jobs queue.

use jobs_worker::MailConfig;
use lambda_http::Error;
use runtime::{Config, Platform, telemetry};
use webhooks_http::HttpSenderConfig;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let platform = Platform::from_config(&config).await?;
    let notifications = jobs_worker::notifications(&MailConfig::from_env()?)?;
    let webhooks = jobs_worker::webhooks(&platform, HttpSenderConfig::from_env()?)?;
    let dispatcher = jobs_worker::dispatcher(&platform, notifications, webhooks);
    runtime::jobs::serve_sqs(dispatcher, platform.jobs.clone()).await
}
