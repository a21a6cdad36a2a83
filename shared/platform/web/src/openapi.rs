//! The OpenAPI 3.1 document: generated from the handlers' annotations, then made to say what
//! the shared layers do to every operation.

use std::sync::Arc;

use axum::Extension;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::PROBLEM_JSON;

#[derive(OpenApi)]
#[openapi(
    info(title = "SaaS platform API", version = "1", description = "Multi-tenant accounts, tenants and members."),
    modifiers(&BearerAuth),
    components(schemas(crate::Problem, crate::FieldError))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("session", SecurityScheme::Http(scheme));
    }
}

/// The document every router starts from: title, the session scheme, the problem schemas.
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// One document from the documents of several route groups.
pub fn merged(
    parts: impl IntoIterator<Item = utoipa::openapi::OpenApi>,
) -> utoipa::openapi::OpenApi {
    parts.into_iter().fold(base(), |mut doc, part| {
        doc.merge(part);
        doc
    })
}

/// The document as JSON, completed with what the shared layers answer for every operation:
/// problems are `application/problem+json`; an operation with a JSON body may answer 400, 413,
/// 415 and 422; one behind a session 401; and every operation that reads a store 503.
pub fn to_json(doc: &utoipa::openapi::OpenApi) -> String {
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                complete(operation);
            }
        }
    }
    doc.to_string()
}

fn complete(operation: &mut serde_json::Map<String, Value>) {
    let has_body = operation.contains_key("requestBody");
    let secured = operation.contains_key("security");
    let responses = operation
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(responses) = responses else { return };
    let mut implied = Vec::new();
    if has_body {
        implied.extend([
            ("400", "Malformed JSON"),
            ("413", "The body is too large"),
            ("415", "The body is not JSON"),
            ("422", "A field is missing or invalid"),
        ]);
    }
    if secured {
        implied.push(("401", "No valid session"));
    }
    if has_body || secured {
        implied.push((
            "503",
            "A dependency is unavailable; retry after Retry-After",
        ));
    }
    for (status, description) in implied {
        responses
            .entry(status)
            .or_insert_with(|| json!({ "description": description }));
    }
    for (status, response) in responses.iter_mut() {
        if status.starts_with('4') || status.starts_with('5') {
            response["content"] = json!({
                PROBLEM_JSON: { "schema": { "$ref": "#/components/schemas/Problem" } }
            });
        }
    }
}

#[derive(Clone)]
struct Document(Arc<str>);

/// `GET /openapi.json`, answering with `json`.
pub fn served(json: Arc<str>) -> OpenApiRouter {
    OpenApiRouter::new()
        .routes(routes!(document))
        .layer(Extension(Document(json)))
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "This API's OpenAPI 3.1 document", content_type = "application/json"))
)]
async fn document(Extension(Document(json)): Extension<Document>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], json.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_problem_json_and_implied_statuses_are_listed() {
        let mut op = json!({
            "requestBody": {},
            "security": [{"session": []}],
            "responses": {
                "201": {"description": "created", "content": {"application/json": {}}},
                "409": {"description": "taken", "content": {"application/json": {}}},
            }
        });
        let Some(map) = op.as_object_mut() else {
            panic!("an object");
        };
        complete(map);
        let responses = &op["responses"];
        assert!(responses["201"]["content"]["application/json"].is_object());
        assert!(responses["409"]["content"][PROBLEM_JSON].is_object());
        for status in ["400", "401", "413", "415", "422", "503"] {
            assert!(
                responses[status]["content"][PROBLEM_JSON].is_object(),
                "{status}"
            );
        }
    }
}
