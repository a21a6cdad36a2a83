//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use std::sync::OnceLock;

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::RouteGroup;

#[derive(OpenApi)]
#[openapi(
    info(title = "SaaS platform API", version = "1", description = "Multi-tenant accounts, tenants and members."),
    modifiers(&BearerAuth),
    components(schemas(crate::Problem, crate::FieldError))
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("session", SecurityScheme::Http(scheme));
    }
}

/// The document for every route of every group.
pub fn openapi() -> utoipa::openapi::OpenApi {
    crate::routes(&RouteGroup::ALL).split_for_parts().1
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "This API's OpenAPI 3.1 document", content_type = "application/json"))
)]
pub(crate) async fn document() -> impl IntoResponse {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let body = DOCUMENT.get_or_init(|| openapi().to_json().unwrap_or_default());
    ([(CONTENT_TYPE, "application/json")], body.as_str())
}
