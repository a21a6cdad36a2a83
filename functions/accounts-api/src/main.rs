//! The identity module's Lambda function. `--openapi` prints the document of its routes.

use identity_passwords::Argon2Hasher;
use lambda_http::Error;
use runtime::{Config, Platform, lambda, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    if std::env::args().nth(1).as_deref() == Some("--openapi") {
        println!("{}", web::openapi::to_json(&accounts_api::openapi()));
        return Ok(());
    }
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let platform = Platform::from_config(&config).await?;
    let hasher = Argon2Hasher::new(
        config
            .hash_concurrency
            .unwrap_or_else(identity_passwords::default_concurrency),
    );
    lambda_http::run(lambda::handler(accounts_api::app(&platform, hasher))).await
}
