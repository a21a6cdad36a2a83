//! What every AWS SDK adapter shares: one configuration, loaded on first use (the credentials
//! chain, the region, endpoint overrides such as `AWS_ENDPOINT_URL_SQS` for moto server), and
//! the HTTPS client. A function builds its SDK clients lazily on this, so a request that never
//! calls AWS never pays for it.

use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use tokio::sync::OnceCell;

/// The process's AWS SDK configuration, loaded on first use and shared by every client: the
/// default credentials and region chains, over rustls on ring (the TLS stack the rest of the
/// platform uses).
pub async fn sdk_config() -> &'static SdkConfig {
    static CONFIG: OnceCell<SdkConfig> = OnceCell::const_new();
    CONFIG
        .get_or_init(|| async {
            aws_config::defaults(BehaviorVersion::latest())
                .http_client(http_client())
                .load()
                .await
        })
        .await
}

/// The SDK's HTTPS client on rustls with ring, trusting the system's roots.
pub fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}
