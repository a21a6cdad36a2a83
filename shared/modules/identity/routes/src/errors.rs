//! The identity module's errors, as HTTP problems.

use identity::IdentityError;
use kernel::Unavailable;
use web::ApiError;

pub(crate) fn problem(err: IdentityError) -> ApiError {
    match err {
        IdentityError::EmailTaken => ApiError::Conflict("an account with this email exists"),
        IdentityError::WrongEmailOrPassword => {
            ApiError::Unauthenticated("email or password is wrong")
        }
        IdentityError::UnknownUser => {
            ApiError::Unauthenticated("a valid session token is required")
        }
        IdentityError::SignedUpWithoutSession(cause) => ApiError::Unavailable {
            cause,
            detail: "the account was created, but no session could be issued: log in",
        },
        IdentityError::Hashing(err) => ApiError::Unavailable {
            cause: Unavailable::new(err),
            detail: "password checks are unavailable; retry shortly",
        },
        IdentityError::Unavailable(cause) => ApiError::unavailable(cause),
    }
}

/// A signup whose commit may or may not have landed must not turn its retry into a 409: the
/// problem says to log in with the same email and password to find out.
pub(crate) fn signup_problem(err: IdentityError) -> ApiError {
    match err {
        IdentityError::Unavailable(cause) if cause.is_outcome_unknown() => ApiError::Unavailable {
            cause,
            detail: "the signup may have completed: log in with the same email and password \
                     before signing up again",
        },
        other => problem(other),
    }
}
