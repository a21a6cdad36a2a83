//! Signup, sessions and the caller's own profile.

use axum::extract::State;
use axum::http::StatusCode;
use domain::{Email, Password, TenantName};
use serde::{Deserialize, Serialize};
use tracing::field::display;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Fields;
use super::dto::{MembershipBody, SessionBody, TenantBody, UserBody};
use crate::extract::{Authenticated, Json};
use crate::{ApiError, AppState, BusinessMetric, Problem};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(signup))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(crate::openapi::document))
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SignupRequest {
    #[schema(example = "ada@example.com")]
    email: String,
    /// At least 12 characters.
    #[schema(example = "correct horse battery staple")]
    password: String,
    #[schema(example = "Acme")]
    tenant_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignupResponse {
    #[serde(flatten)]
    session: SessionBody,
    user: UserBody,
    tenant: TenantBody,
}

/// Creates a tenant and its owner, and logs the owner in.
#[utoipa::path(
    post,
    path = "/v1/signup",
    tag = "accounts",
    request_body = SignupRequest,
    responses(
        (status = 201, body = SignupResponse),
        (status = 400, body = Problem),
        (status = 409, description = "The email is taken", body = Problem),
        (status = 413, body = Problem),
        (status = 422, body = Problem),
    )
)]
async fn signup(
    State(state): State<AppState>,
    Json(body): Json<SignupRequest>,
) -> Result<(StatusCode, axum::Json<SignupResponse>), ApiError> {
    let mut fields = Fields::default();
    let email = fields.check(Email::parse(&body.email));
    let password = fields.check(Password::parse(body.password));
    let tenant_name = fields.check(TenantName::parse(&body.tenant_name));
    let (Some(email), Some(password), Some(tenant_name)) = (email, password, tenant_name) else {
        return Err(fields.into_error());
    };
    let done = state.accounts.signup(email, password, tenant_name).await?;
    tracing::Span::current().record("tenant_id", display(done.tenant.id));
    state.metrics.count(BusinessMetric::Signups);
    let body = SignupResponse {
        session: done.session.into(),
        user: done.user.into(),
        tenant: done.tenant.into(),
    };
    Ok((StatusCode::CREATED, axum::Json(body)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct LoginRequest {
    #[schema(example = "ada@example.com")]
    email: String,
    password: String,
}

/// Logs in with email and password, returning a new session token.
#[utoipa::path(
    post,
    path = "/v1/sessions",
    tag = "accounts",
    request_body = LoginRequest,
    responses(
        (status = 201, body = SessionBody),
        (status = 400, body = Problem),
        (status = 401, description = "Wrong email or password", body = Problem),
        (status = 422, body = Problem),
    )
)]
async fn login(
    State(state): State<AppState>,
    Json(body): Json<LoginRequest>,
) -> Result<(StatusCode, axum::Json<SessionBody>), ApiError> {
    let email = Email::parse(&body.email)?;
    // A password outside today's policy may predate it; it is simply wrong, not malformed.
    let password =
        Password::parse(body.password).map_err(|_| accounts::AccountsError::InvalidCredentials)?;
    let session = state.accounts.login(&email, password).await?;
    state.metrics.count(BusinessMetric::Logins);
    Ok((StatusCode::CREATED, axum::Json(session.into())))
}

/// Ends the session whose token authenticates this request.
#[utoipa::path(
    delete,
    path = "/v1/sessions/current",
    tag = "accounts",
    security(("session" = [])),
    responses((status = 204), (status = 401, body = Problem))
)]
async fn logout(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<StatusCode, ApiError> {
    state.accounts.logout(&auth.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MeResponse {
    user: UserBody,
    memberships: Vec<MembershipBody>,
}

/// The caller and the tenants they belong to.
#[utoipa::path(
    get,
    path = "/v1/me",
    tag = "accounts",
    security(("session" = [])),
    responses((status = 200, body = MeResponse), (status = 401, body = Problem))
)]
async fn me(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<axum::Json<MeResponse>, ApiError> {
    let (user, memberships) = state.accounts.me(auth.user).await?;
    Ok(axum::Json(MeResponse {
        user: user.into(),
        memberships: memberships.into_iter().map(Into::into).collect(),
    }))
}
