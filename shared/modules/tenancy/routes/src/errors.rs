//! The tenancy module's errors, as HTTP problems.

use tenancy::{TenancyError, Unique};
use web::{ApiError, FieldError};

pub(crate) fn problem(err: TenancyError) -> ApiError {
    match err {
        TenancyError::TenantNotFound => ApiError::NotFound("tenant"),
        TenancyError::MemberNotFound => ApiError::NotFound("member"),
        TenancyError::UnknownEmail => ApiError::Validation(vec![FieldError {
            field: "email".to_owned(),
            message: "no account uses this email".to_owned(),
        }]),
        TenancyError::Forbidden => ApiError::Forbidden("your role does not allow this"),
        TenancyError::LastOwner => ApiError::Conflict("a tenant must keep at least one owner"),
        TenancyError::Unique(Unique::Membership) => {
            ApiError::Conflict("the user is already a member")
        }
        TenancyError::Unavailable(cause) => ApiError::unavailable(cause),
    }
}
