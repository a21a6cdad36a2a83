//! Signup, sessions and the caller's own profile.

use axum::extract::State;
use axum::http::StatusCode;
use identity::{IdentityError, Password};
use kernel::Email;
use sessions::SessionToken;
use web::{ApiError, Authenticated, BusinessMetric, Fields, Json, Problem, RateLimits, Recorder};

use crate::IdentityState;
use crate::dto::{
    LoginRequest, MeResponse, PasswordResetConfirmation, PasswordResetRequest, SessionBody,
    SignupRequest, SignupResponse,
};
use crate::errors::{problem, signup_problem};

/// Creates an account and logs it in. Create or join a tenant next.
#[utoipa::path(
    post,
    path = "/v1/signup",
    tag = "identity",
    request_body = SignupRequest,
    responses(
        (
            status = 201,
            description = "The account, and a session for it",
            body = SignupResponse
        ),
        (status = 409, description = "The email is taken", body = Problem),
        (status = 429, description = "Too many signups from this address", body = Problem),
    )
)]
pub(crate) async fn signup(
    State(state): State<IdentityState>,
    Json(body): Json<SignupRequest>,
) -> Result<(StatusCode, axum::Json<SignupResponse>), ApiError> {
    let mut fields = Fields::default();
    let email = fields.check(Email::parse(&body.email));
    let password = fields.check(Password::parse(body.password));
    let (Some(email), Some(password)) = (email, password) else {
        return Err(fields.into_error());
    };
    let done = state
        .identity
        .signup(email, password)
        .await
        .map_err(signup_problem)?;
    state.metrics.count(BusinessMetric::Signups);
    let body = SignupResponse {
        session: done.session.into(),
        user: done.user.into(),
    };
    Ok((StatusCode::CREATED, axum::Json(body)))
}

/// Logs in with email and password, returning a new session token.
#[utoipa::path(
    post,
    path = "/v1/sessions",
    tag = "identity",
    request_body = LoginRequest,
    responses(
        (status = 201, description = "A new session", body = SessionBody),
        (status = 401, description = "Wrong email or password", body = Problem),
        (
            status = 429,
            description = "Too many attempts from this address or on this account",
            body = Problem
        ),
    )
)]
pub(crate) async fn login(
    State(state): State<IdentityState>,
    limits: RateLimits,
    activity: Recorder,
    Json(body): Json<LoginRequest>,
) -> Result<(StatusCode, axum::Json<SessionBody>), ApiError> {
    let email = Email::parse(&body.email)?;
    limits
        .check(&crate::limits::LOGIN_PER_ACCOUNT, email.as_str())
        .await?;
    // A password outside today's policy may predate it; it is simply wrong, not malformed.
    let password =
        Password::parse(body.password).map_err(|_| problem(IdentityError::WrongEmailOrPassword))?;
    let session = state
        .identity
        .login(&email, password)
        .await
        .map_err(problem)?;
    state.metrics.count(BusinessMetric::Logins);
    activity.login(session.user_id);
    Ok((StatusCode::CREATED, axum::Json(session.into())))
}

/// Ends the session whose token authenticates this request.
#[utoipa::path(
    delete,
    path = "/v1/sessions/current",
    tag = "identity",
    security(("session" = [])),
    responses((status = 204, description = "The session has ended"))
)]
pub(crate) async fn logout(
    State(state): State<IdentityState>,
    auth: Authenticated,
) -> Result<StatusCode, ApiError> {
    state.identity.logout(&auth.token).await.map_err(problem)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's account. Their tenants are at `GET /v1/tenants`.
#[utoipa::path(
    get,
    path = "/v1/me",
    tag = "identity",
    security(("session" = [])),
    responses((status = 200, description = "The caller's account", body = MeResponse))
)]
pub(crate) async fn me(
    State(state): State<IdentityState>,
    auth: Authenticated,
) -> Result<axum::Json<MeResponse>, ApiError> {
    let user = state.identity.me(auth.user).await.map_err(problem)?;
    Ok(axum::Json(MeResponse { user: user.into() }))
}

/// Mails a password reset link to the account with this email, if there is one. The answer is
/// the same either way, so it tells nobody which emails have accounts. The link works once,
/// for an hour.
#[utoipa::path(
    post,
    path = "/v1/password-resets",
    tag = "identity",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If the email has an account, a reset mail is on its way"),
        (
            status = 429,
            description = "Too many resets from this address or for this email",
            body = Problem
        ),
    )
)]
pub(crate) async fn request_password_reset(
    State(state): State<IdentityState>,
    limits: RateLimits,
    Json(body): Json<PasswordResetRequest>,
) -> Result<StatusCode, ApiError> {
    let email = Email::parse(&body.email)?;
    limits
        .check(&crate::limits::PASSWORD_RESET_PER_ACCOUNT, email.as_str())
        .await?;
    state
        .identity
        .request_password_reset(&email)
        .await
        .map_err(problem)?;
    Ok(StatusCode::ACCEPTED)
}

/// Sets a new password with the token from a reset mail, and ends every session of the
/// account: log in again with the new password.
#[utoipa::path(
    post,
    path = "/v1/password-resets/confirm",
    tag = "identity",
    request_body = PasswordResetConfirmation,
    responses(
        (status = 204, description = "The password is changed and every session has ended"),
        (
            status = 404,
            description = "No live reset has this token: used, expired, or never issued",
            body = Problem
        ),
        (status = 429, description = "Too many resets from this address", body = Problem),
    )
)]
pub(crate) async fn confirm_password_reset(
    State(state): State<IdentityState>,
    Json(body): Json<PasswordResetConfirmation>,
) -> Result<StatusCode, ApiError> {
    let mut fields = Fields::default();
    let token = SessionToken::parse(&body.token);
    if token.is_none() {
        fields.check::<()>(Err(kernel::ValidationError::new(
            "token",
            "is not a reset token",
        )));
    }
    let password = fields.check(Password::parse(body.password));
    let (Some(token), Some(password)) = (token, password) else {
        return Err(fields.into_error());
    };
    state
        .identity
        .reset_password(&token, password)
        .await
        .map_err(problem)?;
    Ok(StatusCode::NO_CONTENT)
}
