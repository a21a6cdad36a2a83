//! The identity routes' rate limits. Every one of them guards a password hash or a mail, the
//! expensive and abusable parts of the API.

use std::time::Duration;

use web::Policy;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// Accounts one address may create.
pub const SIGNUP_PER_IP: Policy = Policy {
    name: "signup-ip",
    limit: 20,
    window: HOUR,
};

/// Login attempts from one address, whatever the account.
pub const LOGIN_PER_IP: Policy = Policy {
    name: "login-ip",
    limit: 30,
    window: MINUTE,
};

/// Login attempts on one account, whatever the address: guessing one account's password from
/// many addresses is as slow as from one.
pub const LOGIN_PER_ACCOUNT: Policy = Policy {
    name: "login-account",
    limit: 10,
    window: Duration::from_secs(15 * 60),
};

/// Reset requests and confirmations from one address.
pub const PASSWORD_RESET_PER_IP: Policy = Policy {
    name: "password-reset-ip",
    limit: 10,
    window: HOUR,
};

/// Reset mails to one address, so nobody can flood an inbox.
pub const PASSWORD_RESET_PER_ACCOUNT: Policy = Policy {
    name: "password-reset-account",
    limit: 5,
    window: HOUR,
};
