//! Usage as it happens, for the tenants' dashboards: every successful tenant-scoped request
//! by a member, and every login. The [`ActivitySink`] a function is given decides where the
//! counts go; it must not write per request (buffer, then flush).

use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::{Next, from_fn};
use kernel::{TenantId, UserId};

use crate::{ApiError, HttpOptions};

/// Where usage is counted.
pub trait ActivitySink: Send + Sync + 'static {
    /// A request under `/v1/tenants/{tenant_id}/` by `user` succeeded.
    fn api_call(&self, tenant: TenantId, user: UserId);
    /// `user` logged in.
    fn login(&self, user: UserId);
}

/// Filled by [`crate::Authenticated`] with the caller, for the layer to read afterwards.
#[derive(Clone, Default)]
pub(crate) struct CallerSlot(Arc<Mutex<Option<UserId>>>);

impl CallerSlot {
    pub(crate) fn set(&self, user: UserId) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(user);
    }

    fn get(&self) -> Option<UserId> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Counts each successful tenant-scoped request against its tenant and caller.
pub(crate) fn layer(router: Router, options: &HttpOptions) -> Router {
    let Some(sink) = options.activity.clone() else {
        return router;
    };
    router.layer(from_fn(move |mut req: Request, next: Next| {
        let sink = sink.clone();
        async move {
            let tenant = tenant_of(req.uri().path());
            let slot = CallerSlot::default();
            req.extensions_mut().insert(slot.clone());
            req.extensions_mut().insert(Recorder(Some(sink.clone())));
            let response = next.run(req).await;
            if response.status().is_success()
                && let (Some(tenant), Some(user)) = (tenant, slot.get())
            {
                sink.api_call(tenant, user);
            }
            response
        }
    }))
}

/// The tenant of a path under `/v1/tenants/{tenant_id}/`.
pub(crate) fn tenant_of(path: &str) -> Option<TenantId> {
    let rest = path.strip_prefix("/v1/tenants/")?;
    let id = rest.split('/').next()?;
    crate::parse_id(id, "tenant_id").ok()
}

/// What a handler records itself, such as a login.
pub struct Recorder(Option<Arc<dyn ActivitySink>>);

impl Recorder {
    pub fn login(&self, user: UserId) {
        if let Some(sink) = &self.0 {
            sink.login(user);
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Recorder {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(parts
            .extensions
            .get::<Recorder>()
            .map_or(Self(None), |r| Self(r.0.clone())))
    }
}

impl Clone for Recorder {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tenant_paths_name_a_tenant() {
        let id = "01a21d71-9b8b-74f3-93df-c9a2bf69e0c2";
        assert!(tenant_of(&format!("/v1/tenants/{id}")).is_some());
        assert!(tenant_of(&format!("/v1/tenants/{id}/members")).is_some());
        assert!(tenant_of("/v1/tenants").is_none());
        assert!(tenant_of("/v1/tenants/not-an-id/members").is_none());
        assert!(tenant_of(&format!("/v1/me/{id}")).is_none());
    }
}
