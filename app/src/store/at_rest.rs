//! Every secret column at once (`sealed::SECRET_COLUMNS`): the start-up check that seals what
//! is still in the clear, and the re-encryption under a new key (`server secrets rotate-key`).
//! Each runs in one transaction, then rewrites the file so no earlier form of a value is left
//! in its free pages or write-ahead log.

use crate::store::audit::{self, Actor, AuditEntry};
use crate::store::sealed::{
    sealed_with, SealError, Sealer, SecretColumn, SecretKey, SECRET_COLUMNS,
};
use crate::store::write_tx;
use crate::store::{Conn, Pool};
use chrono::{DateTime, Utc};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AtRestError {
    /// A value does not open with the key set (or there is none): start-up must stop.
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

struct Stored {
    column: SecretColumn,
    row: String,
    value: String,
}

async fn read_all(conn: &mut Conn) -> Result<Vec<Stored>, sqlx::Error> {
    let mut all = Vec::new();
    for column in SECRET_COLUMNS {
        let SecretColumn {
            table,
            row_key,
            column: name,
        } = column;
        let rows: Vec<(String, String)> = sqlx::query_as(&format!(
            "SELECT {row_key}, {name} FROM {table} WHERE {name} IS NOT NULL"
        ))
        .fetch_all(&mut *conn)
        .await?;
        all.extend(
            rows.into_iter()
                .map(|(row, value)| Stored { column, row, value }),
        );
    }
    Ok(all)
}

async fn write(
    conn: &mut Conn,
    column: SecretColumn,
    row: &str,
    value: &str,
) -> Result<(), sqlx::Error> {
    let SecretColumn {
        table,
        row_key,
        column: name,
    } = column;
    sqlx::query(&format!(
        "UPDATE {table} SET {name} = $1 WHERE {row_key} = $2"
    ))
    .bind(value)
    .bind(row)
    .execute(conn)
    .await?;
    Ok(())
}

/// The start-up check, before anything reads a secret. Every sealed value must open with the
/// key set: without a key, or with another one, this fails naming the setting and the key id
/// the database needs. With a key, every value still in the clear is sealed. Returns how many
/// were sealed now.
pub async fn prepare(db: &Pool, sealer: &Sealer) -> Result<u64, AtRestError> {
    let mut tx = write_tx(db).await?;
    let mut sealed = 0;
    for s in read_all(&mut tx).await? {
        let place = s.column.at(&s.row);
        if sealed_with(&s.value).is_some() {
            sealer.open(&s.value, place)?;
        } else if sealer.key_id().is_some() {
            write(&mut tx, s.column, &s.row, &sealer.seal(&s.value, place)).await?;
            sealed += 1;
        }
    }
    tx.commit().await?;
    if sealed > 0 {
        scrub(db).await?;
    }
    Ok(sealed)
}

/// What a key rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rekeyed {
    pub values: u64,
    pub key_id: String,
}

