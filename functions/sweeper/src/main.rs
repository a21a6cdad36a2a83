//! The sweeper's Lambda function, on an EventBridge schedule.

use lambda_http::{Error, LambdaEvent, service_fn};
use runtime::{Config, Platform, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let platform = Platform::from_config(&config).await?;
    let platform = &platform;
    lambda_http::lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            Ok::<_, Error>(sweeper::run(platform).await?)
        },
    ))
    .await
}
