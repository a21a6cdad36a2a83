//! Serves a Spin HTTP component on loopback, as `spin up` would serve it:
//!
//!     wasm-host <component.wasm> [127.0.0.1:3001] [key=value ...]
//!
//! Each `key=value` is a configuration value the component reads through `wasi:config` (a Spin
//! variable).
//! `ALLOWED_OUTBOUND`: comma-separated `host:port` authorities the component may call.
//!
//!     wasm-host --measure N <component.wasm>
//!
//! compiles the component, instantiates it N times without serving, and prints the times as
//! JSON (`scripts/bench wasm`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use tokio::net::TcpListener;
use wasm_host::{Host, Settings};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("--measure") {
        args.next();
        let n: usize = args.next().context("--measure N")?.parse()?;
        let path: PathBuf = args.next().context("--measure N <component.wasm>")?.into();
        return measure(&path, n).await;
    }
    let path: PathBuf = args
        .next()
        .context("usage: wasm-host <component.wasm> [address] [key=value ...]")?
        .into();
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3001".into());
    let config = args
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => Ok((key.to_owned(), value.to_owned())),
            None => anyhow::bail!("{pair:?} is not key=value"),
        })
        .collect::<anyhow::Result<_>>()?;
    let allowed_outbound = std::env::var("ALLOWED_OUTBOUND")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_owned)
        .collect();
    let host = Host::load(
        &path,
        Settings {
            allowed_outbound,
            config,
            max_memory_bytes: None,
        },
    )?;
    let listener = TcpListener::bind(&addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    eprintln!(
        "serving {} on http://{} (compiled in {:?})",
        path.display(),
        listener.local_addr()?,
        host.compiled_in
    );
    host.serve(listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}

/// `--measure`: compile and instantiation times, as JSON on stdout.
async fn measure(path: &Path, n: usize) -> anyhow::Result<()> {
    let host = Host::load(path, Settings::default())?;
    let times = host.instantiations(n).await?;
    let micros: Vec<String> = times.iter().map(|t| t.as_micros().to_string()).collect();
    println!(
        "{{\"compile_ms\": {:.3}, \"instantiate_us\": [{}]}}",
        host.compiled_in.as_secs_f64() * 1e3,
        micros.join(", ")
    );
    Ok(())
}
