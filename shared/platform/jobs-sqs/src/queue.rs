use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{
    MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry,
};
use jobs::{DeadLetter, DeadLetters, Delivery, Queue, Receipt};
use kernel::Unavailable;
use tokio::sync::OnceCell;

use aws_sdk_setup::sdk_config;

/// SQS takes at most ten messages per batch call.
const BATCH: usize = 10;
/// The longest visibility SQS accepts: twelve hours.
const MAX_VISIBILITY: Duration = Duration::from_secs(12 * 3600);

/// One SQS queue and its dead-letter queue.
#[derive(Debug, Clone)]
pub struct SqsQueue {
    client: Arc<OnceCell<Client>>,
    url: String,
    dlq_url: Arc<OnceCell<String>>,
    /// How long a receive waits for messages: zero polls once (tests, the jobs CLI), up to
    /// 20 s long-polls.
    wait: Duration,
}

#[derive(Debug, thiserror::Error)]
enum SqsError {
    #[error("{0}")]
    Sdk(String),
    #[error("{failed} of a batch of {total} messages were not sent: {reason}")]
    Partial {
        failed: usize,
        total: usize,
        reason: String,
    },
    #[error("the queue has no redrive policy naming a dead-letter queue")]
    NoDeadLetterQueue,
}

fn sdk(err: impl Error) -> Unavailable {
    Unavailable::new(SqsError::Sdk(DisplayErrorContext(err).to_string()))
}

/// Whole seconds, rounded up, within what SQS accepts.
fn seconds(duration: Duration) -> i32 {
    let secs = duration.min(MAX_VISIBILITY).as_secs_f64().ceil();
    // At most 43,200: always fits.
    secs as i32
}

impl SqsQueue {
    /// The queue at `url`; its dead-letter queue is `dlq_url`, or the redrive policy's. The
    /// client is built on [`sdk_config`] at the first call.
    pub fn new(url: impl Into<String>, dlq_url: Option<String>) -> Self {
        Self {
            client: Arc::default(),
            url: url.into(),
            dlq_url: Arc::new(dlq_url.map(OnceCell::from).unwrap_or_default()),
            wait: Duration::ZERO,
        }
    }

    /// The same queue through `client`, for an endpoint or credentials of the caller's choosing.
    pub fn with_client(mut self, client: Client) -> Self {
        self.client = Arc::new(OnceCell::from(client));
        self
    }

    /// Receives wait up to `wait` (at most 20 s) for a message.
    pub fn long_polling(mut self, wait: Duration) -> Self {
        self.wait = wait.min(Duration::from_secs(20));
        self
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async { Client::new(sdk_config().await) })
            .await
    }

    async fn dlq_url(&self) -> Result<&str, Unavailable> {
        let url = self
            .dlq_url
            .get_or_try_init(|| async {
                let client = self.client().await;
                let attributes = client
                    .get_queue_attributes()
                    .queue_url(&self.url)
                    .attribute_names(QueueAttributeName::RedrivePolicy)
                    .send()
                    .await
                    .map_err(sdk)?;
                let arn = attributes
                    .attributes()
                    .and_then(|a| a.get(&QueueAttributeName::RedrivePolicy))
                    .and_then(|policy| serde_json::from_str::<serde_json::Value>(policy).ok())
                    .and_then(|policy| policy["deadLetterTargetArn"].as_str().map(str::to_owned))
                    .ok_or_else(|| Unavailable::new(SqsError::NoDeadLetterQueue))?;
                let name = arn.rsplit(':').next().unwrap_or_default();
                let found = client
                    .get_queue_url()
                    .queue_name(name)
                    .send()
                    .await
                    .map_err(sdk)?;
                found
                    .queue_url()
                    .map(str::to_owned)
                    .ok_or_else(|| Unavailable::new(SqsError::NoDeadLetterQueue))
            })
            .await?;
        Ok(url)
    }

    async fn receive_from(
        &self,
        url: &str,
        max: i32,
        visibility: Duration,
    ) -> Result<Vec<aws_sdk_sqs::types::Message>, Unavailable> {
        let out = self
            .client()
            .await
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max.clamp(1, 10))
            .visibility_timeout(seconds(visibility))
            .wait_time_seconds(seconds(self.wait))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(sdk)?;
        Ok(out.messages.unwrap_or_default())
    }
}

