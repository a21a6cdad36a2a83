//! Request and response bodies. Field names here are the public API: add fields, never
//! rename them. The schemas carry the same limits the domain enforces.

use identity::User;
use serde::{Deserialize, Serialize};
use sessions::IssuedSession;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa::openapi::schema::Object;
use uuid::Uuid;

/// The new account's email, as `kernel::Email` accepts it.
fn signup_email() -> Object {
    web::openapi::email("The new account's email.")
        .examples(["ada@example.com"])
        .build()
}

/// The email to log in with: the same rules as at signup.
fn login_email() -> Object {
    web::openapi::email("The email the account signed up with.")
        .examples(["ada@example.com"])
        .build()
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SignupRequest {
    #[schema(schema_with = signup_email)]
    pub email: String,
    /// 12 to 128 characters.
    #[schema(
        example = "correct horse battery staple",
        min_length = 12,
        max_length = 128
    )]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct LoginRequest {
    #[schema(schema_with = login_email)]
    pub email: String,
    /// A password outside today's length policy is simply wrong (401), not malformed.
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PasswordResetRequest {
    #[schema(schema_with = login_email)]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct PasswordResetConfirmation {
    /// The token from the reset mail: 32 random bytes in unpadded base64url.
    #[schema(
        example = "q3Jx0cY1VnQ4m2Zc1F9Kx8u3b7WJ0YtR9pE2LhQk5aA",
        pattern = "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$"
    )]
    pub token: String,
    /// The new password: 12 to 128 characters.
    #[schema(
        example = "a much better passphrase",
        min_length = 12,
        max_length = 128
    )]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct UserBody {
    id: Uuid,
    email: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
}

impl From<User> for UserBody {
    fn from(user: User) -> Self {
        Self {
            id: user.id.as_uuid(),
            email: user.email.as_str().to_owned(),
            created_at: user.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SessionBody {
    /// The bearer token; send it as `Authorization: Bearer <token>`. Shown only once.
    token: String,
    user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    expires_at: OffsetDateTime,
}

impl From<IssuedSession> for SessionBody {
    fn from(session: IssuedSession) -> Self {
        Self {
            token: session.token.expose().to_owned(),
            user_id: session.user_id.as_uuid(),
            expires_at: session.expires_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignupResponse {
    #[serde(flatten)]
    pub session: SessionBody,
    pub user: UserBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MeResponse {
    pub user: UserBody,
}
