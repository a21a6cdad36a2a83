//! The mail settings, from the environment. `MAIL_TRANSPORT` chooses: `ses` (Amazon SES, from
//! the function's role), `smtp` (`SMTP_HOST` and friends), or `files` (`.eml` files in
//! `MAIL_DIR`, the embedded default). Unset, it is `smtp` when `SMTP_HOST` is set, else `files`.

use std::path::PathBuf;
use std::time::Duration;

use kernel::Email;
use notifications::Branding;
use notifications_mail::{Sender, SmtpConfig, SmtpCredentials, SmtpTls};

/// Where mail goes when nothing is configured.
pub const DEFAULT_MAIL_DIR: &str = "data/mail";

#[derive(Debug, Clone)]
pub struct MailConfig {
    pub transport: Transport,
    pub branding: Branding,
}

#[derive(Debug, Clone)]
pub enum Transport {
    Files {
        dir: PathBuf,
        sender: Sender,
    },
    Smtp(SmtpConfig),
    /// `from` is `"<APP_NAME> <MAIL_FROM>"`, a verified SES identity.
    Ses {
        from: String,
        configuration_set: Option<String>,
    },
}

/// A mail setting that cannot work, naming its variable.
#[derive(Debug, thiserror::Error)]
#[error("{name} is invalid: {reason}")]
pub struct MailConfigError {
    pub name: &'static str,
    pub reason: String,
}

fn invalid(name: &'static str, reason: impl ToString) -> MailConfigError {
    MailConfigError {
        name,
        reason: reason.to_string(),
    }
}

impl MailConfig {
    pub fn from_env() -> Result<Self, MailConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, MailConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let product = get("APP_NAME").unwrap_or_else(|| "SaaS".into());
        let from = get("MAIL_FROM").unwrap_or_else(|| "no-reply@example.com".into());
        let address = Email::parse(&from).map_err(|e| invalid("MAIL_FROM", e))?;
        let sender =
            Sender::new(Some(product.clone()), &address).map_err(|e| invalid("MAIL_FROM", e))?;
        let kind = match get("MAIL_TRANSPORT").map(|t| t.to_ascii_lowercase()) {
            Some(kind) if ["files", "smtp", "ses"].contains(&kind.as_str()) => kind,
            Some(_) => return Err(invalid("MAIL_TRANSPORT", "must be files, smtp or ses")),
            None if get("SMTP_HOST").is_some() => "smtp".into(),
            None => "files".into(),
        };
        let transport = match (kind.as_str(), get("SMTP_HOST")) {
            ("ses", _) => Transport::Ses {
                from: format!("{product} <{}>", address.as_str()),
                configuration_set: get("SES_CONFIGURATION_SET"),
            },
            ("files", _) => Transport::Files {
                dir: get("MAIL_DIR")
                    .unwrap_or_else(|| DEFAULT_MAIL_DIR.into())
                    .into(),
                sender,
            },
            (_, None) => {
                return Err(invalid(
                    "SMTP_HOST",
                    "is required when MAIL_TRANSPORT is smtp",
                ));
            }
            (_, Some(host)) => {
                let tls = match get("SMTP_TLS")
                    .as_deref()
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    None | Some("starttls") => SmtpTls::StartTls,
                    Some("implicit") => SmtpTls::Implicit,
                    Some("none") => SmtpTls::None,
                    Some(_) => {
                        return Err(invalid("SMTP_TLS", "must be starttls, implicit or none"));
                    }
                };
                let default_port = if tls == SmtpTls::Implicit { 465 } else { 587 };
                let port = match get("SMTP_PORT") {
                    None => default_port,
                    Some(port) => port
                        .parse()
                        .ok()
                        .filter(|p| *p > 0)
                        .ok_or_else(|| invalid("SMTP_PORT", "must be a port number"))?,
                };
                let credentials = get("SMTP_USERNAME").map(|username| SmtpCredentials {
                    username,
                    password: get("SMTP_PASSWORD").unwrap_or_default(),
                });
                Transport::Smtp(SmtpConfig {
                    host,
                    port,
                    tls,
                    credentials,
                    sender,
                    timeout: Duration::from_secs(10),
                })
            }
        };
        Ok(Self {
            transport,
            branding: Branding {
                product,
                base_url: get("APP_BASE_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into()),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<MailConfig, MailConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        MailConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_to_files_in_the_mail_dir() {
        let config = config(&[]).unwrap();
        assert!(matches!(&config.transport, Transport::Files { dir, .. } if dir.ends_with("mail")));
        let config = self::config(&[("MAIL_DIR", "/tmp/outbox")]).unwrap();
        assert!(
            matches!(&config.transport, Transport::Files { dir, .. } if dir.as_os_str() == "/tmp/outbox")
        );
    }

    #[test]
    fn an_smtp_host_means_smtp_over_starttls() {
        let config = config(&[("SMTP_HOST", "smtp.example.com"), ("SMTP_USERNAME", "u")]).unwrap();
        let Transport::Smtp(smtp) = config.transport else {
            panic!("expected SMTP");
        };
        assert_eq!((smtp.port, smtp.tls), (587, SmtpTls::StartTls));
        assert_eq!(smtp.credentials.map(|c| c.username), Some("u".into()));
    }

    #[test]
    fn ses_sends_from_the_product_and_address() {
        let config = config(&[
            ("MAIL_TRANSPORT", "ses"),
            ("APP_NAME", "Acme"),
            ("MAIL_FROM", "hello@acme.test"),
        ])
        .unwrap();
        let Transport::Ses {
            from,
            configuration_set,
        } = config.transport
        else {
            panic!("expected SES");
        };
        assert_eq!(
            (from.as_str(), configuration_set),
            ("Acme <hello@acme.test>", None)
        );
        let err = self::config(&[("MAIL_TRANSPORT", "smtp")])
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.starts_with("SMTP_HOST")));
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("MAIL_FROM", "nobody"),
            ("SMTP_TLS", "maybe"),
            ("SMTP_PORT", "0"),
            ("MAIL_TRANSPORT", "pigeon"),
        ] {
            let err = config(&[("SMTP_HOST", "smtp.example.com"), (name, value)])
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.starts_with(name), "{name}={value}: {err:?}");
        }
    }
}
