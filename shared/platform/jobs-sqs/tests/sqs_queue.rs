//! The queue contract on SQS, served by moto: a fresh queue and dead-letter queue per test,
//! with a redrive policy that moves a message after `MAX_RECEIVES` deliveries.

use jobs::{DynDeadLetters, DynQueue};
use testkit::queue_contract::{self, MAX_RECEIVES};

async fn both() -> (Box<DynQueue<'static>>, Box<DynDeadLetters<'static>>) {
    let queue = testkit::sqs::fresh_queue(MAX_RECEIVES).await;
    (
        DynQueue::new_box(queue.clone()),
        DynDeadLetters::new_box(queue),
    )
}

#[tokio::test]
async fn delivers_and_hides() {
    let (queue, _) = both().await;
    queue_contract::delivers_and_hides(&queue).await;
}

#[tokio::test]
async fn redelivers_what_is_not_deleted() {
    let (queue, _) = both().await;
    queue_contract::redelivers_what_is_not_deleted(&queue).await;
}

#[tokio::test]
async fn retries_after_the_delay() {
    let (queue, _) = both().await;
    queue_contract::retries_after_the_delay(&queue).await;
}

#[tokio::test]
async fn dead_letters_after_max_receives() {
    let (queue, dead) = both().await;
    queue_contract::dead_letters_after_max_receives(&queue, &dead).await;
}

#[tokio::test]
async fn dead_letters_at_once_and_purges() {
    let (queue, dead) = both().await;
    queue_contract::dead_letters_at_once_and_purges(&queue, &dead).await;
}

/// Batches over SQS's limit of ten are split, and every message arrives.
#[tokio::test]
async fn sends_more_than_one_batch() {
    let (queue, _) = both().await;
    let bodies: Vec<String> = (0..23).map(|i| format!("m{i}")).collect();
    jobs::Queue::send(&*queue, &bodies).await.unwrap();
    let got = queue_contract::receive_n(&queue, 23, std::time::Duration::from_secs(60)).await;
    assert_eq!(got.len(), 23);
}

/// SQS that does not answer is an unavailable dependency, not a panic.
#[tokio::test]
async fn a_closed_port_is_unavailable() {
    let queue = testkit::sqs::unreachable_queue();
    let err = jobs::Queue::send(&queue, &["x".to_owned()])
        .await
        .unwrap_err();
    assert!(!err.to_string().is_empty());
}
