//! The tenancy module's Lambda function. `--openapi` prints the document of its routes.

use lambda_http::Error;
use runtime::{Config, Platform, lambda, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    if std::env::args().nth(1).as_deref() == Some("--openapi") {
        println!("{}", web::openapi::to_json(&tenants_api::openapi()));
        return Ok(());
    }
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let platform = Platform::from_config(&config).await?;
    lambda_http::run(lambda::handler(tenants_api::app(&platform))).await
}
