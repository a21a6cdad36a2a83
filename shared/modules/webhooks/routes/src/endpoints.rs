//! A tenant's webhook endpoints: register, list, delete.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use web::{ApiError, Authenticated, Fields, Json, Path, Problem, parse_id, tenant_scope};
use webhooks::{Description, EndpointId, EndpointUrl};

use crate::WebhooksState;
use crate::dto::{EndpointBody, EndpointListBody, RegisterRequest, RegisteredBody};
use crate::errors::problem;

#[derive(Debug, Deserialize)]
pub(crate) struct TenantPath {
    pub tenant_id: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct EndpointPath {
    pub tenant_id: String,
    pub endpoint_id: String,
}

/// The 404 of every route under a tenant: absent and not the caller's look the same on purpose.
pub(crate) const NO_TENANT: &str = "No such tenant, or the caller is not a member";

pub(crate) const NO_ENDPOINT: &str = "No such tenant or endpoint, or the caller is not a member";

/// Registers an endpoint: from now on every event of the tenant is POSTed to it, signed in
/// the Standard Webhooks format with the secret in this answer, which is never shown again.
/// Owners and admins only.
#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/webhooks",
    tag = "webhooks",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path)),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The endpoint, with its signing secret", body = RegisteredBody),
        (
            status = 400,
            description = "Malformed JSON, or a tenant id that is not a UUID",
            body = Problem
        ),
        (status = 403, description = "Members may not manage webhooks", body = Problem),
        (status = 404, description = NO_TENANT, body = Problem),
        (status = 409, description = "The tenant has 20 endpoints already", body = Problem),
        (
            status = 422,
            description = "The URL is not an https:// URL of a public host, or the description is too long",
            body = Problem
        ),
    )
)]
pub(crate) async fn register_endpoint(
    State(state): State<WebhooksState>,
    auth: Authenticated,
    Path(path): Path<TenantPath>,
    Json(body): Json<RegisterRequest>,
) -> Result<(StatusCode, axum::Json<RegisteredBody>), ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let mut fields = Fields::default();
    let url = fields.check(EndpointUrl::parse(&body.url, state.webhooks.url_policy()));
    let description = match body.description.as_deref() {
        Some(raw) => fields.check(Description::parse(raw)),
        None => Some(None),
    };
    let (Some(url), Some(description)) = (url, description) else {
        return Err(fields.into_error());
    };
    let registered = state
        .webhooks
        .register(auth.user, tenant, url, description)
        .await
        .map_err(problem)?;
    let body = RegisteredBody {
        endpoint: registered.endpoint.into(),
        secret: registered.secret.expose(),
    };
    Ok((StatusCode::CREATED, axum::Json(body)))
}

/// The tenant's endpoints, oldest first, without their secrets. Owners and admins only.
#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/webhooks",
    tag = "webhooks",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The endpoints", body = EndpointListBody),
        (status = 400, description = "A tenant id that is not a UUID", body = Problem),
        (status = 403, description = "Members may not manage webhooks", body = Problem),
        (status = 404, description = NO_TENANT, body = Problem),
    )
)]
pub(crate) async fn list_endpoints(
    State(state): State<WebhooksState>,
    auth: Authenticated,
    Path(path): Path<TenantPath>,
) -> Result<axum::Json<EndpointListBody>, ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let endpoints = state
        .webhooks
        .endpoints(auth.user, tenant)
        .await
        .map_err(problem)?;
    Ok(axum::Json(EndpointListBody {
        endpoints: endpoints.into_iter().map(EndpointBody::from).collect(),
    }))
}

/// Deletes an endpoint and its delivery log: it gets no more events. Owners and admins only.
#[utoipa::path(
    delete,
    path = "/v1/tenants/{tenant_id}/webhooks/{endpoint_id}",
    tag = "webhooks",
    security(("session" = [])),
    params(("tenant_id" = uuid::Uuid, Path), ("endpoint_id" = uuid::Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "An id that is not a UUID", body = Problem),
        (status = 403, description = "Members may not manage webhooks", body = Problem),
        (status = 404, description = NO_ENDPOINT, body = Problem),
    )
)]
pub(crate) async fn delete_endpoint(
    State(state): State<WebhooksState>,
    auth: Authenticated,
    Path(path): Path<EndpointPath>,
) -> Result<StatusCode, ApiError> {
    let tenant = tenant_scope(&path.tenant_id)?;
    let id: EndpointId = parse_id(&path.endpoint_id, "endpoint_id")?;
    state
        .webhooks
        .delete(auth.user, tenant, id)
        .await
        .map_err(problem)?;
    Ok(StatusCode::NO_CONTENT)
}
