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
        IdentityError::InvalidResetToken => ApiError::NotFound("password reset"),
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

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;

    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("connection reset during COMMIT")]
    struct Reset;

    fn detail(err: ApiError) -> (StatusCode, String) {
        let status = err.status();
        match err {
            ApiError::Unavailable { detail, .. } => (status, detail.to_owned()),
            other => (status, other.to_string()),
        }
    }

    #[test]
    fn a_signup_with_an_unknown_outcome_says_to_log_in_before_retrying() {
        let unknown = IdentityError::Unavailable(Unavailable::outcome_unknown(Reset));
        let (status, text) = detail(signup_problem(unknown));
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            text.contains("log in with the same email and password"),
            "{text}"
        );
    }

    #[test]
    fn a_failure_before_the_commit_just_says_retry() {
        let (status, text) = detail(signup_problem(IdentityError::Unavailable(
            Unavailable::new(Reset),
        )));
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(text.contains("retry shortly"), "{text}");
    }

    #[test]
    fn an_account_without_a_session_is_told_to_log_in() {
        let err = IdentityError::SignedUpWithoutSession(Unavailable::new(Reset));
        let (status, text) = detail(problem(err));
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(text.contains("log in"), "{text}");
    }
}
