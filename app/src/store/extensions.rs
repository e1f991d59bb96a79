//! Custom extensions and the policies that use them.

use crate::domain::conversion::StageUse;
use crate::domain::endpoint::{Endpoint, LogicAppEndpoint};
use crate::domain::extension::{Behaviour, ClientConfiguration, ExtensionDraft};
use crate::domain::ids::{CatalogId, ExtensionId, PolicyId};
use crate::domain::kind::ExtensionKind;
use crate::domain::stage::Stage;
use crate::domain::timeout::{TimeUnit, WaitTimeout};
use crate::store::db_time;
use crate::store::name_pages::NameList;
use crate::store::sealed::{unreadable, Sealer, EXTENSION_PREVIOUS_SECRET, EXTENSION_SECRET};
use crate::store::{Conn, Flag};
use chrono::{DateTime, Utc};

const COLUMNS: &str = "id, catalog_id, display_name, description, kind, behaviour, wait_timeout_amount, \
    wait_timeout_unit, endpoint_type, subscription_id, resource_group_name, logic_app_workflow_name, \
    endpoint_url, resource_id, timeout_ms, maximum_retries, created_by, last_modified_by, created_at, modified_at, \
    last_test_at, last_test_ok, last_test_http_status, last_test_latency_ms, last_test_error";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExtensionRecord {
    pub id: String,
    pub catalog_id: String,
    pub display_name: String,
    pub description: String,
    pub kind: String,
    pub behaviour: String,
    pub wait_timeout_amount: Option<i64>,
    pub wait_timeout_unit: Option<String>,
    pub endpoint_type: String,
    pub subscription_id: Option<String>,
    pub resource_group_name: Option<String>,
    pub logic_app_workflow_name: Option<String>,
    pub endpoint_url: String,
    pub resource_id: Option<String>,
    pub timeout_ms: i64,
    pub maximum_retries: i64,
    pub created_by: String,
    pub last_modified_by: String,
    pub created_at: String,
    pub modified_at: String,
    /// The last connection test; all `None` until the first one ran.
    pub last_test_at: Option<String>,
    #[sqlx(try_from = "crate::store::OptionalFlag")]
    pub last_test_ok: Option<bool>,
    pub last_test_http_status: Option<i64>,
    pub last_test_latency_ms: Option<i64>,
    pub last_test_error: Option<String>,
}

/// What one connection test found, as kept on the extension.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionTestOutcome<'a> {
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub http_status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<&'a str>,
}

fn corrupt(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("custom_extensions: bad {what} {value:?}").into())
}

impl ExtensionRecord {
    pub fn extension_id(&self) -> ExtensionId {
        self.id
            .parse()
            .expect("extension ids in the database are UUIDs")
    }

    pub fn kind(&self) -> Result<ExtensionKind, sqlx::Error> {
        ExtensionKind::from_db_name(&self.kind).ok_or_else(|| corrupt("kind", &self.kind))
    }

    /// The stored row as the domain's draft. Rows were validated when written, but a wait
    /// timeout is re-checked here because its limits could change between versions.
    pub fn to_draft(&self) -> Result<ExtensionDraft, sqlx::Error> {
        let behaviour = match (
            self.behaviour.as_str(),
            self.wait_timeout_amount,
            &self.wait_timeout_unit,
        ) {
            ("launchAndContinue", _, _) => Behaviour::LaunchAndContinue,
            ("launchAndWait", Some(amount), Some(unit)) => {
                let unit = TimeUnit::parse(unit).map_err(|_| corrupt("unit", unit))?;
                let amount =
                    u32::try_from(amount).map_err(|_| corrupt("amount", &amount.to_string()))?;
                Behaviour::LaunchAndWait(
                    WaitTimeout::new(amount, unit).map_err(|e| corrupt("timeout", &e.message))?,
                )
            }
            (other, _, _) => return Err(corrupt("behaviour", other)),
        };
        let endpoint = match self.endpoint_type.as_str() {
            "logicApp" => Endpoint::LogicApp(LogicAppEndpoint {
                subscription_id: self.subscription_id.clone().unwrap_or_default(),
                resource_group_name: self.resource_group_name.clone().unwrap_or_default(),
                logic_app_workflow_name: self.logic_app_workflow_name.clone().unwrap_or_default(),
                url: self.endpoint_url.clone(),
            }),
            "http" => Endpoint::Http {
                url: self.endpoint_url.clone(),
            },
            other => return Err(corrupt("endpoint type", other)),
        };
        Ok(ExtensionDraft {
            display_name: self.display_name.clone(),
            description: self.description.clone(),
            kind: self.kind()?,
            behaviour,
            endpoint,
            client: ClientConfiguration {
                timeout_in_milliseconds: self.timeout_ms as u32,
                maximum_retries: self.maximum_retries as u32,
            },
            resource_id: self.resource_id.clone(),
        })
    }
}

