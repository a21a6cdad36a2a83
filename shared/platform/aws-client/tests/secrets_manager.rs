//! The Secrets Manager client against moto server, over real HTTP.

use aws_client::{AwsError, Credentials, JsonService, SecretsManager};
use serde_json::json;

fn client(endpoint: &str) -> SecretsManager {
    let credentials = Credentials::new(
        testkit::ACCESS_KEY_ID,
        testkit::SECRET_ACCESS_KEY,
        Some("session".into()),
        None,
        "test",
    );
    let spec = aws_client::SECRETS_MANAGER;
    SecretsManager::new(JsonService::new(spec, endpoint, testkit::REGION, credentials).unwrap())
}

#[tokio::test]
async fn reads_back_a_secret_by_arn_and_by_name() {
    let secrets = client(&testkit::moto_endpoint());
    let name = format!("db-{}", uuid::Uuid::now_v7().simple());
    let value = r#"{"username":"postgres","password":"p@ss w0rd"}"#;
    let created = secrets
        .service()
        .call(
            "CreateSecret",
            &json!({ "Name": name, "SecretString": value }),
        )
        .await
        .unwrap();
    let arn = created["ARN"]
        .as_str()
        .expect("CreateSecret returns the ARN");

    assert_eq!(secrets.secret_string(arn).await.unwrap(), value);
    assert_eq!(secrets.secret_string(&name).await.unwrap(), value);
}

#[tokio::test]
async fn a_missing_secret_keeps_the_service_error() {
    let secrets = client(&testkit::moto_endpoint());
    let err = secrets.secret_string("no-such-secret").await.unwrap_err();
    match err {
        AwsError::Service {
            status,
            error_type,
            message,
            ..
        } => {
            assert!((400..500).contains(&status), "{status}");
            assert_eq!(error_type, "ResourceNotFoundException");
            assert!(!message.is_empty());
        }
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_transport_error() {
    let port = testkit::free_port();
    let secrets = client(&format!("http://127.0.0.1:{port}"));
    let err = secrets.secret_string("any").await.unwrap_err();
    assert!(
        matches!(
            err,
            AwsError::Transport {
                service: "secretsmanager",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn endpoints_follow_the_sdk_variables() {
    let spec = aws_client::SECRETS_MANAGER;
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let endpoint =
        |vars| JsonService::endpoint_from_env(spec, "SECRETS_MANAGER", "eu-west-1", env(vars));
    assert_eq!(
        endpoint(&[]),
        "https://secretsmanager.eu-west-1.amazonaws.com"
    );
    assert_eq!(
        endpoint(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:1")]),
        "http://127.0.0.1:1"
    );
    assert_eq!(
        endpoint(&[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
            ("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:2"),
        ]),
        "http://127.0.0.1:2"
    );
    let err = JsonService::new(
        spec,
        "ftp://x",
        "eu-west-1",
        Credentials::new("a", "b", None, None, "t"),
    )
    .unwrap_err();
    assert!(matches!(err, AwsError::Endpoint { .. }), "{err:?}");
}

#[tokio::test]
async fn an_error_page_from_a_proxy_keeps_its_status() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await.unwrap();
        let page = "<html>Bad Gateway</html>";
        let response = format!(
            "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}",
            page.len()
        );
        socket.write_all(response.as_bytes()).await.unwrap();
    });
    let err = client(&format!("http://127.0.0.1:{port}"))
        .secret_string("any")
        .await
        .unwrap_err();
    assert!(
        matches!(err, AwsError::Service { status: 502, .. }),
        "{err:?}"
    );
}
