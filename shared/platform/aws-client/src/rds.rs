//! RDS IAM authentication tokens: a SigV4-presigned `connect` action that stands in for the
//! password. RDS Proxy (and an Aurora cluster with IAM auth) checks it against the caller's
//! `rds-db:connect` permission. Tokens are made locally, with no network call.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::AwsError;

/// How long RDS accepts a token after it is made. Only the connection handshake uses it: an
/// open connection outlives its token.
pub const AUTH_TOKEN_LIFETIME: Duration = Duration::from_secs(900);

/// The token for `user` at `host:port`, signed at `at` (normally now).
pub fn auth_token(
    credentials: &Credentials,
    region: &str,
    host: &str,
    port: u16,
    user: &str,
    at: SystemTime,
) -> Result<String, AwsError> {
    let identity: Identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(AUTH_TOKEN_LIFETIME);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("rds-db")
        .time(at)
        .settings(settings)
        .build()
        .map_err(|e| AwsError::Signing(e.to_string()))?
        .into();
    let user = form_encode(user);
    let url = format!("https://{host}:{port}/?Action=connect&DBUser={user}");
    let request = SignableRequest::new("GET", &url, std::iter::empty(), SignableBody::Bytes(&[]))
        .map_err(|e| AwsError::Signing(e.to_string()))?;
    let (instructions, _) = sign(request, &params)
        .map_err(|e| AwsError::Signing(e.to_string()))?
        .into_parts();
    let mut signed = http::Request::builder()
        .uri(&url)
        .body(())
        .map_err(|e| AwsError::Signing(e.to_string()))?;
    instructions.apply_to_request_http1x(&mut signed);
    let uri = signed.uri().to_string();
    Ok(uri.strip_prefix("https://").unwrap_or(&uri).to_owned())
}

/// Everything but RFC 3986's unreserved characters is escaped in the user name.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Database user names are plain identifiers, but a name that needs escaping must not break the
/// query string.
fn form_encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// 2026-11-26T12:00:00Z
    fn at() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_694_400)
    }

    fn query(token: &str) -> Vec<(String, String)> {
        let (_, query) = token.split_once('?').expect("a query string");
        let mut pairs: Vec<_> = query
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').expect("key=value");
                (k.to_owned(), v.to_owned())
            })
            .collect();
        pairs.sort();
        pairs
    }

    // Expected signatures are botocore's `generate_db_auth_token` for the same inputs and clock.
    #[test]
    fn matches_the_aws_sdk_token_with_a_session_token() {
        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            SECRET,
            Some("session/token+value=".into()),
            None,
            "test",
        );
        let host = "app-proxy.proxy-abc123.eu-west-1.rds.amazonaws.com";
        let token = auth_token(&credentials, "eu-west-1", host, 5432, "app_user", at()).unwrap();
        assert!(token.starts_with(&format!("{host}:5432/?")), "{token}");
        let expected = [
            ("Action", "connect"),
            ("DBUser", "app_user"),
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            (
                "X-Amz-Credential",
                "AKIDEXAMPLE%2F20261126%2Feu-west-1%2Frds-db%2Faws4_request",
            ),
            ("X-Amz-Date", "20261126T120000Z"),
            ("X-Amz-Expires", "900"),
            ("X-Amz-Security-Token", "session%2Ftoken%2Bvalue%3D"),
            (
                "X-Amz-Signature",
                "82572e221718d8bfa1d0a608c550259f23e8c9c975be0057e71dd172a3b3ad2e",
            ),
            ("X-Amz-SignedHeaders", "host"),
        ];
        let expected: Vec<_> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(query(&token), expected);
    }

    #[test]
    fn matches_the_aws_sdk_token_without_a_session_token() {
        let credentials = Credentials::new("AKIDEXAMPLE", SECRET, None, None, "test");
        let host = "db.cluster-xyz.us-east-1.rds.amazonaws.com";
        let token = auth_token(&credentials, "us-east-1", host, 5432, "postgres", at()).unwrap();
        let signature = query(&token)
            .into_iter()
            .find(|(k, _)| k == "X-Amz-Signature")
            .map(|(_, v)| v);
        assert_eq!(
            signature.as_deref(),
            Some("6504eca14664f1a11d9491a8a6ed6a95acd6e7f444dfcff8d03fe4bea5274b7b")
        );
        assert!(!token.contains("X-Amz-Security-Token"));
    }

    #[test]
    fn user_names_are_escaped_into_the_query() {
        assert_eq!(form_encode("app_user-1.x~"), "app_user-1.x~");
        assert_eq!(form_encode("a b&c=d"), "a%20b%26c%3Dd");
    }
}
