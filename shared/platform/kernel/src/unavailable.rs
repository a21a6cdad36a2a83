use std::error::Error as StdError;

/// A dependency (database, queue, cache, the password hasher's threads) failed or could not be
/// reached. The caller may retry; the edge answers 503.
#[derive(Debug, thiserror::Error)]
#[error("dependency unavailable: {source}")]
pub struct Unavailable {
    #[source]
    source: Box<dyn StdError + Send + Sync>,
    outcome_unknown: bool,
}

impl Unavailable {
    /// The operation did not happen; retrying it is safe.
    pub fn new(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            source: source.into(),
            outcome_unknown: false,
        }
    }

    /// The connection failed while a commit was in flight: the write may or may not have
    /// landed, so a retry may find it done.
    pub fn outcome_unknown(source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self {
            source: source.into(),
            outcome_unknown: true,
        }
    }

    pub fn is_outcome_unknown(&self) -> bool {
        self.outcome_unknown
    }
}
