use std::sync::Arc;
use std::time::Duration;

use kernel::Unavailable;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisError};
use tokio::sync::OnceCell;

/// How long a connection attempt, and then each command, may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);
/// Reconnection attempts after the first one fails: a dead server fails fast, a restarted one
/// is found again by the next command.
const RECONNECT_RETRIES: usize = 1;

/// One Redis server: the URL is parsed at once, the connection is opened by the first command.
/// Cheap to clone; clones share the connection.
#[derive(Debug, Clone)]
pub struct Redis {
    client: Client,
    manager: Arc<OnceCell<ConnectionManager>>,
}

/// The URL names no Redis server. The URL itself is left out: it may hold a password.
#[derive(Debug, thiserror::Error)]
#[error("not a redis:// or rediss:// URL ({kind:?})")]
pub struct InvalidRedisUrl {
    kind: redis::ErrorKind,
}

#[derive(Debug, thiserror::Error)]
#[error("redis: {0}")]
struct RedisFailure(#[from] RedisError);

pub(crate) fn unavailable(err: RedisError) -> Unavailable {
    Unavailable::new(RedisFailure(err))
}

impl Redis {
    /// `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS (ElastiCache with
    /// encryption in transit). Does no I/O.
    pub fn open(url: &str) -> Result<Self, InvalidRedisUrl> {
        let client = Client::open(url).map_err(|e| InvalidRedisUrl { kind: e.kind() })?;
        Ok(Self {
            client,
            manager: Arc::default(),
        })
    }

    /// A handle on the shared connection, opened by the first caller.
    pub(crate) async fn connection(&self) -> Result<ConnectionManager, Unavailable> {
        let manager = self
            .manager
            .get_or_try_init(|| async {
                // rustls needs one provider for the process; the platform's is ring. Whichever
                // crate installed one first wins, which is why the result does not matter.
                let _ = rustls::crypto::ring::default_provider().install_default();
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(CONNECT_TIMEOUT))
                    .set_response_timeout(Some(RESPONSE_TIMEOUT))
                    .set_number_of_retries(RECONNECT_RETRIES)
                    .set_min_delay(Duration::from_millis(50))
                    .set_max_delay(Duration::from_millis(200));
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
                    .map_err(unavailable)
            })
            .await?;
        Ok(manager.clone())
    }
}
