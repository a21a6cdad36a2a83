//! Read-your-writes over a database with a replica: a request that may write (any method but
//! GET, HEAD and OPTIONS) runs with its reads on the writer and, when it did not fail on the
//! client's side, marks its session for a short window in the key-value store; later requests
//! of a marked session read from the writer too, so a client sees what it just wrote while the
//! replica catches up. Other reads go to the replica. The database layer supplies how a request
//! is pinned to the writer ([`ReadYourWrites::on_writer`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{Next, from_fn};
use axum::response::Response;
use kv::{DynKeyValue, KeyValue};

use crate::HttpOptions;

/// A request's handling, boxed so that the database layer can run it in its own scope.
pub type Handling = Pin<Box<dyn Future<Output = Response> + Send>>;

/// Runs a request's handling with every plain read served by the writer.
pub type OnWriter = fn(Handling) -> Handling;

/// Where sessions' recent writes are marked, and for how long.
#[derive(Clone)]
pub struct ReadYourWrites {
    marks: Arc<DynKeyValue<'static>>,
    window: Duration,
    on_writer: OnWriter,
}

impl ReadYourWrites {
    /// Marks live in `marks` (a store every instance shares, so a client's next request on
    /// another instance sees them) for `window`.
    pub fn new(marks: impl KeyValue + 'static, window: Duration, on_writer: OnWriter) -> Self {
        Self {
            marks: DynKeyValue::new_arc(marks),
            window,
            on_writer,
        }
    }

    async fn recently_wrote(&self, key: &str) -> bool {
        match self.marks.get(key).await {
            Ok(mark) => mark.is_some(),
            // Unknown: the writer is always right, only busier.
            Err(e) => {
                tracing::warn!(error = %e, "read-your-writes mark unreadable; reading from the writer");
                true
            }
        }
    }

    async fn mark(&self, key: &str) {
        if let Err(e) = self.marks.set(key, b"1", self.window).await {
            tracing::warn!(error = %e, "read-your-writes mark not stored");
        }
    }
}

pub(crate) fn layer(router: Router, options: &HttpOptions) -> Router {
    let Some(reads) = options.read_your_writes.clone() else {
        return router;
    };
    router.layer(from_fn(move |req: Request, next: Next| {
        let reads = reads.clone();
        async move {
            let key = crate::limits::session_subject(req.headers()).map(|s| format!("ryw:{s}"));
            let writes = !req.method().is_safe();
            let pinned = writes
                || match &key {
                    Some(key) => reads.recently_wrote(key).await,
                    None => false,
                };
            let handling: Handling = Box::pin(next.run(req));
            let response = if pinned {
                (reads.on_writer)(handling).await
            } else {
                handling.await
            };
            if writes
                && !response.status().is_client_error()
                && let Some(key) = &key
            {
                reads.mark(key).await;
            }
            response
        }
    }))
}
