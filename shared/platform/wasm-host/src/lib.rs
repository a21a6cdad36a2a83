//! Serves a WebAssembly HTTP component (a Spin component built with spin-sdk 5, exporting
//! `wasi:http/incoming-handler@0.2`) over HTTP/1.1, as `spin up` or `wasmtime serve` would:
//! the component is compiled once, then instantiated afresh for every request, with WASI
//! (clocks, random, stdio) and `wasi:http` linked.
//!
//! Outgoing requests from the component go only to the authorities it was allowed
//! ([`Settings::allowed_outbound`], Spin's `allowed_outbound_hosts`); any other fails in the
//! component with `HttpRequestDenied`. Its state goes through the interfaces Spin 3 implements,
//! `wasi:keyvalue/store` (one in-memory store, `default`) and `wasi:config/store` (the
//! [`Settings::config`] values), in the versions spin-sdk 5 binds; wasmtime's own key-value and
//! config crates implement other versions of those proposals.
//!
//! A request the component fails (a trap, a linear memory over
//! [`Settings::max_memory_bytes`], a return without a response) is answered 500 with a
//! problem, as Spin answers it, and the connection stays usable.

mod state;

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::server::conn::http1;
use tokio::net::TcpListener;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store, StoreLimits, StoreLimitsBuilder};

use crate::state::{Shared, StateData, StateView, config, keyvalue};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Builds the component crate `package` for `wasm32-wasip2` (release) and answers the path of
/// its `.wasm`. The build has a target directory of its own (`target/wasm`), so that it can
/// run while another cargo holds the workspace's.
pub fn build(package: &str) -> anyhow::Result<PathBuf> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let target = workspace.join("target/wasm");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&workspace)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "-p",
            package,
        ])
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .with_context(|| format!("running cargo build for {package}"))?;
    if !status.success() {
        bail!("building the component {package} failed ({status})");
    }
    let file = target
        .join("wasm32-wasip2/release")
        .join(format!("{}.wasm", package.replace('-', "_")));
    file.canonicalize()
        .with_context(|| format!("{} was not built", file.display()))
}

/// What the host grants the component.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Authorities (`host:port`) the component may send requests to.
    pub allowed_outbound: Vec<String>,
    /// What `wasi:config/store` answers (Spin's component variables).
    pub config: HashMap<String, String>,
    /// The most linear memory one instance may grow to (`wasmtime serve -W max-memory-size`);
    /// None: the 4 GiB of wasm32.
    pub max_memory_bytes: Option<usize>,
}