/// The columns a draft sets, in one place for insert and update.
struct DraftColumns<'a> {
    behaviour: &'static str,
    wait_amount: Option<i64>,
    wait_unit: Option<&'static str>,
    endpoint_type: &'static str,
    logic_app: Option<&'a LogicAppEndpoint>,
    url: &'a str,
}

fn columns(draft: &ExtensionDraft) -> DraftColumns<'_> {
    let (behaviour, wait_amount, wait_unit) = match &draft.behaviour {
        Behaviour::LaunchAndContinue => ("launchAndContinue", None, None),
        Behaviour::LaunchAndWait(t) => (
            "launchAndWait",
            Some(i64::from(t.amount())),
            Some(t.unit().label()),
        ),
    };
    let (endpoint_type, logic_app, url) = match &draft.endpoint {
        Endpoint::LogicApp(l) => ("logicApp", Some(l), l.url.as_str()),
        Endpoint::Http { url } => ("http", None, url.as_str()),
    };
    DraftColumns {
        behaviour,
        wait_amount,
        wait_unit,
        endpoint_type,
        logic_app,
        url,
    }
}

/// A new extension; its signing secret is stored sealed when a key is set.
#[expect(clippy::too_many_arguments)]
pub async fn insert(
    conn: &mut Conn,
    sealer: &Sealer,
    id: ExtensionId,
    catalog: CatalogId,
    draft: &ExtensionDraft,
    signing_secret: &str,
    actor_name: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let c = columns(draft);
    let row = id.to_string();
    sqlx::query(
        "INSERT INTO custom_extensions (id, catalog_id, display_name, description, kind, behaviour, \
            wait_timeout_amount, wait_timeout_unit, endpoint_type, subscription_id, resource_group_name, \
            logic_app_workflow_name, endpoint_url, resource_id, timeout_ms, maximum_retries, signing_secret, \
            created_by, last_modified_by, created_at, modified_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
    )
    .bind(&row)
    .bind(catalog.to_string())
    .bind(draft.display_name.trim())
    .bind(&draft.description)
    .bind(draft.kind.db_name())
    .bind(c.behaviour)
    .bind(c.wait_amount)
    .bind(c.wait_unit)
    .bind(c.endpoint_type)
    .bind(c.logic_app.map(|l| l.subscription_id.as_str()))
    .bind(c.logic_app.map(|l| l.resource_group_name.as_str()))
    .bind(c.logic_app.map(|l| l.logic_app_workflow_name.as_str()))
    .bind(c.url)
    .bind(draft.resource_id.as_deref())
    .bind(i64::from(draft.client.timeout_in_milliseconds))
    .bind(i64::from(draft.client.maximum_retries))
    .bind(sealer.seal(signing_secret, EXTENSION_SECRET.at(&row)))
    .bind(actor_name)
    .bind(actor_name)
    .bind(db_time(now))
    .bind(db_time(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes every editable column; the kind only changes through [`set_kind`].
pub async fn update(
    conn: &mut Conn,
    id: ExtensionId,
    draft: &ExtensionDraft,
    actor_name: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let c = columns(draft);
    sqlx::query(
        "UPDATE custom_extensions SET display_name = $1, description = $2, behaviour = $3, \
            wait_timeout_amount = $4, wait_timeout_unit = $5, endpoint_type = $6, subscription_id = $7, \
            resource_group_name = $8, logic_app_workflow_name = $9, endpoint_url = $10, resource_id = $11, \
            timeout_ms = $12, maximum_retries = $13, last_modified_by = $14, modified_at = $15 \
         WHERE id = $16",
    )
    .bind(draft.display_name.trim())
    .bind(&draft.description)
    .bind(c.behaviour)
    .bind(c.wait_amount)
    .bind(c.wait_unit)
    .bind(c.endpoint_type)
    .bind(c.logic_app.map(|l| l.subscription_id.as_str()))
    .bind(c.logic_app.map(|l| l.resource_group_name.as_str()))
    .bind(c.logic_app.map(|l| l.logic_app_workflow_name.as_str()))
    .bind(c.url)
    .bind(draft.resource_id.as_deref())
    .bind(i64::from(draft.client.timeout_in_milliseconds))
    .bind(i64::from(draft.client.maximum_retries))
    .bind(actor_name)
    .bind(db_time(now))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_kind(
    conn: &mut Conn,
    id: ExtensionId,
    kind: ExtensionKind,
    actor_name: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    // The new kinds authenticate with PoP tokens: the legacy Bearer audience no longer applies.
    sqlx::query(
        "UPDATE custom_extensions SET kind = $1, resource_id = NULL, last_modified_by = $2, modified_at = $3 WHERE id = $4",
    )
    .bind(kind.db_name())
    .bind(actor_name)
    .bind(db_time(now))
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(
    conn: &mut Conn,
    catalog: CatalogId,
    id: ExtensionId,
) -> Result<Option<ExtensionRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM custom_extensions WHERE catalog_id = $1 AND id = $2"
    ))
    .bind(catalog.to_string())
    .bind(id.to_string())
    .fetch_optional(conn)
    .await
}

/// A catalog's custom extensions in name order (`catalog` holds its one id), those named
/// `prefix…` (any case).
pub fn named<'a>(catalog: &'a [String], prefix: &'a str) -> NameList<'a> {
    NameList {
        table: "custom_extensions",
        columns: COLUMNS,
        within: Some(("catalog_id", catalog)),
        prefix,
    }
}

pub async fn list_in_catalog(
    conn: &mut Conn,
    catalog: CatalogId,
) -> Result<Vec<ExtensionRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM custom_extensions WHERE catalog_id = $1 ORDER BY display_name, id"
    ))
    .bind(catalog.to_string())
    .fetch_all(conn)
    .await
}

