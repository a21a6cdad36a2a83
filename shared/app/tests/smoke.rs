//! Starts the local server as a real process and talks to it over real HTTP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// Kills the server when the test ends, pass or fail.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(envs: &[(&str, String)]) -> Server {
    let port = testkit::free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_remove("DATABASE_URL")
        .env("PORT", port.to_string())
        .env("PASSWORD_HASH_CONCURRENCY", "2")
        // The in-process worker's mail goes to a temp dir, never into the checkout.
        .env(
            "MAIL_DIR",
            std::env::temp_dir().join(format!("saas-mail-{port}")),
        )
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    testkit::wait_until_listening(port, "server");
    server
}

/// One HTTP/1.1 exchange; returns the status and the JSON body.
fn call(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let (_, payload) = response.split_once("\r\n\r\n").unwrap();
    (status, serde_json::from_str(payload).unwrap_or(Value::Null))
}

fn signup_login_me(server: &Server) {
    let port = server.port;
    let signup = json!({"email": "ada@example.com", "password": "correct horse battery"});
    let (status, created) = call(port, "POST", "/v1/signup", None, Some(signup));
    assert_eq!(status, 201, "{created}");
    let first = created["token"].as_str().unwrap();
    let (status, tenant) = call(
        port,
        "POST",
        "/v1/tenants",
        Some(first),
        Some(json!({"name": "Acme"})),
    );
    assert_eq!(status, 201, "{tenant}");
    let login = json!({"email": "ada@example.com", "password": "correct horse battery"});
    let (status, session) = call(port, "POST", "/v1/sessions", None, Some(login));
    assert_eq!(status, 201, "{session}");
    let token = session["token"].as_str().unwrap();
    let (status, me) = call(port, "GET", "/v1/me", Some(token), None);
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["user"]["email"], "ada@example.com");
    let (status, tenants) = call(port, "GET", "/v1/tenants", Some(token), None);
    assert_eq!(status, 200, "{tenants}");
    assert_eq!(tenants["tenants"][0]["tenant_id"], tenant["id"]);
    let (status, ready) = call(port, "GET", "/v1/health/ready", None, None);
    assert_eq!((status, ready["status"].as_str()), (200, Some("ready")));
}

#[test]
fn local_server_on_embedded_sqlite() {
    let dir = std::env::temp_dir().join(format!("saas-smoke-{}", uuid::Uuid::now_v7().simple()));
    let path = dir.join("dev.sqlite");
    let server = start(&[("SQLITE_PATH", path.display().to_string())]);
    signup_login_me(&server);
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn local_server_on_postgres() {
    let database = testkit::PostgresDatabase::create().await;
    let server = start(&[("DATABASE_URL", database.url.clone())]);
    tokio::task::spawn_blocking(move || signup_login_me(&server))
        .await
        .unwrap();
}

/// As deployed to dev: no password in DATABASE_URL; the server reads it from the secret RDS
/// keeps in Secrets Manager (here moto), and the database checks it.
#[tokio::test]
async fn deployed_configuration_reads_the_password_from_secrets_manager() {
    let password = format!("pw-{}", uuid::Uuid::now_v7().simple());
    let database = testkit::PasswordPostgres::start(&password);
    let moto = testkit::moto_endpoint();
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
        .http_client(aws_sdk_setup::http_client())
        .endpoint_url(&moto)
        .region(aws_sdk_secretsmanager::config::Region::new(testkit::REGION))
        .credentials_provider(aws_sdk_secretsmanager::config::Credentials::new(
            testkit::ACCESS_KEY_ID,
            testkit::SECRET_ACCESS_KEY,
            None,
            None,
            "test",
        ))
        .build();
    let secrets = aws_sdk_secretsmanager::Client::from_conf(config);
    let secret = json!({"username": "postgres", "password": password}).to_string();
    let name = format!("rds-{}", uuid::Uuid::now_v7().simple());
    let created = secrets
        .create_secret()
        .name(&name)
        .secret_string(secret)
        .send()
        .await
        .unwrap();

    let server = start(&[
        ("DATABASE_URL", database.url_without_password()),
        ("DATABASE_SECRET_ARN", created.arn().unwrap().to_owned()),
        ("AWS_ENDPOINT_URL", moto),
        ("AWS_ACCESS_KEY_ID", testkit::ACCESS_KEY_ID.into()),
        ("AWS_SECRET_ACCESS_KEY", testkit::SECRET_ACCESS_KEY.into()),
        ("AWS_REGION", testkit::REGION.into()),
    ]);
    tokio::task::spawn_blocking(move || signup_login_me(&server))
        .await
        .unwrap();
}

/// The README's curl walk-through, run as written against a fresh server: it must not rot.
#[test]
fn the_readme_walkthrough_runs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let block = readme
        .split_once("<!-- walkthrough:start -->")
        .and_then(|(_, rest)| rest.split_once("<!-- walkthrough:end -->"))
        .map(|(block, _)| block)
        .expect("README.md has a walkthrough block");
    let script = block
        .trim()
        .strip_prefix("```sh")
        .and_then(|s| s.strip_suffix("```"))
        .expect("the walkthrough is one sh block");

    let dir = std::env::temp_dir().join(format!("saas-walk-{}", uuid::Uuid::now_v7().simple()));
    let mail = dir.join("mail").display().to_string();
    let server = start(&[
        ("SQLITE_PATH", dir.join("dev.sqlite").display().to_string()),
        ("MAIL_DIR", mail.clone()),
    ]);
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", script])
        .env("API", format!("http://127.0.0.1:{}", server.port))
        .env("MAIL_DIR", mail)
        .output()
        .expect("bash runs");
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the walkthrough failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        r#""email":"ada@example.com""#,
        r#""tenant_name":"Acme""#,
        r#""role":"admin""#,
        r#""role":"member""#,
        r#"{"status":"ready"}"#,
        "SaaS platform API",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected} in:\n{stdout}"
        );
    }
}
