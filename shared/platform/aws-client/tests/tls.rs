//! HTTPS endpoints are reached over TLS and their certificates verified against the public
//! roots: a server with a self-signed certificate is refused before any request is sent.

use std::process::Command;
use std::sync::Arc;

use aws_client::{AwsError, Credentials, JsonService, SECRETS_MANAGER};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A self-signed certificate for `localhost`, made with the openssl CLI.
fn self_signed() -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    let dir = std::env::temp_dir().join(format!("saas-tls-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl (apt install openssl)");
    assert!(status.success());
    let certs = CertificateDer::pem_file_iter(&cert)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(&key).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    (certs, key)
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let (certs, key) = self_signed();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        TlsAcceptor::from(Arc::new(config))
            .accept(tcp)
            .await
            .map(|_| ())
    });

    let credentials = Credentials::new("AKID", "secret", None, None, "test");
    let endpoint = format!("https://localhost:{port}");
    let client = JsonService::new(SECRETS_MANAGER, &endpoint, "us-east-1", credentials).unwrap();
    let err = client
        .call("GetSecretValue", &serde_json::json!({"SecretId": "x"}))
        .await
        .unwrap_err();

    match &err {
        AwsError::Transport { reason, .. } => {
            assert!(reason.contains("certificate"), "{reason}");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    let handshake = server.await.unwrap();
    assert!(
        handshake.is_err(),
        "the client must abort the TLS handshake"
    );
}