pub async fn count_in_catalog(conn: &mut Conn, catalog: CatalogId) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM custom_extensions WHERE catalog_id = $1")
        .bind(catalog.to_string())
        .fetch_one(conn)
        .await
}

pub async fn count_all(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM custom_extensions")
        .fetch_one(conn)
        .await
}

/// Every policy stage that calls this extension.
pub async fn stage_uses(conn: &mut Conn, id: ExtensionId) -> Result<Vec<StageUse>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT p.id, p.display_name, s.stage FROM policy_stage_settings s \
         JOIN policies p ON p.id = s.policy_id \
         WHERE s.custom_extension_id = $1 ORDER BY p.display_name, s.stage",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(policy, name, stage)| {
            Ok(StageUse {
                policy_id: policy
                    .parse()
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                policy_name: name,
                stage: Stage::parse(&stage).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            })
        })
        .collect()
}

pub async fn delete(conn: &mut Conn, id: ExtensionId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM custom_extensions WHERE id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// An extension by id alone (the engine follows a policy's link; the catalog is implied).
pub async fn get_any(
    conn: &mut Conn,
    id: ExtensionId,
) -> Result<Option<ExtensionRecord>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM custom_extensions WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await
}

/// A stage of a policy and the extension it calls.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StageExtension {
    pub stage: String,
    #[sqlx(flatten)]
    pub extension: ExtensionRecord,
}

/// The terms of a policy the engine applies, named apart from the extension columns they are
/// read with.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyTerms {
    #[sqlx(try_from = "crate::store::Flag")]
    pub p_approval_required: bool,
    pub p_approval_timeout: String,
    pub p_expiration_type: String,
    pub p_expiration_duration: Option<String>,
    pub p_expiration_end: Option<String>,
}

/// A policy's terms and every stage setting with its extension, in one read (every step of the
/// engine needs both; a read is a round trip to the connection's thread). One row per stage,
/// or one row with no stage; `None` when there is no such policy.
pub async fn policy_with_stages(
    conn: &mut Conn,
    policy: PolicyId,
) -> Result<Option<(PolicyTerms, Vec<StageExtension>)>, sqlx::Error> {
    use sqlx::{FromRow, Row};
    static QUERY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let extension: Vec<String> = COLUMNS.split(", ").map(|c| format!("e.{c}")).collect();
        format!(
            "SELECT p.is_approval_required AS p_approval_required, p.approval_timeout AS p_approval_timeout, \
                    p.expiration_type AS p_expiration_type, p.expiration_duration AS p_expiration_duration, \
                    p.expiration_end AS p_expiration_end, s.stage, {} \
             FROM policies p LEFT JOIN policy_stage_settings s ON s.policy_id = p.id \
             LEFT JOIN custom_extensions e ON e.id = s.custom_extension_id \
             WHERE p.id = $1 ORDER BY s.stage",
            extension.join(", ")
        )
    });
    let rows = sqlx::query(&QUERY)
        .bind(policy.to_string())
        .fetch_all(conn)
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let terms = PolicyTerms::from_row(first)?;
    let mut stages = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.try_get::<Option<String>, _>("stage")?.is_some() {
            stages.push(StageExtension::from_row(row)?);
        }
    }
    Ok(Some((terms, stages)))
}
/// Keeps the outcome of the latest connection test (a deleted extension is left alone).
pub async fn record_test(
    conn: &mut Conn,
    id: ExtensionId,
    outcome: &ConnectionTestOutcome<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE custom_extensions SET last_test_at = $1, last_test_ok = $2, last_test_http_status = $3, \
            last_test_latency_ms = $4, last_test_error = $5 WHERE id = $6",
    )
    .bind(db_time(outcome.at))
    .bind(Flag(outcome.ok))
    .bind(outcome.http_status.map(i64::from))
    .bind(outcome.latency_ms)
    .bind(outcome.error)
    .bind(id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// An extension's signing secrets as stored (sealed), read on their own or beside the callout
/// instance they sign (`engine::facts::to_deliver`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SealedSecrets {
    pub signing_secret: String,
    pub previous_signing_secret: Option<String>,
    pub previous_secret_until: Option<String>,
}