impl Queue for SqsQueue {
    #[tracing::instrument(name = "sqs.send", skip_all, fields(count = bodies.len()))]
    async fn send(&self, bodies: &[String]) -> Result<(), Unavailable> {
        let client = self.client().await;
        for chunk in bodies.chunks(BATCH) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, body)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(body)
                        .build()
                        .map_err(sdk)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let out = client
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(sdk)?;
            if let Some(first) = out.failed().first() {
                return Err(Unavailable::new(SqsError::Partial {
                    failed: out.failed().len(),
                    total: chunk.len(),
                    reason: first.message().unwrap_or(first.code()).to_owned(),
                }));
            }
        }
        Ok(())
    }

    async fn receive(&self, max: u16, visibility: Duration) -> Result<Vec<Delivery>, Unavailable> {
        let messages = self
            .receive_from(&self.url, i32::from(max), visibility)
            .await?;
        Ok(messages
            .into_iter()
            .map(|m| Delivery {
                receive_count: m
                    .attributes()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1),
                message_id: m.message_id.unwrap_or_default(),
                receipt: Receipt(m.receipt_handle.unwrap_or_default()),
                body: m.body.unwrap_or_default(),
            })
            .collect())
    }

    async fn delete(&self, receipt: &Receipt) -> Result<(), Unavailable> {
        self.client()
            .await
            .delete_message()
            .queue_url(&self.url)
            .receipt_handle(&receipt.0)
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn retry_after(&self, receipt: &Receipt, delay: Duration) -> Result<(), Unavailable> {
        self.client()
            .await
            .change_message_visibility()
            .queue_url(&self.url)
            .receipt_handle(&receipt.0)
            .visibility_timeout(seconds(delay))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    /// Sends a copy to the dead-letter queue, then deletes the original: at worst (a failure
    /// between the two) the message is both dead and retried, never lost.
    async fn dead_letter(&self, delivery: &Delivery) -> Result<(), Unavailable> {
        let dlq = self.dlq_url().await?;
        self.client()
            .await
            .send_message()
            .queue_url(dlq)
            .message_body(&delivery.body)
            .send()
            .await
            .map_err(sdk)?;
        self.delete(&delivery.receipt).await
    }
}

impl DeadLetters for SqsQueue {
    /// Receives from the dead-letter queue, hiding each letter for `hold` so a later replay
    /// can use its receipt and a repeated receive does not list it twice.
    async fn list(&self, max: usize, hold: Duration) -> Result<Vec<DeadLetter>, Unavailable> {
        let dlq = self.dlq_url().await?.to_owned();
        let mut letters = Vec::new();
        while letters.len() < max {
            let want = i32::try_from(max - letters.len()).unwrap_or(10);
            let batch = self.receive_from(&dlq, want, hold).await?;
            if batch.is_empty() {
                break;
            }
            letters.extend(batch.into_iter().map(|m| DeadLetter {
                message_id: m.message_id.unwrap_or_default(),
                receipt: Receipt(m.receipt_handle.unwrap_or_default()),
                body: m.body.unwrap_or_default(),
            }));
        }
        Ok(letters)
    }

    async fn release(&self, letters: &[DeadLetter]) -> Result<(), Unavailable> {
        let dlq = self.dlq_url().await?;
        let client = self.client().await;
        for letter in letters {
            client
                .change_message_visibility()
                .queue_url(dlq)
                .receipt_handle(&letter.receipt.0)
                .visibility_timeout(0)
                .send()
                .await
                .map_err(sdk)?;
        }
        Ok(())
    }

    async fn replay(&self, letter: &DeadLetter) -> Result<(), Unavailable> {
        let dlq = self.dlq_url().await?;
        let client = self.client().await;
        client
            .send_message()
            .queue_url(&self.url)
            .message_body(&letter.body)
            .send()
            .await
            .map_err(sdk)?;
        client
            .delete_message()
            .queue_url(dlq)
            .receipt_handle(&letter.receipt.0)
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn purge(&self) -> Result<(), Unavailable> {
        let dlq = self.dlq_url().await?;
        self.client()
            .await
            .purge_queue()
            .queue_url(dlq)
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }
}