/// A component compiled and linked, ready to serve.
#[derive(Clone)]
pub struct Host {
    pre: ProxyPre<State>,
    settings: Arc<Settings>,
    shared: Shared,
    /// How long compiling the component took.
    pub compiled_in: Duration,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Host {
    /// Compiles the component at `path` and links what it imports.
    pub fn load(path: &Path, settings: Settings) -> anyhow::Result<Self> {
        let engine = Engine::default();
        let started = Instant::now();
        let component = Component::from_file(&engine, path)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("compiling {}", path.display()))?;
        let compiled_in = started.elapsed();
        let mut linker: Linker<State> = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        keyvalue::add_to_linker::<State, StateData>(&mut linker, State::view)?;
        config::add_to_linker::<State, StateData>(&mut linker, State::view)?;
        let pre = ProxyPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Self {
            pre,
            shared: Shared::new(settings.config.clone()),
            settings: Arc::new(settings),
            compiled_in,
        })
    }

    /// The same compiled component with other settings: nothing is compiled again.
    pub fn with_settings(&self, settings: Settings) -> Self {
        Self {
            pre: self.pre.clone(),
            shared: Shared::new(settings.config.clone()),
            settings: Arc::new(settings),
            compiled_in: self.compiled_in,
        }
    }

    /// Serves on `listener` until `stop` completes.
    pub async fn serve(
        self,
        listener: TcpListener,
        stop: impl Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let accept = async {
            loop {
                let (client, _) = listener.accept().await?;
                let host = self.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| host.clone().respond(req));
                    let served = http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(client), service)
                        .await;
                    if let Err(err) = served {
                        eprintln!("wasm-host: connection: {err}");
                    }
                });
            }
        };
        tokio::select! {
            accepted = accept => accepted,
            () = stop => Ok(()),
        }
    }

    /// Serves on a free loopback port in the background, for as long as the runtime runs;
    /// answers the address.
    pub async fn spawn(self) -> anyhow::Result<SocketAddr> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            if let Err(err) = self.serve(listener, std::future::pending()).await {
                eprintln!("wasm-host: {err}");
            }
        });
        Ok(addr)
    }

    /// Instantiates the component `n` times without serving a request: how long each took.
    pub async fn instantiations(&self, n: usize) -> anyhow::Result<Vec<Duration>> {
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let mut store = self.store();
            let started = Instant::now();
            self.pre.instantiate_async(&mut store).await?;
            times.push(started.elapsed());
        }
        Ok(times)
    }

    /// A new instance's store, held to the memory limit.
    fn store(&self) -> Store<State> {
        let mut store = Store::new(self.pre.engine(), self.state());
        store.limiter(|state| &mut state.limits);
        store
    }

    /// A new instance's state.
    fn state(&self) -> State {
        let mut limits = StoreLimitsBuilder::new();
        if let Some(bytes) = self.settings.max_memory_bytes {
            limits = limits.memory_size(bytes);
        }
        State {
            limits: limits.build(),
            table: ResourceTable::new(),
            wasi: WasiCtx::builder().inherit_stderr().build(),
            http: WasiHttpCtx::new(),
            hooks: Outbound {
                allowed: self.settings.clone(),
            },
            shared: self.shared.clone(),
        }
    }

    /// One request's response: the component's, or a 500 problem where it failed.
    async fn respond(
        self,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> Result<hyper::Response<HyperOutgoingBody>, std::convert::Infallible> {
        Ok(self.handle(request).await.unwrap_or_else(|err| {
            eprintln!("wasm-host: the component failed: {err:#}");
            failed()
        }))
    }

    /// One request: a new instance, the component's handler, and its response.
    async fn handle(
        self,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> anyhow::Result<hyper::Response<HyperOutgoingBody>> {
        let mut store = self.store();
        let (sender, receiver) = tokio::sync::oneshot::channel();
        let request = store
            .data_mut()
            .http()
            .new_incoming_request(Scheme::Http, request)?;
        let out = store.data_mut().http().new_response_outparam(sender)?;
        // The component may go on writing the body after it hands the response over.
        let pre = self.pre.clone();
        let task = tokio::spawn(async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, request, out)
                .await
        });
        match receiver.await {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(code)) => Err(code.into()),
            Err(_) => match task.await {
                Ok(Ok(())) => bail!("the component returned without a response"),
                Ok(Err(err)) => Err(err.into()),
                Err(err) => Err(err.into()),
            },
        }
    }
}

/// The answer to a request the component failed.
fn failed() -> hyper::Response<HyperOutgoingBody> {
    let problem = r#"{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"the component failed to handle the request"}"#;
    let body = Full::new(Bytes::from_static(problem.as_bytes()))
        .map_err(|never| match never {})
        .boxed_unsync();
    let mut response = hyper::Response::new(body);
    *response.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// One request's store: its resources, WASI and `wasi:http` contexts, and the shared state.
struct State {
    limits: StoreLimits,
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: Outbound,
    shared: Shared,
}

impl State {
    fn view(&mut self) -> StateView<'_> {
        StateView {
            table: &mut self.table,
            shared: &self.shared,
        }
    }
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// The outgoing requests a component may make.
struct Outbound {
    allowed: Arc<Settings>,
}

type Sent = Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>;

impl wasmtime_wasi_http::WasiHttpHooks for Outbound {
    fn send_request(
        &mut self,
        request: hyper::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        sent: Sent,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (hyper::Response<wasmtime_wasi_http::WasiBody>, Sent),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        let authority = request
            .uri()
            .authority()
            .map(ToString::to_string)
            .unwrap_or_default();
        if !self.allowed.allowed_outbound.contains(&authority) {
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        wasmtime_wasi_http::default_hooks().send_request(request, options, sent)
    }
}
