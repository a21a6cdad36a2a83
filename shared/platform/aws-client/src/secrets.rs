//! Secrets Manager, for the database password RDS keeps (and rotates) there.

use serde_json::{Value, json};

use crate::json::{JsonService, ServiceSpec};
use crate::{AwsEnv, AwsError};

/// Secrets Manager's JSON protocol: signing name and `X-Amz-Target` prefix.
pub const SECRETS_MANAGER: ServiceSpec = ServiceSpec {
    signing_name: "secretsmanager",
    target_prefix: "secretsmanager",
    json_version: "1.1",
};

#[derive(Debug, Clone)]
pub struct SecretsManager {
    service: JsonService,
}

impl SecretsManager {
    pub fn new(service: JsonService) -> Self {
        Self { service }
    }

    /// The client for the function's region, honouring `AWS_ENDPOINT_URL_SECRETS_MANAGER` and
    /// `AWS_ENDPOINT_URL` (a local emulator in tests).
    pub fn from_env() -> Result<Self, AwsError> {
        let env = AwsEnv::from_env()?;
        let endpoint =
            JsonService::endpoint_from_env(SECRETS_MANAGER, "SECRETS_MANAGER", &env.region, |n| {
                std::env::var(n).ok()
            });
        Ok(Self::new(JsonService::new(
            SECRETS_MANAGER,
            &endpoint,
            env.region,
            env.credentials,
        )?))
    }

    /// The current `SecretString` of `secret_id` (a name or an ARN).
    pub async fn secret_string(&self, secret_id: &str) -> Result<String, AwsError> {
        let output = self
            .service
            .call("GetSecretValue", &json!({ "SecretId": secret_id }))
            .await?;
        match output.get("SecretString").and_then(Value::as_str) {
            Some(secret) => Ok(secret.to_owned()),
            None => Err(AwsError::Response {
                service: SECRETS_MANAGER.signing_name,
                reason: format!("secret {secret_id} has no SecretString"),
            }),
        }
    }

    /// The underlying JSON client, for operations this type does not wrap.
    pub fn service(&self) -> &JsonService {
        &self.service
    }
}