/// Re-encrypts every secret under `new` (values in the clear, with no current key, are
/// sealed), in one transaction with its audit event.
pub async fn rekey(
    db: &Pool,
    current: &Sealer,
    new: &SecretKey,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Rekeyed, AtRestError> {
    let next = Sealer::new(Some(new));
    let mut tx = write_tx(db).await?;
    let mut values = 0;
    for s in read_all(&mut tx).await? {
        let place = s.column.at(&s.row);
        let plain = current.open(&s.value, place)?;
        write(&mut tx, s.column, &s.row, &next.seal(&plain, place)).await?;
        values += 1;
    }
    let key_id = new.id().to_string();
    audit::record(
        &mut tx,
        actor,
        AuditEntry {
            action: "secretKey.rotate",
            object_kind: "secretKey",
            object_id: key_id.clone(),
            summary: json!({
                "before": { "keyId": current.key_id().map(|k| k.to_string()) },
                "after": { "keyId": key_id, "values": values },
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    scrub(db).await?;
    Ok(Rekeyed { values, key_id })
}

/// Rewrites the database without free pages (`VACUUM`) and empties the write-ahead log into
/// it, so a value's earlier form (in the clear, or under the old key) is gone from both files.
/// Backups and copies taken before keep it. PostgreSQL rewrites the tables without their dead
/// row versions (`VACUUM FULL` of the tables that hold secrets); its write-ahead log keeps them
/// until the server recycles it.
pub async fn scrub(db: &Pool) -> Result<(), sqlx::Error> {
    let mut conn = db.acquire().await?;
    if crate::store::is_postgres(db) {
        let mut tables: Vec<&str> = SECRET_COLUMNS.iter().map(|c| c.table).collect();
        tables.dedup();
        sqlx::query(&format!("VACUUM FULL {}", tables.join(", ")))
            .execute(&mut *conn)
            .await?;
        return Ok(());
    }
    sqlx::query("VACUUM").execute(&mut *conn).await?;
    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut *conn)
        .await?;
    if busy != 0 {
        tracing::warn!(
            "the write-ahead log could not be emptied now (a reader was busy); \
             SQLite empties it at its next checkpoint"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sealed::{EXTENSION_SECRET, PRIVATE_KEY};
    use crate::store::test_db;

    async fn insert_plain(db: &Pool) {
        sqlx::query(
            "INSERT INTO signing_keys (kid, private_key_pem, public_jwk, created_at) \
             VALUES ('k1', '-----BEGIN PRIVATE KEY-----', '{}', '2026-01-01T00:00:00.000000Z')",
        )
        .execute(db)
        .await
        .unwrap();
    }

    async fn stored(db: &Pool) -> String {
        sqlx::query_scalar("SELECT private_key_pem FROM signing_keys WHERE kid = 'k1'")
            .fetch_one(db)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn prepare_seals_what_is_in_the_clear_once_and_rekey_moves_it_to_the_new_key() {
        let (db, _dir) = test_db().await;
        insert_plain(&db).await;
        assert_eq!(prepare(&db, &Sealer::none()).await.unwrap(), 0);

        let key = SecretKey::generate();
        let sealer = Sealer::new(Some(&key));
        assert_eq!(prepare(&db, &sealer).await.unwrap(), 1);
        assert_eq!(prepare(&db, &sealer).await.unwrap(), 0, "nothing left");
        let sealed = stored(&db).await;
        assert_eq!(
            sealer.open(&sealed, PRIVATE_KEY.at("k1")).unwrap(),
            "-----BEGIN PRIVATE KEY-----"
        );

        let new = SecretKey::generate();
        let done = rekey(&db, &sealer, &new, &Actor::system(), Utc::now())
            .await
            .unwrap();
        assert_eq!(done.values, 1);
        assert_eq!(done.key_id, new.id().to_string());
        assert!(matches!(
            prepare(&db, &sealer).await,
            Err(AtRestError::Seal(SealError::WrongKey { .. }))
        ));
        assert!(matches!(
            prepare(&db, &Sealer::none()).await,
            Err(AtRestError::Seal(SealError::NoKey { .. }))
        ));
        assert_eq!(prepare(&db, &Sealer::new(Some(&new))).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_refused_start_changes_nothing() {
        let (db, _dir) = test_db().await;
        insert_plain(&db).await;
        let key = SecretKey::generate();
        let sealer = Sealer::new(Some(&key));
        // One value sealed elsewhere (another row's place), one in the clear.
        sqlx::query(
            "INSERT INTO signing_keys (kid, private_key_pem, public_jwk, created_at) \
             VALUES ('k2', $1, '{}', '2026-01-01T00:00:00.000000Z')",
        )
        .bind(sealer.seal("moved", EXTENSION_SECRET.at("k2")))
        .execute(&db)
        .await
        .unwrap();
        assert!(matches!(
            prepare(&db, &sealer).await,
            Err(AtRestError::Seal(SealError::Corrupt { .. }))
        ));
        assert_eq!(stored(&db).await, "-----BEGIN PRIVATE KEY-----");
    }
}