/// The columns of [`SealedSecrets`] (no other table Latch joins them with has these names).
pub const SEALED_SECRET_COLUMNS: &str =
    "signing_secret, previous_signing_secret, previous_secret_until";

impl SealedSecrets {
    /// The secrets that sign a callout of extension `id` at `now`: the current one, and the
    /// previous one while a rotation's grace period lasts.
    pub fn open(
        self,
        sealer: &Sealer,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, sqlx::Error> {
        let mut secrets = vec![sealer
            .open(&self.signing_secret, EXTENSION_SECRET.at(id))
            .map_err(unreadable)?];
        if let (Some(previous), Some(until)) =
            (self.previous_signing_secret, self.previous_secret_until)
        {
            if until > db_time(now) {
                secrets.push(
                    sealer
                        .open(&previous, EXTENSION_PREVIOUS_SECRET.at(id))
                        .map_err(unreadable)?,
                );
            }
        }
        Ok(secrets)
    }
}

/// The secrets that sign a callout now: the current one, and the previous one while a
/// rotation's grace period lasts.
pub async fn signing_secrets(
    conn: &mut Conn,
    sealer: &Sealer,
    id: ExtensionId,
    now: DateTime<Utc>,
) -> Result<Vec<String>, sqlx::Error> {
    let row = id.to_string();
    let sealed: SealedSecrets = sqlx::query_as(&format!(
        "SELECT {SEALED_SECRET_COLUMNS} FROM custom_extensions WHERE id = $1"
    ))
    .bind(&row)
    .fetch_one(conn)
    .await?;
    sealed.open(sealer, &row, now)
}

/// A new signing secret; the old one keeps signing beside it until `keep_until`. Sealed
/// values are bound to their column, so the old one is opened and sealed again as the
/// previous secret.
pub async fn rotate_secret(
    conn: &mut Conn,
    sealer: &Sealer,
    id: ExtensionId,
    new_secret: &str,
    keep_until: DateTime<Utc>,
    actor_name: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let row = id.to_string();
    let Some(current): Option<String> =
        sqlx::query_scalar("SELECT signing_secret FROM custom_extensions WHERE id = $1")
            .bind(&row)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(());
    };
    let previous = sealer
        .open(&current, EXTENSION_SECRET.at(&row))
        .map_err(unreadable)?;
    sqlx::query(
        "UPDATE custom_extensions SET previous_signing_secret = $1, previous_secret_until = $2, \
         signing_secret = $3, last_modified_by = $4, modified_at = $5 WHERE id = $6",
    )
    .bind(sealer.seal(&previous, EXTENSION_PREVIOUS_SECRET.at(&row)))
    .bind(db_time(keep_until))
    .bind(sealer.seal(new_secret, EXTENSION_SECRET.at(&row)))
    .bind(actor_name)
    .bind(db_time(now))
    .bind(&row)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{demo_test_db, packages};

    #[tokio::test]
    async fn a_policy_is_read_with_each_of_its_stages_or_none() {
        let (db, _dir) = demo_test_db().await;
        let mut conn = db.acquire().await.unwrap();
        let policies: Vec<(String, crate::store::Flag, String)> =
            sqlx::query_as("SELECT id, is_approval_required, expiration_type FROM policies")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
        let (mut with_stages, mut without) = (0, 0);
        for (id, approval, expiration) in policies {
            let id: PolicyId = id.parse().unwrap();
            let (terms, stages) = policy_with_stages(&mut conn, id).await.unwrap().unwrap();
            assert_eq!(
                (terms.p_approval_required, terms.p_expiration_type),
                (approval.0, expiration)
            );
            let read: Vec<(String, String)> = stages
                .into_iter()
                .map(|s| (s.stage, s.extension.id))
                .collect();
            let expected = packages::stage_settings(&mut conn, id).await.unwrap();
            assert_eq!(read, expected, "policy {id}");
            if expected.is_empty() {
                without += 1;
            } else {
                with_stages += 1;
            }
        }
        assert!(with_stages > 0 && without > 0, "{with_stages} / {without}");
        assert!(policy_with_stages(&mut conn, PolicyId::new())
            .await
            .unwrap()
            .is_none());
    }
}
