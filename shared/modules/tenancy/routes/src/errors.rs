//! The tenancy module's errors, as HTTP problems.

use tenancy::{TenancyError, Unique};
use web::ApiError;

pub(crate) fn problem(err: TenancyError) -> ApiError {
    match err {
        TenancyError::TenantNotFound => ApiError::NotFound("tenant"),
        TenancyError::MemberNotFound => ApiError::NotFound("member"),
        TenancyError::InvitationNotFound => ApiError::NotFound("invitation"),
        TenancyError::InvitationForAnotherEmail => {
            ApiError::Forbidden("the invitation is for another email: log in with that one")
        }
        TenancyError::InvitationWithdrawn => {
            ApiError::Forbidden("the invitation is no longer valid: ask for a new one")
        }
        TenancyError::Forbidden => ApiError::Forbidden("your role does not allow this"),
        TenancyError::LastOwner => ApiError::Conflict("a tenant must keep at least one owner"),
        TenancyError::Unique(Unique::Membership) => {
            ApiError::Conflict("the user is already a member")
        }
        TenancyError::Unavailable(cause) => ApiError::unavailable(cause),
    }
}
