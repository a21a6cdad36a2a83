//! Redis for the Redis adapters' tests: one shared server, and throwaway servers for tests
//! that stop one.
//!
//! The shared server is `REDIS_URL`, else the local one on 6379 (`scripts/test` starts it),
//! else one started here on a free loopback port under `timeout`, so it stops by itself after
//! the test run. Tests share it, so each keeps to keys under its own random prefix.

use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The URL of the Redis server tests share.
pub fn url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| match std::env::var("REDIS_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::net::TcpStream::connect(("127.0.0.1", 6379)).is_ok() => {
            "redis://127.0.0.1:6379".to_owned()
        }
        _ => {
            let server = RedisServer::start();
            let url = server.url();
            // Serves every test in this process; `timeout` ends it after the run.
            std::mem::forget(server);
            url
        }
    })
    .clone()
}

/// A Redis server of its own on a loopback port, keeping nothing on disk; stopped when dropped,
/// and in any case after 10 minutes.
#[derive(Debug)]
pub struct RedisServer {
    pub port: u16,
    server: Option<Child>,
}

impl RedisServer {
    pub fn start() -> Self {
        Self::start_on(crate::free_port())
    }

    /// A server on `port`: a stopped server's port, to bring it back.
    pub fn start_on(port: u16) -> Self {
        let server = Command::new("timeout")
            .args(["600", "redis-server", "--bind", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start redis-server (apt install redis-server): {e}"));
        crate::wait_until_listening(port, "redis-server");
        Self {
            port,
            server: Some(server),
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server and waits until it has exited: its port refuses connections after.
    pub fn stop(&mut self) {
        let Some(mut server) = self.server.take() else {
            return;
        };
        // SIGTERM to `timeout`, which passes it on to the server; SIGKILL would orphan it.
        let _ = Command::new("kill")
            .args(["-TERM", &server.id().to_string()])
            .status();
        let _ = server.wait();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
