//! The webhooks module's errors, as HTTP problems.

use web::ApiError;
use webhooks::WebhooksError;

pub(crate) fn problem(err: WebhooksError) -> ApiError {
    match err {
        WebhooksError::TenantNotFound => ApiError::NotFound("tenant"),
        WebhooksError::EndpointNotFound => ApiError::NotFound("webhook endpoint"),
        WebhooksError::Forbidden => ApiError::Forbidden("only owners and admins manage webhooks"),
        WebhooksError::TooManyEndpoints => {
            ApiError::Conflict("the tenant has the most webhook endpoints it may have")
        }
        WebhooksError::Unavailable(cause) => ApiError::unavailable(cause),
    }
}
