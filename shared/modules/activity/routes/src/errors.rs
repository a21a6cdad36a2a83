//! The activity module's errors, as HTTP problems.

use activity::ActivityError;
use web::ApiError;

pub(crate) fn problem(err: ActivityError) -> ApiError {
    match err {
        ActivityError::TenantNotFound => ApiError::NotFound("tenant"),
        ActivityError::Unavailable(cause) => ApiError::unavailable(cause),
    }
}
