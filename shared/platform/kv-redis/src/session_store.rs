use std::fmt::Write;

use kernel::{Unavailable, UserId};
use redis::Script;
use sessions::{Session, SessionStore, TokenHash};
use time::OffsetDateTime;

use crate::Redis;
use crate::connection::unavailable;

/// Stores a session until its expiry and files it under its user. The user's set lives as long
/// as their longest session, and drops the sessions that have ended, so it stays small.
const INSERT: &str = r"
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', 'session:' .. member) == 0 then
    redis.call('SREM', KEYS[2], member)
  end
end
redis.call('SADD', KEYS[2], ARGV[3])
if redis.call('PEXPIRETIME', KEYS[2]) < tonumber(ARGV[2]) then
  redis.call('PEXPIREAT', KEYS[2], ARGV[2])
end
return 1
";

/// Deletes a session and its entry in its user's set; 1 when there was one.
const DELETE: &str = r"
local value = redis.call('GET', KEYS[1])
if not value then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('SREM', 'user-sessions:' .. string.match(value, '^%S+'), ARGV[1])
return 1
";

/// Deletes every session filed under a user, and the set; returns how many were live.
const DELETE_USER: &str = r"
local deleted = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  deleted = deleted + redis.call('DEL', 'session:' .. member)
end
redis.call('DEL', KEYS[1])
return deleted
";

/// Sessions in Redis: `session:<hash in hex>` holds `<user id> <expiry in Unix nanoseconds>`
/// and expires with the session; `user-sessions:<user id>` is the set of a user's hashes, so
/// ending all of a user's sessions is one script.
#[derive(Debug, Clone)]
pub struct RedisSessions {
    redis: Redis,
    insert: Script,
    delete: Script,
    delete_user: Script,
}

impl RedisSessions {
    pub fn new(redis: &Redis) -> Self {
        Self {
            redis: redis.clone(),
            insert: Script::new(INSERT),
            delete: Script::new(DELETE),
            delete_user: Script::new(DELETE_USER),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the session stored under a token hash is not `<user id> <expiry>`")]
struct CorruptSession;

fn hex(hash: &TokenHash) -> String {
    hash.as_bytes()
        .iter()
        .fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

fn session_key(hex: &str) -> String {
    format!("session:{hex}")
}

fn user_key(user: UserId) -> String {
    format!("user-sessions:{user}")
}

/// Milliseconds since the epoch, rounded up: the key outlives the session by less than one.
fn expiry_millis(at: OffsetDateTime) -> i128 {
    let nanos = at.unix_timestamp_nanos();
    nanos.div_euclid(1_000_000) + i128::from(nanos.rem_euclid(1_000_000) > 0)
}

fn decode(hash: TokenHash, value: &str) -> Option<Session> {
    let (user, nanos) = value.split_once(' ')?;
    Some(Session {
        token_hash: hash,
        user_id: user.parse().ok()?,
        expires_at: OffsetDateTime::from_unix_timestamp_nanos(nanos.parse().ok()?).ok()?,
    })
}

impl SessionStore for RedisSessions {
    #[tracing::instrument(name = "sessions.insert", skip_all)]
    async fn insert(&self, session: &Session) -> Result<(), Unavailable> {
        let hex = hex(&session.token_hash);
        let value = format!(
            "{} {}",
            session.user_id,
            session.expires_at.unix_timestamp_nanos()
        );
        let mut conn = self.redis.connection().await?;
        self.insert
            .key(session_key(&hex))
            .key(user_key(session.user_id))
            .arg(value)
            .arg(expiry_millis(session.expires_at).to_string())
            .arg(&hex)
            .invoke_async::<()>(&mut conn)
            .await
            .map_err(unavailable)
    }

    /// Expired sessions are absent: Redis has dropped their keys, and one that expires within
    /// the last millisecond is filtered here.
    #[tracing::instrument(name = "sessions.find", skip_all)]
    async fn find(&self, hash: &TokenHash) -> Result<Option<Session>, Unavailable> {
        let mut conn = self.redis.connection().await?;
        let value: Option<String> = redis::cmd("GET")
            .arg(session_key(&hex(hash)))
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        let Some(value) = value else {
            return Ok(None);
        };
        let session = decode(*hash, &value).ok_or_else(|| Unavailable::new(CorruptSession))?;
        Ok((session.expires_at > OffsetDateTime::now_utc()).then_some(session))
    }

    #[tracing::instrument(name = "sessions.delete", skip_all)]
    async fn delete(&self, hash: &TokenHash) -> Result<bool, Unavailable> {
        let hex = hex(hash);
        let mut conn = self.redis.connection().await?;
        let deleted: i64 = self
            .delete
            .key(session_key(&hex))
            .arg(&hex)
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(deleted > 0)
    }

    #[tracing::instrument(name = "sessions.delete_user", skip_all)]
    async fn delete_user(&self, user: UserId) -> Result<u64, Unavailable> {
        let mut conn = self.redis.connection().await?;
        let deleted: u64 = self
            .delete_user
            .key(user_key(user))
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_rounds_up_to_the_millisecond() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_000_000_001).unwrap();
        assert_eq!(expiry_millis(at), 1001);
        let exact = OffsetDateTime::from_unix_timestamp_nanos(2_000_000_000).unwrap();
        assert_eq!(expiry_millis(exact), 2000);
    }

    #[test]
    fn stored_values_decode_and_garbage_does_not() {
        let hash = TokenHash::from_bytes(&[7; 32]).unwrap();
        let user = UserId::generate();
        let found = decode(hash, &format!("{user} 1700000000123456789")).unwrap();
        assert_eq!(found.user_id, user);
        assert_eq!(
            found.expires_at.unix_timestamp_nanos(),
            1_700_000_000_123_456_789
        );
        assert!(decode(hash, "not-a-user 1").is_none());
        assert!(decode(hash, &user.to_string()).is_none());
        assert_eq!(hex(&hash), "07".repeat(32));
    }
}
