//! A throwaway PostgreSQL server that checks passwords (SCRAM), for tests of credentials that
//! change: the shared test server trusts every local connection, so it cannot tell a stale
//! password from a fresh one. Each server has its own data directory and loopback port, stops
//! when dropped, and in any case after 10 minutes.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use uuid::Uuid;

#[derive(Debug)]
pub struct PasswordPostgres {
    pub port: u16,
    dir: PathBuf,
    bin: PathBuf,
    server: Child,
}

impl PasswordPostgres {
    /// Starts a server whose superuser `postgres` has `password`.
    pub fn start(password: &str) -> Self {
        let bin = bindir();
        let dir = std::env::temp_dir().join(format!("saas-scram-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("create the server's directory");
        std::fs::write(dir.join("pwfile"), password).expect("write the password file");
        if is_root() {
            let mut chown = Command::new("chown");
            chown.args(["-R", "postgres"]).arg(&dir);
            assert!(run(chown), "chown {} to postgres", dir.display());
        }
        let data = dir.join("data");
        let initdb = bin.join("initdb");
        let status = as_postgres(&[
            &initdb.to_string_lossy(),
            "-D",
            &data.to_string_lossy(),
            "-U",
            "postgres",
            "-A",
            "scram-sha-256",
            "--pwfile",
            &dir.join("pwfile").to_string_lossy(),
            "--no-sync",
            "-E",
            "UTF8",
        ]);
        assert!(status, "initdb failed in {}", dir.display());
        let port = crate::free_port();
        let postgres = bin.join("postgres");
        let mut command = command_as_postgres(&[
            "timeout",
            "600",
            &postgres.to_string_lossy(),
            "-D",
            &data.to_string_lossy(),
            "-p",
            &port.to_string(),
            "-k",
            &dir.to_string_lossy(),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
        ]);
        let server = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start postgres");
        crate::wait_until_listening(port, "postgres");
        Self {
            port,
            dir,
            bin,
            server,
        }
    }

    /// A URL for `postgres` with no password in it.
    pub fn url_without_password(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    pub fn url_with_password(&self, password: &str) -> String {
        format!(
            "postgres://postgres:{password}@127.0.0.1:{}/postgres",
            self.port
        )
    }
}

impl Drop for PasswordPostgres {
    fn drop(&mut self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let data = self.dir.join("data");
        as_postgres(&[
            &pg_ctl.to_string_lossy(),
            "-D",
            &data.to_string_lossy(),
            "-m",
            "immediate",
            "-w",
            "stop",
        ]);
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The server binaries: `PG_BINDIR`, else the newest /usr/lib/postgresql/<version>/bin.
fn bindir() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BINDIR") {
        return dir.into();
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.flatten().map(|d| d.path().join("bin")).collect())
        .unwrap_or_default();
    versions.retain(|bin| bin.join("initdb").exists());
    versions.sort_by_key(|p| {
        let version = p.parent().and_then(Path::file_name);
        version.and_then(|v| v.to_str()?.parse::<u32>().ok())
    });
    versions
        .pop()
        .expect("PostgreSQL server binaries (apt install postgresql), or set PG_BINDIR")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
fn command_as_postgres(args: &[&str]) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).args(args);
        command
    } else {
        let mut command = Command::new(args[0]);
        command.args(&args[1..]);
        command
    }
}

fn as_postgres(args: &[&str]) -> bool {
    run(command_as_postgres(args))
}

fn run(mut command: Command) -> bool {
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
