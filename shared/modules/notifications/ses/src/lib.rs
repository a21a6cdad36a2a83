//! The notifications module's [`Mailer`] on Amazon SES (the v2 `SendEmail` API), for
//! production: no SMTP credentials to keep, and the function's role is the only permission.
//!
//! Each mail goes as a simple message (subject, text and HTML parts) from the configured
//! sender, whose address or domain must be a verified SES identity. The client is built on the
//! process's shared SDK configuration at the first send, never at cold start.
//!
//! Failures are classified for the retry policy: SES refusing the message itself (an
//! unverified sender, a malformed address, a recipient on the account's suppression list) is
//! [`MailError::Rejected`](notifications::MailError::Rejected); throttling, a paused account,
//! server errors and transport failures are
//! [`MailError::Transient`](notifications::MailError::Transient).

use std::sync::Arc;

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{DisplayErrorContext, SdkError};
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use notifications::{Mail, MailError, Mailer};
use tokio::sync::OnceCell;

/// Sends mails through SES.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Arc<OnceCell<Client>>,
    /// The `From` of every mail, as `Name <address>` or a bare address.
    from: String,
    configuration_set: Option<String>,
}

impl SesMailer {
    /// Mails from `from` (a verified identity), tracked under `configuration_set` if given.
    pub fn new(from: impl Into<String>, configuration_set: Option<String>) -> Self {
        Self {
            client: Arc::default(),
            from: from.into(),
            configuration_set,
        }
    }

    /// The same mailer through `client`, for an endpoint or credentials of the caller's choosing.
    pub fn with_client(mut self, client: Client) -> Self {
        self.client = Arc::new(OnceCell::from(client));
        self
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async { Client::new(aws_sdk_setup::sdk_config().await) })
            .await
    }
}

fn utf8(data: &str) -> Result<Content, MailError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(MailError::rejected)
}

/// What SES says about the message itself, as opposed to its own state or the network.
fn classify(err: SdkError<SendEmailError>) -> MailError {
    let text = DisplayErrorContext(&err).to_string();
    let permanent = matches!(
        err.as_service_error(),
        Some(
            SendEmailError::MessageRejected(_)
                | SendEmailError::MailFromDomainNotVerifiedException(_)
                | SendEmailError::BadRequestException(_)
                | SendEmailError::NotFoundException(_)
        )
    );
    if permanent {
        MailError::rejected(text)
    } else {
        MailError::transient(text)
    }
}

impl Mailer for SesMailer {
    #[tracing::instrument(name = "mailer.ses.send", skip_all, fields(mail_id = %mail.id))]
    async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let message = Message::builder()
            .subject(utf8(&mail.subject)?)
            .body(
                Body::builder()
                    .text(utf8(&mail.text)?)
                    .html(utf8(&mail.html)?)
                    .build(),
            )
            .build();
        self.client()
            .await
            .send_email()
            .from_email_address(&self.from)
            .destination(
                Destination::builder()
                    .to_addresses(mail.to.as_str())
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}
