//! The webhooks module's Lambda function. `--openapi` prints the document of its routes.

use lambda_http::Error;
use runtime::{Config, Platform, lambda, telemetry};
use webhooks_http::HttpSenderConfig;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    if std::env::args().nth(1).as_deref() == Some("--openapi") {
        println!("{}", web::openapi::to_json(&webhooks_api::openapi()));
        return Ok(());
    }
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let platform = Platform::from_config(&config).await?;
    let webhooks = webhooks_api::webhooks(&platform, HttpSenderConfig::from_env()?)?;
    let inbound = webhooks_api::inbound_secret_from_env()?;
    lambda_http::run(lambda::handler(webhooks_api::app(
        &platform, webhooks, inbound,
    )))
    .await
}
