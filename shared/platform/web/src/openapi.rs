//! The OpenAPI 3.1 document: generated from the handlers' annotations, then made to say what
//! the shared layers do to every operation.

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::{Value, json};
use utoipa::openapi::schema::{ObjectBuilder, Type};
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
/// 415 and 422; one behind a session 401 (with `WWW-Authenticate`); and every operation that
/// reads a store 503 (with `Retry-After`). Every response carries `x-request-id`.
pub fn to_json(doc: &utoipa::openapi::OpenApi) -> String {
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut().filter_map(Value::as_object_mut) {
            for operation in item.values_mut().filter_map(Value::as_object_mut) {
                complete(operation);
            }
        }
    }
    if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
        components.insert(
            "headers".to_owned(),
            json!({ REQUEST_ID: request_id_header() }),
        );
    }
    doc.to_string()
}

/// The name of the shared `x-request-id` header under `components/headers`.
const REQUEST_ID: &str = "RequestId";

/// `x-request-id`, as the request-id layers answer it (see `middleware`).
fn request_id_header() -> Value {
    json!({
        "description": "The request's id: the client's `x-request-id` when it is 1 to 128 \
                        printable ASCII characters, otherwise one the server made. Problems \
                        carry it as `request_id`.",
        "required": true,
        "schema": { "type": "string", "pattern": "^[!-~]{1,128}$" }
    })
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
        let headers = &mut response["headers"];
        headers["x-request-id"] = json!({ "$ref": format!("#/components/headers/{REQUEST_ID}") });
        match status.as_str() {
            "401" => {
                headers["WWW-Authenticate"] = json!({
                    "description": "The scheme to authenticate with",
                    "required": true,
                    "schema": { "type": "string", "const": "Bearer" }
                })
            }
            "503" => {
                headers["Retry-After"] = json!({
                    "description": "Seconds to wait before retrying",
                    "required": true,
                    "schema": { "type": "integer", "minimum": 0 }
                })
            }
            _ => {}
        }
    }
}

/// Unicode `White_Space`: what `char::is_whitespace` is true of, and `str::trim` strips.
const WHITESPACE: &[(char, char)] = &[
    ('\u{9}', '\u{d}'),
    (' ', ' '),
    ('\u{85}', '\u{85}'),
    ('\u{a0}', '\u{a0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200a}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202f}', '\u{202f}'),
    ('\u{205f}', '\u{205f}'),
    ('\u{3000}', '\u{3000}'),
];

/// What `kernel::text::check_visible` refuses: control, zero-width and text-direction characters.
const HIDDEN: &[(char, char)] = &[
    ('\u{0}', '\u{1f}'),
    ('\u{7f}', '\u{9f}'),
    ('\u{61c}', '\u{61c}'),
    ('\u{200b}', '\u{200f}'),
    ('\u{202a}', '\u{202e}'),
    ('\u{2060}', '\u{2060}'),
    ('\u{2066}', '\u{2069}'),
    ('\u{feff}', '\u{feff}'),
];

/// What `kernel::Email` takes in an ASCII local part: printable characters but `"`, `,`, `;`,
/// `<`, `>` and `@`.
const LOCAL_PART: &[(char, char)] = &[
    ('!', '!'),
    ('#', '+'),
    ('-', ':'),
    ('=', '='),
    ('?', '?'),
    ('A', '~'),
];

/// Ranges (all in the Basic Multilingual Plane) as the inside of a pattern's character class, in
/// `\uXXXX` escapes, which ECMA-262, Rust's and Python's regular expressions all read alike.
fn class(ranges: &[(char, char)]) -> String {
    ranges
        .iter()
        .map(|&(first, last)| {
            let (first, last) = (u32::from(first), u32::from(last));
            if first == last {
                format!("\\u{first:04X}")
            } else {
                format!("\\u{first:04X}-\\u{last:04X}")
            }
        })
        .collect()
}

/// A string field that a domain type reads with `kernel::text::normalize` and `check_visible`
/// (`tenancy::TenantName`): 1 to `max_chars` (at least 1) characters once leading and trailing
/// whitespace is trimmed, none of them a control, zero-width or text-direction character. A
/// pattern rather than lengths, as whitespace around the text is trimmed, not counted. (It cannot
/// see NFC composition, which only ever shortens a text.) Finish it with a description and an
/// example.
pub fn visible_text(max_chars: usize) -> ObjectBuilder {
    let (space, hidden) = (class(WHITESPACE), class(HIDDEN));
    // The first character, then up to `max_chars - 1` more, the last of them not whitespace.
    let rest = match max_chars.checked_sub(2) {
        Some(inner) => format!("(?:[^{hidden}]{{0,{inner}}}[^{hidden}{space}])?"),
        None => String::new(),
    };
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(
            "^[{space}]*[^{hidden}{space}]{rest}[{space}]*$"
        )))
}

