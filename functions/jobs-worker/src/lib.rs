//! The jobs queue's consumers (the notifications module's mail, the webhooks module's
//! deliveries, the activity module's dashboard invalidation), as a library: the Lambda binary serves SQS batches with it, and
//! the local server runs the same consumers in-process on the embedded queue.

pub mod config;

use std::sync::Arc;
use std::time::Duration;

use activity::DashboardInvalidation;
use jobs::{Backoff, Consumer, Dispatcher, DynConsumer, JobError};
use kernel::Envelope;
use notifications::{HANDLES, Notifications, NotifyError};
use notifications_mail::{FileMailer, SmtpMailer};
use notifications_ses::SesMailer;
use runtime::Platform;
use webhooks::{DeliverConsumer, Webhooks};
use webhooks_http::{HttpSender, HttpSenderConfig};

pub use config::{MailConfig, Transport};

/// How long one consumer may work on one event before another delivery may claim it: within
/// the queue's visibility timeout (six times the worker's timeout).
pub const LEASE: Duration = Duration::from_secs(60);

/// Every consumer this function runs, over the platform's idempotency ledger: the mails, the
/// tenants' webhooks, and the cached dashboards that membership changes make stale.
pub fn dispatcher(
    platform: &Platform,
    notifications: Notifications,
    webhooks: Webhooks,
) -> Dispatcher {
    let consumers: Vec<Arc<DynConsumer<'static>>> = vec![
        DynConsumer::new_arc(Mail(notifications)),
        DynConsumer::new_arc(DeliverConsumer::new(webhooks)),
        DynConsumer::new_arc(DashboardInvalidation::new(platform.cache.clone())),
    ];
    Dispatcher::new(
        consumers,
        platform.jobs.ledger.clone(),
        Backoff::default(),
        LEASE,
    )
}

/// The webhooks module as the worker delivers with it: the platform's database, and a sender
/// held to the URL policy of `config`.
pub fn webhooks(platform: &Platform, config: HttpSenderConfig) -> anyhow::Result<Webhooks> {
    Ok(Webhooks::new(
        webhooks_sql::endpoints(&platform.backend),
        HttpSender::new(config)?,
        platform.clock.clone(),
        config.policy,
    ))
}

/// The notifications module on the configured mail transport.
pub fn notifications(mail: &MailConfig) -> anyhow::Result<Notifications> {
    let branding = mail.branding.clone();
    Ok(match &mail.transport {
        Transport::Files { dir, sender } => {
            Notifications::new(FileMailer::new(dir.clone(), sender.clone()), branding)
        }
        Transport::Smtp(smtp) => Notifications::new(SmtpMailer::new(smtp.clone())?, branding),
        Transport::Ses {
            from,
            configuration_set,
        } => Notifications::new(SesMailer::new(from, configuration_set.clone()), branding),
    })
}

/// The notifications module's mail, as a queue consumer.
struct Mail(Notifications);

impl Consumer for Mail {
    fn name(&self) -> &'static str {
        "notifications.mail"
    }

    fn wants(&self, kind: &str) -> bool {
        HANDLES.contains(&kind)
    }

    async fn handle(&self, envelope: &Envelope) -> Result<(), JobError> {
        self.0
            .handle(envelope)
            .await
            .map(drop)
            .map_err(|err: NotifyError| {
                if err.is_permanent() {
                    JobError::permanent(err)
                } else {
                    JobError::retryable(err)
                }
            })
    }
}
