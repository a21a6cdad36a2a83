//! The two places a deployed function's database password comes from, as
//! [`PasswordSource`]s: an RDS IAM auth token, or the secret RDS keeps in Secrets Manager.

use std::time::{Duration, SystemTime};

use std::sync::Arc;

use aws_client::AwsEnv;
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::DisplayErrorContext;
use database::{ExpiringPassword, PasswordSource, SourceError};
use sqlx::postgres::PgConnectOptions;
use tokio::sync::OnceCell;

/// Tokens are accepted for 15 minutes; renewing after 10 leaves a margin for clock skew and for
/// the connection attempts that are already under way.
const TOKEN_RENEWAL: Duration = Duration::from_secs(600);

/// RDS rotates the secret on its own schedule. Reading it again every 5 minutes bounds how long
/// new connections can fail after a rotation, at a cost of one call per instance per 5 minutes.
const SECRET_RENEWAL: Duration = Duration::from_secs(300);

/// `rds-db:connect` tokens for the user, host and port in `DATABASE_URL`, signed with the
/// function role's credentials. Made locally: no network call.
#[derive(Debug)]
pub struct IamAuthToken {
    aws: AwsEnv,
    host: String,
    port: u16,
    user: String,
}

impl IamAuthToken {
    pub fn new(aws: AwsEnv, url: &str) -> Result<Self, sqlx::Error> {
        let options: PgConnectOptions = url.parse()?;
        Ok(Self {
            aws,
            host: options.get_host().to_owned(),
            port: options.get_port(),
            user: options.get_username().to_owned(),
        })
    }
}

impl PasswordSource for IamAuthToken {
    async fn password(&self) -> Result<ExpiringPassword, SourceError> {
        let now = SystemTime::now();
        let token = aws_client::auth_token(
            &self.aws.credentials,
            &self.aws.region,
            &self.host,
            self.port,
            &self.user,
            now,
        )?;
        Ok(ExpiringPassword {
            password: token,
            renew_at: now + TOKEN_RENEWAL,
        })
    }
}

/// The `password` field of a JSON secret such as the one RDS manages for the master user,
/// read with `aws-sdk-secretsmanager` on the process's shared SDK configuration. The client is
/// built at the first read: the pool connects lazily, so that is the first query, never the
/// cold start.
#[derive(Debug, Clone)]
pub struct ManagedSecret {
    client: Arc<OnceCell<Client>>,
    secret_id: String,
}

impl ManagedSecret {
    pub fn new(secret_id: impl Into<String>) -> Self {
        Self {
            client: Arc::default(),
            secret_id: secret_id.into(),
        }
    }

    /// The same secret through `client`, for an endpoint or credentials of the caller's choosing.
    #[cfg(test)]
    pub fn with_client(mut self, client: Client) -> Self {
        self.client = Arc::new(OnceCell::from(client));
        self
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async { Client::new(aws_sdk_setup::sdk_config().await) })
            .await
    }
}

#[derive(serde::Deserialize)]
struct SecretFields {
    password: String,
}

impl PasswordSource for ManagedSecret {
    async fn password(&self) -> Result<ExpiringPassword, SourceError> {
        let answer = self
            .client()
            .await
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "reading secret {}: {}",
                    self.secret_id,
                    DisplayErrorContext(e)
                )
            })?;
        let raw = answer
            .secret_string()
            .ok_or_else(|| format!("secret {} has no string value", self.secret_id))?;
        let fields: SecretFields = serde_json::from_str(raw)
            .map_err(|_| format!("secret {} is not JSON with a password", self.secret_id))?;
        Ok(ExpiringPassword {
            password: fields.password,
            renew_at: SystemTime::now() + SECRET_RENEWAL,
        })
    }
}

#[cfg(test)]
mod tests {
    use aws_client::Credentials;
    use aws_sdk_secretsmanager::config::{BehaviorVersion, Region};

    use super::*;

    #[tokio::test]
    async fn iam_tokens_are_for_the_url_host_port_and_user() {
        let aws = AwsEnv {
            credentials: Credentials::new("AKID", "secret", Some("token".into()), None, "test"),
            region: "eu-west-1".into(),
        };
        let url = "postgres://app_user@proxy.example.eu-west-1.rds.amazonaws.com:6432/app";
        let source = IamAuthToken::new(aws, url).unwrap();
        let before = SystemTime::now();
        let token = source.password().await.unwrap();
        let prefix =
            "proxy.example.eu-west-1.rds.amazonaws.com:6432/?Action=connect&DBUser=app_user&";
        assert!(token.password.starts_with(prefix), "{}", token.password);
        assert!(
            token
                .password
                .contains("%2Feu-west-1%2Frds-db%2Faws4_request")
        );
        let renew_in = token.renew_at.duration_since(before).unwrap();
        assert!(renew_in >= TOKEN_RENEWAL && renew_in < aws_client::AUTH_TOKEN_LIFETIME);
    }

    fn moto() -> Client {
        let config = aws_sdk_secretsmanager::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(aws_sdk_setup::http_client())
            .endpoint_url(testkit::moto_endpoint())
            .region(Region::new(testkit::REGION))
            .credentials_provider(Credentials::new(
                testkit::ACCESS_KEY_ID,
                testkit::SECRET_ACCESS_KEY,
                None,
                None,
                "test",
            ))
            .build();
        Client::from_conf(config)
    }

    async fn secret(value: &str) -> ManagedSecret {
        let client = moto();
        let name = format!("db-{}", uuid::Uuid::now_v7().simple());
        client
            .create_secret()
            .name(&name)
            .secret_string(value)
            .send()
            .await
            .unwrap();
        ManagedSecret::new(name).with_client(client)
    }

    #[tokio::test]
    async fn the_managed_secret_gives_its_password() {
        let source = secret(r#"{"username":"postgres","password":"s3cr3t"}"#).await;
        let answer = source.password().await.unwrap();
        assert_eq!(answer.password, "s3cr3t");
        assert!(answer.renew_at > SystemTime::now());
    }

    #[tokio::test]
    async fn a_missing_secret_is_an_error_naming_it() {
        let source = ManagedSecret::new("no-such-secret").with_client(moto());
        let err = source.password().await.unwrap_err().to_string();
        assert!(err.contains("no-such-secret"), "{err}");
    }

    #[tokio::test]
    async fn a_secret_without_a_password_is_a_clear_error() {
        let source = secret("plain text").await;
        let err = source.password().await.unwrap_err().to_string();
        assert!(err.ends_with("is not JSON with a password"), "{err}");
        assert!(
            !err.contains("plain text"),
            "the secret's value must not leak: {err}"
        );
    }
}
