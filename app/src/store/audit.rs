//! The audit log: append-only. Nothing in the UI or API deletes from it.

use crate::store::batch::Batch;
use crate::store::db_time;
use crate::store::Conn;
use chrono::{DateTime, Utc};

/// Who did something, as the audit log and request history name them.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<String>,
    pub name: String,
}

impl Actor {
    pub fn system() -> Self {
        Actor {
            kind: "system",
            id: None,
            name: "Latch".into(),
        }
    }
}

pub struct AuditEntry<'a> {
    pub action: &'a str,
    pub object_kind: &'a str,
    pub object_id: String,
    pub summary: serde_json::Value,
}

pub async fn record(
    conn: &mut Conn,
    actor: &Actor,
    entry: AuditEntry<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut b = Batch::new();
    push(&mut b, actor, entry, now);
    b.run(conn).await
}

/// [`record`] as part of a batch.
pub fn push(b: &mut Batch<'_>, actor: &Actor, entry: AuditEntry<'_>, now: DateTime<Utc>) {
    b.push(
        "INSERT INTO audit_events (at, actor_kind, actor_id, actor_name, action, object_kind, object_id, summary) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(db_time(now))
    .bind(actor.kind)
    .bind(actor.id.clone())
    .bind(actor.name.clone())
    .bind(entry.action.to_owned())
    .bind(entry.object_kind.to_owned())
    .bind(entry.object_id)
    .bind(entry.summary.to_string());
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub actor_name: String,
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    pub summary: String,
}

pub async fn for_object(
    conn: &mut Conn,
    object_kind: &str,
    object_id: &str,
) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT actor_name, action, object_kind, object_id, summary FROM audit_events \
         WHERE object_kind = $1 AND object_id = $2 ORDER BY id",
    )
    .bind(object_kind)
    .bind(object_id)
    .fetch_all(conn)
    .await
}
