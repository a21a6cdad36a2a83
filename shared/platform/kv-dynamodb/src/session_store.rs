use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, ReturnValue, WriteRequest};
use aws_sdk_setup::sdk_config;
use kernel::{Unavailable, UserId};
use sessions::{Session, SessionStore, TokenHash};
use time::OffsetDateTime;
use tokio::sync::OnceCell;

use crate::client::{client, contended, corrupt, now_secs, number, read_number, sdk, string};

/// The global secondary index on `user_id` (keys only) that finds a user's sessions.
const BY_USER: &str = "by_user";
/// BatchWriteItem takes at most 25 requests.
const BATCH: usize = 25;
/// Sends of one batch's unprocessed deletes before giving up, with a doubling pause between.
const BATCH_ATTEMPTS: u32 = 5;

type Item = HashMap<String, AttributeValue>;

/// Sessions in a DynamoDB table: an item per session, `pk = s#<token hash in hex>`, with
/// `user_id` (String) and `expires_at` (Number, epoch seconds: the table's TTL attribute). The
/// `by_user` index finds a user's sessions; it is eventually consistent in DynamoDB, so a
/// session issued a moment before [`SessionStore::delete_user`] may outlive it.
#[derive(Debug, Clone)]
pub struct DynamoSessions {
    client: Arc<OnceCell<Client>>,
    table: Arc<str>,
}

impl DynamoSessions {
    /// The table named `table`, through a client built on [`sdk_config`] at the first call.
    pub fn new(table: String) -> Self {
        Self {
            client: Arc::default(),
            table: table.into(),
        }
    }

    /// The same through `client`, for an endpoint or credentials of the caller's choosing.
    pub fn with_client(client: Client, table: String) -> Self {
        Self {
            client: Arc::new(OnceCell::from(client)),
            table: table.into(),
        }
    }

    async fn client(&self) -> &Client {
        self.client
            .get_or_init(|| async { client(sdk_config().await.into()) })
            .await
    }

    /// Every key in the `by_user` index under `user`, page by page.
    async fn keys_of(&self, user: UserId) -> Result<Vec<Item>, Unavailable> {
        let mut keys = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client()
                .await
                .query()
                .table_name(&*self.table)
                .index_name(BY_USER)
                .key_condition_expression("user_id = :user")
                .expression_attribute_values(":user", string(user.to_string()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk)?;
            keys.extend(
                page.items
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|item| {
                        let pk = item.get("pk")?.clone();
                        Some(HashMap::from([("pk".to_owned(), pk)]))
                    }),
            );
            match page.last_evaluated_key {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => return Ok(keys),
            }
        }
    }

    /// Deletes up to 25 items in one BatchWriteItem, sending again what DynamoDB left
    /// unprocessed (it does under throttling).
    async fn delete_batch(&self, keys: &[Item]) -> Result<(), Unavailable> {
        let mut requests = keys
            .iter()
            .map(|key| {
                let delete = DeleteRequest::builder()
                    .set_key(Some(key.clone()))
                    .build()
                    .map_err(sdk)?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<Vec<_>, Unavailable>>()?;
        for attempt in 0..BATCH_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
            }
            let out = self
                .client()
                .await
                .batch_write_item()
                .request_items(&*self.table, requests)
                .send()
                .await
                .map_err(sdk)?;
            requests = out
                .unprocessed_items
                .and_then(|mut left| left.remove(&*self.table))
                .unwrap_or_default();
            if requests.is_empty() {
                return Ok(());
            }
        }
        Err(contended(
            "deletes stayed unprocessed: the table is throttling",
        ))
    }
}

/// `s#` and the token hash in hex.
fn pk(hash: &TokenHash) -> String {
    hash.as_bytes()
        .iter()
        .fold(String::from("s#"), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

fn decode(hash: TokenHash, item: &Item) -> Option<Session> {
    let user = item.get("user_id")?.as_s().ok()?.parse().ok()?;
    let expires_at = OffsetDateTime::from_unix_timestamp(read_number(item, "expires_at")?).ok()?;
    Some(Session {
        token_hash: hash,
        user_id: user,
        expires_at,
    })
}

impl SessionStore for DynamoSessions {
    #[tracing::instrument(name = "sessions.insert", skip_all)]
    async fn insert(&self, session: &Session) -> Result<(), Unavailable> {
        self.client()
            .await
            .put_item()
            .table_name(&*self.table)
            .item("pk", string(pk(&session.token_hash)))
            .item("user_id", string(session.user_id.to_string()))
            .item("expires_at", number(session.expires_at.unix_timestamp()))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    /// Expired sessions are absent, whether or not DynamoDB has deleted them yet.
    #[tracing::instrument(name = "sessions.find", skip_all)]
    async fn find(&self, hash: &TokenHash) -> Result<Option<Session>, Unavailable> {
        let pk = pk(hash);
        let out = self
            .client()
            .await
            .get_item()
            .table_name(&*self.table)
            .key("pk", string(&pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk)?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let session = decode(*hash, &item).ok_or_else(|| corrupt(&pk))?;
        Ok((session.expires_at.unix_timestamp() > now_secs()).then_some(session))
    }

    #[tracing::instrument(name = "sessions.delete", skip_all)]
    async fn delete(&self, hash: &TokenHash) -> Result<bool, Unavailable> {
        let out = self
            .client()
            .await
            .delete_item()
            .table_name(&*self.table)
            .key("pk", string(pk(hash)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(out.attributes.is_some_and(|old| !old.is_empty()))
    }

    #[tracing::instrument(name = "sessions.delete_user", skip_all)]
    async fn delete_user(&self, user: UserId) -> Result<u64, Unavailable> {
        let keys = self.keys_of(user).await?;
        for chunk in keys.chunks(BATCH) {
            self.delete_batch(chunk).await?;
        }
        Ok(keys.len() as u64)
    }
}