/// An email as `kernel::Email` accepts it, in ASCII: a local part of printable characters but
/// `",;<>@`; a domain of two or more DNS labels (letters, digits, inner hyphens; 63 at most);
/// whitespace around it, which is trimmed; 254 characters at most. Not `format: email`, which is
/// RFC 5322's grammar: the server takes more (`a..b@`, `(c)a@`). Unicode is accepted too, in the
/// local part and as an internationalized domain, but only IDNA can tell a valid Unicode domain
/// and the limit is then 254 bytes of UTF-8, so the pattern stays with ASCII, in which every
/// address it allows is accepted but for `xn--` labels that are not valid punycode. `what`
/// starts the description; finish it with an example.
pub fn email(what: &str) -> ObjectBuilder {
    let (space, local) = (class(WHITESPACE), class(LOCAL_PART));
    let label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(format!(
            "{what} The pattern is the ASCII form, whose `xn--` labels must be valid punycode; \
             Unicode is accepted too, in the local part and the domain, up to 254 bytes of UTF-8. \
             Whitespace around the address is trimmed."
        )))
        .max_length(Some(254))
        .pattern(Some(format!(
            "^[{space}]*[{local}]+@{label}(?:\\.{label})+[{space}]*$"
        )))
}

#[derive(Clone)]
struct Document(Bytes);

/// `GET /openapi.json`, answering with `json`: built once, shared by every response, and not
/// copied when it is a `&'static str`.
pub fn served(json: impl Into<Bytes>) -> Router {
    Router::new()
        .route("/openapi.json", get(document))
        .layer(Extension(Document(json.into())))
}

/// The document's own route, for the document.
pub fn routes() -> OpenApiRouter {
    OpenApiRouter::new().routes(routes!(document))
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "This API's OpenAPI 3.1 document", content_type = "application/json"))
)]
async fn document(Extension(Document(json)): Extension<Document>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], json)
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
        for status in ["201", "409", "401", "503"] {
            let request_id = &responses[status]["headers"]["x-request-id"]["$ref"];
            assert_eq!(request_id, "#/components/headers/RequestId", "{status}");
        }
        assert_eq!(
            responses["401"]["headers"]["WWW-Authenticate"]["schema"]["const"],
            "Bearer"
        );
        assert!(responses["503"]["headers"]["Retry-After"]["required"] == true);
        assert!(responses["201"]["headers"].get("Retry-After").is_none());
    }

    /// Every character: the classes must agree with the kernel's rules, one by one.
    fn every_char() -> impl Iterator<Item = char> {
        (0..=u32::from(char::MAX)).filter_map(char::from_u32)
    }

    fn within(ranges: &[(char, char)], c: char) -> bool {
        ranges
            .iter()
            .any(|&(first, last)| (first..=last).contains(&c))
    }

    #[test]
    fn the_whitespace_class_is_what_trim_strips() {
        for c in every_char() {
            assert_eq!(within(WHITESPACE, c), c.is_whitespace(), "{c:?}");
        }
    }

    #[test]
    fn the_hidden_class_is_what_check_visible_refuses() {
        for c in every_char() {
            let refused = kernel::text::check_visible(&c.to_string()).is_err();
            assert_eq!(within(HIDDEN, c), refused, "{c:?}");
        }
    }

    #[test]
    fn the_local_part_class_is_printable_ascii_but_what_email_refuses() {
        for c in every_char() {
            let allowed = c.is_ascii_graphic() && !"\",;<>@".contains(c);
            assert_eq!(within(LOCAL_PART, c), allowed, "{c:?}");
        }
    }

    #[test]
    fn visible_text_counts_characters_between_the_trimmed_ends() {
        let pattern = |max| {
            let schema = visible_text(max).build();
            serde_json::to_value(schema).unwrap_or_default()["pattern"].clone()
        };
        let space = class(WHITESPACE);
        let hidden = class(HIDDEN);
        assert_eq!(
            pattern(1),
            format!("^[{space}]*[^{hidden}{space}][{space}]*$")
        );
        assert_eq!(
            pattern(3),
            format!(
                "^[{space}]*[^{hidden}{space}](?:[^{hidden}]{{0,1}}[^{hidden}{space}])?[{space}]*$"
            )
        );
    }

    #[test]
    fn classes_are_written_as_u_escapes() {
        assert_eq!(
            class(&[('\u{9}', '\u{d}'), ('\u{feff}', '\u{feff}')]),
            r"\u0009-\u000D\uFEFF"
        );
    }
}
