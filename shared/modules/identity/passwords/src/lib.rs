//! The identity module's [`PasswordHasher`] adapter: Argon2id with OWASP's parameters.
//!
//! Hashing is deliberately slow and memory-hard, so it runs on a few dedicated threads rather
//! than on the async executor or tokio's elastic blocking pool:
//! - the thread count caps concurrent hashes, so a burst of logins queues for CPU instead of
//!   taking every core from cheap requests;
//! - the threads run at a lower scheduling priority, so request handling preempts them;
//! - each thread hashes into one reusable 19 MiB buffer, so memory stays flat;
//! - the queue in front of them is bounded: when it is full a request is refused at once (503
//!   with `Retry-After`), and a queued hash whose client has gone is skipped.

mod reusing;
mod workers;

use std::sync::{Arc, OnceLock};

use argon2::Params;
use argon2::password_hash::{PasswordHash, SaltString, rand_core::OsRng};
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use identity::{HashError, Password, PasswordHasher};

use reusing::ReusingArgon2;
use workers::Workers;

/// OWASP's Argon2id baseline: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// Hashes allowed to wait per hashing thread. A hash takes tens of milliseconds, so a full
/// queue clears in about a second; a request beyond it gets 503 and `Retry-After` at once.
const QUEUE_PER_THREAD: usize = 16;

#[derive(Clone)]
pub struct Argon2Hasher {
    params: Params,
    threads: usize,
    /// Started on first use, so a cold start that never hashes never spawns them.
    workers: Arc<OnceLock<Workers>>,
}

impl Argon2Hasher {
    /// `threads` bounds simultaneous hashes; one fewer than the core count leaves a core for
    /// everything else.
    pub fn new(threads: usize) -> Self {
        Self::with_params(threads, MEMORY_KIB, PASSES)
    }

    /// Cheaper parameters for tests, which hash hundreds of passwords.
    pub fn for_tests() -> Self {
        Self::with_params(2, 1024, 1)
    }

    fn with_params(threads: usize, memory_kib: u32, passes: u32) -> Self {
        #[allow(clippy::expect_used)]
        let params = Params::new(memory_kib, passes, LANES, None)
            .expect("argon2 parameters are constants within range");
        Self {
            params,
            threads: threads.max(1),
            workers: Arc::default(),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&ReusingArgon2) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let argon2 = ReusingArgon2 {
            params: self.params.clone(),
        };
        self.workers
            .get_or_init(|| Workers::start(self.threads, self.threads * QUEUE_PER_THREAD))
            .run(move || work(&argon2))
            .await
            .map_err(|e| HashError(Box::new(e)))
    }
}

/// The recommended default: leave one core for serving requests.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().saturating_sub(1))
        .unwrap_or(1)
        .max(1)
}

#[derive(Debug, thiserror::Error)]
#[error("argon2 refused the input: {0}")]
struct Argon2Error(String);

impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: Password) -> Result<String, HashError> {
        self.run(move |argon2| {
            let salt = SaltString::generate(&mut OsRng);
            argon2
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|e| HashError(Box::new(Argon2Error(e.to_string()))))
        })
        .await?
    }

    async fn verify(&self, password: Password, hash: String) -> Result<bool, HashError> {
        self.run(move |argon2| {
            PasswordHash::new(&hash).is_ok_and(|parsed| {
                argon2
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(raw: &str) -> Password {
        Password::parse(raw.to_owned()).unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test]
    async fn verifies_only_the_right_password() {
        let hasher = Argon2Hasher::for_tests();
        let hash = hasher.hash(password("correct horse battery")).await.ok();
        let hash = hash.unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"));
        let right = hasher
            .verify(password("correct horse battery"), hash.clone())
            .await;
        let wrong = hasher.verify(password("wrong horse battery"), hash).await;
        assert!(matches!(right, Ok(true)));
        assert!(matches!(wrong, Ok(false)));
    }

    #[tokio::test]
    async fn malformed_hash_is_a_mismatch_not_an_error() {
        let hasher = Argon2Hasher::for_tests();
        let result = hasher
            .verify(password("correct horse battery"), "nope".into())
            .await;
        assert!(matches!(result, Ok(false)));
    }

    #[tokio::test]
    async fn production_parameters_use_argon2id() {
        let hasher = Argon2Hasher::new(1);
        let hash = hasher
            .hash(password("correct horse battery"))
            .await
            .unwrap_or_default();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }

    #[tokio::test]
    async fn concurrent_hashes_all_complete_on_few_threads() {
        let hasher = Argon2Hasher::for_tests();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let hasher = hasher.clone();
                tokio::spawn(async move { hasher.hash(password("correct horse battery")).await })
            })
            .collect();
        let mut done = 0;
        for task in tasks {
            done += usize::from(matches!(task.await, Ok(Ok(_))));
        }
        assert_eq!(done, 8);
    }
}
