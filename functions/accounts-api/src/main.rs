//! Signup, sessions and the caller's profile (`/v1/signup`, `/v1/sessions`, `/v1/me`), health and `/openapi.json`.

use http_api::RouteGroup;
use lambda_http::Error;
use runtime::{Config, Migrations, lambda, telemetry};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = Config::from_env()?;
    telemetry::init(config.log_format);
    let state = runtime::state(&config, Migrations::Skip).await?;
    lambda_http::run(lambda::handler(http_api::group(
        RouteGroup::Accounts,
        state,
    )))
    .await
}
