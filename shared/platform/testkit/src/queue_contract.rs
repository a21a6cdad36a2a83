//! One contract for every adapter of the jobs [`Queue`] and [`DeadLetters`] ports: the embedded
//! SQL queue on both drivers and SQS on moto. A queue under test dead-letters a message on its
//! [`MAX_RECEIVES`]-th failed delivery and starts empty.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use jobs::{DeadLetters, Delivery, DynDeadLetters, DynQueue, Queue};

/// Deliveries before a message moves to the dead-letter queue, in every queue under test.
pub const MAX_RECEIVES: u32 = 2;

/// The shortest visibility every adapter honours (SQS counts in whole seconds).
const SHORT: Duration = Duration::from_secs(1);
const LONG: Duration = Duration::from_secs(60);

/// Receives until `want` messages arrived or 10 s passed: SQS may answer a receive with only
/// some of the visible messages.
pub async fn receive_n(queue: &DynQueue<'_>, want: usize, visibility: Duration) -> Vec<Delivery> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    while got.len() < want && Instant::now() < deadline {
        let batch = queue
            .receive(10, visibility)
            .await
            .unwrap_or_else(|e| panic!("receive: {e}"));
        if batch.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        got.extend(batch);
    }
    got
}

fn bodies(deliveries: &[Delivery]) -> BTreeSet<String> {
    deliveries.iter().map(|d| d.body.clone()).collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

async fn wait_past(visibility: Duration) {
    tokio::time::sleep(visibility + Duration::from_millis(300)).await;
}

/// Sent messages arrive once each, counted as first deliveries, and stay hidden while leased.
pub async fn delivers_and_hides(queue: &DynQueue<'_>) {
    queue.send(&strings(&["a", "b", "c"])).await.unwrap();
    let got = receive_n(queue, 3, LONG).await;
    assert_eq!(
        bodies(&got),
        BTreeSet::from(["a".into(), "b".into(), "c".into()])
    );
    assert!(got.iter().all(|d| d.receive_count == 1), "{got:?}");
    let ids: BTreeSet<_> = got.iter().map(|d| d.message_id.clone()).collect();
    assert_eq!(ids.len(), 3, "distinct message ids");
    let again = queue.receive(10, LONG).await.unwrap();
    assert!(
        again.is_empty(),
        "leased messages were delivered again: {again:?}"
    );
}

/// A deleted message never returns; one left undeleted returns after its visibility, counted.
pub async fn redelivers_what_is_not_deleted(queue: &DynQueue<'_>) {
    queue.send(&strings(&["done", "dropped"])).await.unwrap();
    let got = receive_n(queue, 2, SHORT).await;
    assert_eq!(got.len(), 2, "{got:?}");
    let done = got.iter().find(|d| d.body == "done").unwrap();
    queue.delete(&done.receipt).await.unwrap();
    wait_past(SHORT).await;
    let again = receive_n(queue, 1, LONG).await;
    assert_eq!(bodies(&again), BTreeSet::from(["dropped".into()]));
    assert_eq!(again[0].receive_count, 2);
    queue.delete(&again[0].receipt).await.unwrap();
    wait_past(SHORT).await;
    assert!(queue.receive(10, LONG).await.unwrap().is_empty());
}

/// `retry_after` brings a message back after the delay, not before.
pub async fn retries_after_the_delay(queue: &DynQueue<'_>) {
    queue.send(&strings(&["later"])).await.unwrap();
    let got = receive_n(queue, 1, LONG).await;
    queue
        .retry_after(&got[0].receipt, Duration::from_secs(2))
        .await
        .unwrap();
    assert!(
        queue.receive(10, LONG).await.unwrap().is_empty(),
        "back before its delay"
    );
    wait_past(Duration::from_secs(2)).await;
    let again = receive_n(queue, 1, LONG).await;
    assert_eq!(bodies(&again), BTreeSet::from(["later".into()]));
}

/// A message failed on every one of its deliveries ends among the dead letters, and a replay
/// delivers it again.
pub async fn dead_letters_after_max_receives(queue: &DynQueue<'_>, dead: &DynDeadLetters<'_>) {
    queue.send(&strings(&["poison"])).await.unwrap();
    for attempt in 1..=MAX_RECEIVES {
        let got = receive_n(queue, 1, SHORT).await;
        assert_eq!(got.len(), 1, "delivery {attempt}");
        assert_eq!(got[0].receive_count, attempt);
        wait_past(SHORT).await;
    }
    assert!(
        queue.receive(10, LONG).await.unwrap().is_empty(),
        "delivered past the maximum"
    );
    let letters = list_n(dead, 1).await;
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0].body, "poison");
    dead.replay(&letters[0]).await.unwrap();
    let again = receive_n(queue, 1, LONG).await;
    assert_eq!(bodies(&again), BTreeSet::from(["poison".into()]));
    assert!(
        list_n(dead, 0).await.is_empty(),
        "replayed letter still dead"
    );
}

/// `dead_letter` moves a message at once; `purge` empties the dead letters.
pub async fn dead_letters_at_once_and_purges(queue: &DynQueue<'_>, dead: &DynDeadLetters<'_>) {
    queue.send(&strings(&["bad", "worse"])).await.unwrap();
    for delivery in receive_n(queue, 2, SHORT).await {
        queue.dead_letter(&delivery).await.unwrap();
    }
    wait_past(SHORT).await;
    assert!(queue.receive(10, LONG).await.unwrap().is_empty());
    let letters = list_n(dead, 2).await;
    assert_eq!(
        letters
            .iter()
            .map(|l| l.body.as_str())
            .collect::<BTreeSet<_>>(),
        BTreeSet::from(["bad", "worse"])
    );
    dead.purge().await.unwrap();
    assert!(list_n(dead, 0).await.is_empty());
}

/// Lists until `want` letters appeared (or 10 s passed); with `want == 0`, one short look.
async fn list_n(dead: &DynDeadLetters<'_>, want: usize) -> Vec<jobs::DeadLetter> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let letters = dead.list(10, SHORT).await.unwrap();
        if letters.len() >= want || Instant::now() >= deadline {
            if want == 0 {
                wait_past(SHORT).await;
            }
            return letters;
        }
        wait_past(SHORT).await;
    }
}
