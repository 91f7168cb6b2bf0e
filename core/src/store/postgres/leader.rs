//! The poller election: a session advisory lock held on a connection of its
//! own (a pooled one would go back to the pool still holding it). When that
//! connection dies, PostgreSQL releases the lock, and the leader's next
//! statement on it fails, so it steps down at once. Publishing goes through
//! the same connection: only the lock's holder can publish.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{ConnectOptions, PgConnection};
use tokio::sync::Mutex;

use super::{Db, store_error};
use crate::store::{AlertSnapshots, Leadership, Published, StoreResult};

/// The key of the leader's lock, in a namespace of its own.
const LEADER_LOCK: &str = "alerts:poller-leader";

pub(super) struct PgSnapshots {
    db: Db,
    /// A follower's connection for lock attempts, kept between them so
    /// trying every interval does not connect every interval.
    contender: Mutex<Option<PgConnection>>,
}

impl PgSnapshots {
    pub(super) fn new(db: Db) -> PgSnapshots {
        PgSnapshots {
            db,
            contender: Mutex::new(None),
        }
    }
}

#[async_trait::async_trait]
impl AlertSnapshots for PgSnapshots {
    async fn try_lead(&self, leader: &str) -> StoreResult<Option<Box<dyn Leadership>>> {
        let mut slot = self.contender.lock().await;
        let mut conn = match slot.take() {
            Some(conn) => conn,
            None => self
                .db
                .pool
                .connect_options()
                .connect()
                .await
                .map_err(store_error)?,
        };
        // On an error the connection is dropped: the next try connects anew.
        let won: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
            .bind(LEADER_LOCK)
            .fetch_one(&mut conn)
            .await
            .map_err(store_error)?;
        if !won {
            *slot = Some(conn);
            return Ok(None);
        }
        Ok(Some(Box::new(PgLead {
            conn,
            leader: leader.to_string(),
        })))
    }

    async fn latest(&self, known: Option<i64>) -> StoreResult<Option<Published>> {
        let row: Option<(i64, DateTime<Utc>, String, f64, Option<String>)> = sqlx::query_as(
            "SELECT version, published_at, leader,
                    greatest(extract(epoch FROM now() - published_at), 0)::float8,
                    CASE WHEN version IS DISTINCT FROM $1 THEN snapshot::text END
             FROM alert_snapshots WHERE id = 1",
        )
        .bind(known)
        .fetch_optional(&self.db.pool)
        .await
        .map_err(store_error)?;
        Ok(
            row.map(|(version, published_at, leader, age, body)| Published {
                version,
                published_at,
                leader,
                age: Duration::try_from_secs_f64(age).unwrap_or_default(),
                body,
            }),
        )
    }
}

/// The lock's connection; dropping it closes the connection, which
/// releases the lock.
struct PgLead {
    conn: PgConnection,
    leader: String,
}

#[async_trait::async_trait]
impl Leadership for PgLead {
    async fn publish(&mut self, json: &str) -> StoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO alert_snapshots AS s (id, version, published_at, leader, snapshot)
             VALUES (1, 1, now(), $1, $2::json)
             ON CONFLICT (id) DO UPDATE SET version = s.version + 1, published_at = now(),
                 leader = excluded.leader, snapshot = excluded.snapshot
             RETURNING version",
        )
        .bind(&self.leader)
        .bind(json)
        .fetch_one(&mut self.conn)
        .await
        .map_err(store_error)
    }

    async fn heartbeat(&mut self) -> StoreResult<()> {
        sqlx::query("UPDATE alert_snapshots SET published_at = now(), leader = $1 WHERE id = 1")
            .bind(&self.leader)
            .execute(&mut self.conn)
            .await
            .map_err(store_error)?;
        // Even with no row yet, the round trip proved the connection (and
        // with it the lock) alive.
        Ok(())
    }
}
