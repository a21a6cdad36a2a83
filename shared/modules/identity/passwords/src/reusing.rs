//! Argon2 that fills a per-thread buffer instead of allocating 19 MiB for every hash.
//!
//! Freed multi-megabyte allocations tend to stay in the allocator's per-thread arenas, so
//! allocating per hash grows a process by tens of megabytes per hashing thread. Reusing one
//! buffer per thread keeps memory flat.

use std::cell::RefCell;

use argon2::password_hash::{self, Decimal, Ident, Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

thread_local! {
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Argon2 with fixed default parameters, hashing into this thread's reusable buffer.
/// Verification uses the parameters stored in each hash, so old hashes keep verifying.
pub(crate) struct ReusingArgon2 {
    pub(crate) params: Params,
}

impl password_hash::PasswordHasher for ReusingArgon2 {
    type Params = Params;

    fn hash_password<'a>(
        &self,
        password: &[u8],
        salt: impl Into<Salt<'a>>,
    ) -> password_hash::Result<PasswordHash<'a>> {
        self.hash_password_customized(password, None, None, self.params.clone(), salt)
    }

    fn hash_password_customized<'a>(
        &self,
        password: &[u8],
        algorithm: Option<Ident<'a>>,
        version: Option<Decimal>,
        params: Params,
        salt: impl Into<Salt<'a>>,
    ) -> password_hash::Result<PasswordHash<'a>> {
        let algorithm = algorithm
            .map(Algorithm::try_from)
            .transpose()?
            .unwrap_or(Algorithm::Argon2id);
        let version = version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or(Version::V0x13);
        let salt = salt.into();
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let output_len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let output = Output::init_with(output_len, |out| {
            BLOCKS.with_borrow_mut(|blocks| {
                if blocks.len() < params.block_count() {
                    blocks.resize(params.block_count(), Block::default());
                }
                argon2
                    .hash_password_into_with_memory(
                        password,
                        salt_bytes,
                        out,
                        blocks.as_mut_slice(),
                    )
                    .map_err(password_hash::Error::from)
            })
        })?;
        Ok(PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(salt),
            hash: Some(output),
        })
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

    use super::*;

    fn params() -> Params {
        Params::new(1024, 1, 1, None).unwrap_or_default()
    }

    #[test]
    fn interoperates_with_the_stock_implementation() {
        let ours = ReusingArgon2 { params: params() };
        let stock = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let salt = SaltString::generate(&mut OsRng);
        let a = ours
            .hash_password(b"correct horse battery", &salt)
            .map(|h| h.to_string());
        let b = stock
            .hash_password(b"correct horse battery", &salt)
            .map(|h| h.to_string());
        assert_eq!(a.as_ref().ok(), b.as_ref().ok());

        let theirs = b.unwrap_or_default();
        let parsed = PasswordHash::new(&theirs).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            ours.verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert!(
            ours.verify_password(b"wrong horse battery", &parsed)
                .is_err()
        );
    }

    #[test]
    fn verifies_hashes_made_with_other_parameters() {
        let old = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(2048, 2, 1, None).unwrap_or_default(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let hash = old
            .hash_password(b"correct horse battery", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default();
        let parsed = PasswordHash::new(&hash).unwrap_or_else(|e| panic!("{e}"));
        let ours = ReusingArgon2 { params: params() };
        assert!(
            ours.verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
    }
}
