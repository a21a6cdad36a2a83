//! The host's side of `wasi:keyvalue/store` and `wasi:config/store`: one key-value store named
//! `default`, kept in memory for as long as the host runs and shared by every instance (as
//! Spin's default store is shared by a component's instances), and the configuration values the
//! host was started with.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use wasmtime::component::{HasData, Resource, ResourceTable, ResourceTableError};

mod bindings {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "saas:wasm-host/state",
        imports: { default: trappable },
        with: { "wasi:keyvalue/store.bucket": super::Bucket },
        trappable_error_type: { "wasi:keyvalue/store.error" => super::StoreError },
        anyhow: true,
    });
}

pub(crate) use bindings::wasi::config::store as config;
pub(crate) use bindings::wasi::keyvalue::store as keyvalue;

/// The one store a component may open.
const DEFAULT_STORE: &str = "default";

/// What every instance shares.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shared {
    values: Arc<Mutex<HashMap<String, Vec<u8>>>>,
    config: Arc<HashMap<String, String>>,
}

impl Shared {
    pub(crate) fn new(config: HashMap<String, String>) -> Self {
        Self {
            values: Arc::default(),
            config: Arc::new(config),
        }
    }

    fn values(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>> {
        self.values.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An open bucket of the default store.
#[derive(Debug)]
pub struct Bucket;

#[derive(Debug)]
pub enum StoreError {
    NoSuchStore,
    Other(String),
}

impl From<ResourceTableError> for StoreError {
    fn from(err: ResourceTableError) -> Self {
        Self::Other(err.to_string())
    }
}

/// The view the state interfaces are implemented on: one instance's resources and what all
/// share.
pub(crate) struct StateView<'a> {
    pub(crate) table: &'a mut ResourceTable,
    pub(crate) shared: &'a Shared,
}

pub(crate) struct StateData;

impl HasData for StateData {
    type Data<'a> = StateView<'a>;
}

impl keyvalue::Host for StateView<'_> {
    fn open(&mut self, identifier: String) -> Result<Resource<Bucket>, StoreError> {
        if identifier != DEFAULT_STORE {
            return Err(StoreError::NoSuchStore);
        }
        Ok(self.table.push(Bucket)?)
    }

    fn convert_error(&mut self, err: StoreError) -> anyhow::Result<keyvalue::Error> {
        Ok(match err {
            StoreError::NoSuchStore => keyvalue::Error::NoSuchStore,
            StoreError::Other(reason) => keyvalue::Error::Other(reason),
        })
    }
}

impl keyvalue::HostBucket for StateView<'_> {
    fn get(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.table.get(&bucket)?;
        Ok(self.shared.values().get(&key).cloned())
    }

    fn set(
        &mut self,
        bucket: Resource<Bucket>,
        key: String,
        value: Vec<u8>,
    ) -> Result<(), StoreError> {
        self.table.get(&bucket)?;
        self.shared.values().insert(key, value);
        Ok(())
    }

    fn delete(&mut self, bucket: Resource<Bucket>, key: String) -> Result<(), StoreError> {
        self.table.get(&bucket)?;
        self.shared.values().remove(&key);
        Ok(())
    }

    fn exists(&mut self, bucket: Resource<Bucket>, key: String) -> Result<bool, StoreError> {
        self.table.get(&bucket)?;
        Ok(self.shared.values().contains_key(&key))
    }

    fn list_keys(
        &mut self,
        bucket: Resource<Bucket>,
        _cursor: Option<String>,
    ) -> Result<keyvalue::KeyResponse, StoreError> {
        self.table.get(&bucket)?;
        let keys = self.shared.values().keys().cloned().collect();
        Ok(keyvalue::KeyResponse { keys, cursor: None })
    }

    fn drop(&mut self, bucket: Resource<Bucket>) -> anyhow::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl config::Host for StateView<'_> {
    fn get(&mut self, key: String) -> anyhow::Result<Result<Option<String>, config::Error>> {
        Ok(Ok(self.shared.config.get(&key).cloned()))
    }

    fn get_all(&mut self) -> anyhow::Result<Result<Vec<(String, String)>, config::Error>> {
        let all = self.shared.config.iter();
        Ok(Ok(all.map(|(k, v)| (k.clone(), v.clone())).collect()))
    }
}
