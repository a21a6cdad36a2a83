//! moto server, the AWS emulator the tests talk to for SQS, DynamoDB and Secrets Manager.
//!
//! `scripts/test` starts one and exports `MOTO_ENDPOINT`. Without it, the first test that asks
//! starts `moto_server` from the project venv (`.venv`, which `scripts/test` installs) on a free
//! loopback port, under `timeout`, so it stops by itself after the test run.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Credentials moto accepts; any non-empty values do.
pub const ACCESS_KEY_ID: &str = "testing";
pub const SECRET_ACCESS_KEY: &str = "testing";
pub const REGION: &str = "us-east-1";

/// The base URL of a running moto server, e.g. `http://127.0.0.1:5123`.
pub fn moto_endpoint() -> String {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT
        .get_or_init(|| match std::env::var("MOTO_ENDPOINT") {
            Ok(url) if !url.is_empty() => url,
            _ => start(),
        })
        .clone()
}

fn start() -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let exe = root.join(".venv/bin/moto_server");
    assert!(
        exe.exists(),
        "{} is missing: run scripts/test (it installs moto into .venv), or set MOTO_ENDPOINT",
        exe.display()
    );
    let port = crate::free_port();
    // Detached on purpose: it serves every test in this process and `timeout` ends it.
    #[allow(clippy::zombie_processes)]
    Command::new("timeout")
        .args(["600", &exe.to_string_lossy(), "-H", "127.0.0.1", "-p"])
        .arg(port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", exe.display()));
    crate::wait_until_listening(port, "moto_server");
    format!("http://127.0.0.1:{port}")
}
