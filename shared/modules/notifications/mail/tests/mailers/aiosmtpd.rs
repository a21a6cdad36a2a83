//! A real SMTP server on loopback for the SMTP adapter's tests: aiosmtpd, from the project's
//! Python venv, storing what it accepts in a Maildir. One per test, stopped when dropped.

use std::ffi::OsStr;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::TempDir;

/// The venv `scripts/test` installs aiosmtpd into; `AIOSMTPD_PYTHON` names another Python.
const VENV_PYTHON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../.venv/bin/python");
/// Where `refusing_mailbox.py`, the server's handler, lives.
const HANDLER_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mailers");
/// A server a test forgot stops by itself after this long.
const LIFETIME: &str = "120";

pub struct SmtpServer {
    child: Child,
    port: u16,
    dir: TempDir,
}

impl SmtpServer {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// With more command-line options, such as `--tlscert` and `--tlskey` for STARTTLS.
    pub fn start_with(options: &[&OsStr]) -> Self {
        let python = python();
        // The free port is found by binding and releasing it, so another process may take it
        // first; the server then exits at once and a new port is tried.
        let mut last_log = String::new();
        for _ in 0..3 {
            let dir = TempDir::new("aiosmtpd");
            let port = free_port();
            let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
            let child = Command::new("timeout")
                .args(["-k", "5", LIFETIME])
                .arg(&python)
                .args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{port}"))
                .args(["-c", "refusing_mailbox.RefusingMailbox"])
                .args(options)
                .arg(dir.path().join("maildir"))
                .env("PYTHONPATH", HANDLER_DIR)
                .env("PYTHONUNBUFFERED", "1")
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run `timeout` for aiosmtpd: {e}"));
            let mut server = Self { child, port, dir };
            if server.wait_until_listening() {
                return server;
            }
            last_log =
                std::fs::read_to_string(server.dir.path().join("server.log")).unwrap_or_default();
        }
        panic!(
            "aiosmtpd did not start ({python:?}); if it is not installed, run scripts/test, which \
             installs it into .venv, or `.venv/bin/pip install aiosmtpd`. Its output:\n{last_log}"
        );
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every message the server accepted, as it stored them.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let new = self.dir.path().join("maildir").join("new");
        let Ok(entries) = std::fs::read_dir(new) else {
            return Vec::new();
        };
        entries
            .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
            .collect()
    }

    /// False if the server exited or did not listen within a few seconds.
    fn wait_until_listening(&mut self) -> bool {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return false;
            }
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // SIGTERM, which `timeout` passes on to the server; a SIGKILL would stop only `timeout`.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn python() -> PathBuf {
    let python =
        std::env::var_os("AIOSMTPD_PYTHON").map_or_else(|| VENV_PYTHON.into(), PathBuf::from);
    assert!(
        python.exists(),
        "no Python for aiosmtpd at {python:?}: run scripts/test, which creates .venv and installs \
         aiosmtpd into it, or point AIOSMTPD_PYTHON at a Python that has aiosmtpd"
    );
    python
}

/// A port nothing listens on at the moment of the call.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    listener.local_addr().unwrap().port()
}
