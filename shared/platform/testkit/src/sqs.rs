//! SQS queues on moto, made per test like the Terraform queues module makes them.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sqs::types::QueueAttributeName;
use jobs_sqs::SqsQueue;

/// An SQS client for `endpoint` with moto's credentials.
pub fn client_for(endpoint: &str) -> Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(aws_sdk_setup::http_client())
        .endpoint_url(endpoint)
        .region(Region::new(crate::REGION))
        .credentials_provider(Credentials::new(
            crate::ACCESS_KEY_ID,
            crate::SECRET_ACCESS_KEY,
            None,
            None,
            "moto",
        ))
        .build();
    Client::from_conf(config)
}

/// A new queue on moto with its own dead-letter queue, which takes a message after
/// `max_receives` deliveries. The adapter finds the dead-letter queue through the redrive
/// policy, as it does in AWS.
pub async fn fresh_queue(max_receives: u32) -> SqsQueue {
    let client = client_for(&crate::moto_endpoint());
    let name = format!("test-{}", uuid::Uuid::now_v7().simple());
    let dlq = client
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .expect("create the dead-letter queue");
    let dlq_url = dlq.queue_url().expect("dlq url").to_owned();
    let dlq_arn = client
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("dlq attributes")
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .expect("dlq arn");
    let policy = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": max_receives,
    });
    let queue = client
        .create_queue()
        .queue_name(&name)
        .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
        .send()
        .await
        .expect("create the queue");
    SqsQueue::new(queue.queue_url().expect("queue url"), None).with_client(client)
}

/// An SQS queue whose endpoint is a closed loopback port: SQS that is down.
pub fn unreachable_queue() -> SqsQueue {
    let endpoint = format!("http://127.0.0.1:{}", crate::free_port());
    SqsQueue::new(format!("{endpoint}/000000000000/down"), None).with_client(client_for(&endpoint))
}
