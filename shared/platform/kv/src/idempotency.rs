//! Idempotency keys: a request sent again with the same key replays the first response instead
//! of running twice.
//!
//! The first request claims the key with an atomic [`KeyValue::add`], so of concurrent requests
//! exactly one runs; the others see it in flight. Its response is then stored under the key with
//! the request's fingerprint, for [`Idempotency::ttl`]. A retry with another body under the same
//! key is a client error, not a replay.

use std::sync::Arc;
use std::time::Duration;

use kernel::Unavailable;
use serde::{Deserialize, Serialize};

use crate::{DynKeyValue, KeyValue};

/// How long a claim holds while its request runs: past it, a crashed request's key can be
/// claimed again.
const LEASE: Duration = Duration::from_secs(60);

/// A stored response, replayed to retries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What a request with an idempotency key does next.
#[derive(Debug, PartialEq, Eq)]
pub enum Started {
    /// The key is new: run the request, then [`Idempotency::complete`] or
    /// [`Idempotency::release`] the claim.
    Proceed(Claim),
    /// The key's request already ran with this body: answer what it answered.
    Replay(Recorded),
    /// The key's request is still running.
    InFlight,
    /// The key was used with another request body.
    Mismatch,
}

/// A key this request holds.
#[derive(Debug, PartialEq, Eq)]
pub struct Claim {
    key: String,
    fingerprint: String,
}

#[derive(Serialize, Deserialize)]
struct Record {
    fingerprint: String,
    response: Option<Recorded>,
}

#[derive(Clone)]
pub struct Idempotency {
    kv: Arc<DynKeyValue<'static>>,
    ttl: Duration,
}

impl Idempotency {
    /// Responses are kept for `ttl` (a day is usual: long enough for any client's retries).
    pub fn new(kv: impl KeyValue + 'static, ttl: Duration) -> Self {
        Self {
            kv: DynKeyValue::new_arc(kv),
            ttl,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// `key` should already name its scope (the caller and the route), so two callers' keys
    /// never meet; `fingerprint` identifies the request body.
    pub async fn start(&self, key: &str, fingerprint: &str) -> Result<Started, Unavailable> {
        let key = format!("idem:{key}");
        let pending = encode(&Record {
            fingerprint: fingerprint.to_owned(),
            response: None,
        });
        // Twice at most: the first record can expire between a failed add and the read.
        for _ in 0..2 {
            if self.kv.add(&key, &pending, LEASE).await? {
                return Ok(Started::Proceed(Claim {
                    key,
                    fingerprint: fingerprint.to_owned(),
                }));
            }
            let Some(bytes) = self.kv.get(&key).await? else {
                continue;
            };
            let Ok(record) = serde_json::from_slice::<Record>(&bytes) else {
                // Unreadable: treat it as a request still running rather than run twice.
                return Ok(Started::InFlight);
            };
            return Ok(if record.fingerprint != fingerprint {
                Started::Mismatch
            } else if let Some(response) = record.response {
                Started::Replay(response)
            } else {
                Started::InFlight
            });
        }
        Ok(Started::InFlight)
    }

    /// Stores the response for replays.
    pub async fn complete(&self, claim: Claim, response: Recorded) -> Result<(), Unavailable> {
        let record = Record {
            fingerprint: claim.fingerprint,
            response: Some(response),
        };
        self.kv.set(&claim.key, &encode(&record), self.ttl).await
    }

    /// Frees the key without a response (the request failed on the server's side), so a retry
    /// runs again.
    pub async fn release(&self, claim: Claim) -> Result<(), Unavailable> {
        self.kv.delete(&claim.key).await
    }
}

fn encode(record: &Record) -> Vec<u8> {
    serde_json::to_vec(record).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryKv;

    #[tokio::test]
    async fn runs_once_replays_and_refuses_another_body() {
        let idem = Idempotency::new(MemoryKv::default(), Duration::from_secs(60));
        let Started::Proceed(claim) = idem.start("k", "body-1").await.unwrap() else {
            panic!("first use proceeds");
        };
        assert_eq!(idem.start("k", "body-1").await.unwrap(), Started::InFlight);
        let response = Recorded {
            status: 201,
            headers: vec![("location".into(), "/v1/x".into())],
            body: "{}".into(),
        };
        idem.complete(claim, response.clone()).await.unwrap();
        assert_eq!(
            idem.start("k", "body-1").await.unwrap(),
            Started::Replay(response)
        );
        assert_eq!(idem.start("k", "body-2").await.unwrap(), Started::Mismatch);
    }

    #[tokio::test]
    async fn a_released_key_runs_again() {
        let idem = Idempotency::new(MemoryKv::default(), Duration::from_secs(60));
        let Started::Proceed(claim) = idem.start("k", "b").await.unwrap() else {
            panic!("first use proceeds");
        };
        idem.release(claim).await.unwrap();
        assert!(matches!(
            idem.start("k", "b").await.unwrap(),
            Started::Proceed(_)
        ));
    }
}
