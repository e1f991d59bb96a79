//! A callout to deliver, read in one place: its instance, its extension's sealed signing
//! secrets and everything its body says about its request.

use crate::callout::body::{
    AssignmentFacts, CalloutFacts, Described, Person, PolicyFacts, TargetFacts,
};
use crate::domain::ids::CalloutInstanceId;
use crate::domain::stage::Stage;
use crate::domain::timeout::WaitTimeout;
use crate::store::extensions::{SealedSecrets, SEALED_SECRET_COLUMNS};
use crate::store::requests::{self, InstanceRecord, INSTANCE_COLUMNS, REQUEST_COLUMNS};
use crate::store::{params, parse_db_time, Conn};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};
use std::collections::HashMap;
use std::sync::LazyLock;

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// Instances, their extensions' sealed secrets, and each one's request with its package, catalog,
/// policy, target, requestor's name and the assignment (the instance's, else the request's),
/// in one read. The request's columns come first and renamed (`r_*`): they are read by
/// position, and the instance's keep their own names.
const TO_DELIVER: &str = "SELECT {request_columns}, \
       p.display_name AS package_name, p.description AS package_description, \
       c.id AS catalog_id, c.display_name AS catalog_name, c.description AS catalog_description, \
       pol.display_name AS policy_name, \
       t.display_name AS target_name, t.user_principal_name AS target_upn, \
       CASE r.requestor_kind \
         WHEN 'user' THEN (SELECT display_name FROM users WHERE id = r.requestor_id) \
         WHEN 'app' THEN (SELECT display_name FROM apps WHERE id = r.requestor_id) END \
         AS requestor_name, \
       a.id AS assignment_id_found, a.state AS assignment_state, \
       a.expires_at AS assignment_expires_at, \
       i.*, {sealed_secret_columns} \
     FROM (SELECT {instance_columns} FROM callout_instances WHERE id IN ({ids})) i \
     JOIN custom_extensions e ON e.id = i.custom_extension_id \
     JOIN requests r ON r.id = i.request_id \
     JOIN access_packages p ON p.id = r.access_package_id \
     JOIN catalogs c ON c.id = p.catalog_id \
     JOIN policies pol ON pol.id = r.policy_id \
     JOIN users t ON t.id = r.target_id \
     LEFT JOIN assignments a ON a.id = COALESCE(i.assignment_id, r.assignment_id)";

/// A callout instance to send, as [`to_deliver`] read it.
pub struct ToDeliver {
    pub id: CalloutInstanceId,
    pub instance: InstanceRecord,
    pub sealed: SealedSecrets,
    row: AnyRow,
}

/// The instances `ids` with everything their callouts need, in one read (a claimed batch's
/// deliveries); an id with no such instance (or, which Latch never writes, one without its
/// request) is missing from the answer.
pub async fn to_deliver(
    conn: &mut Conn,
    ids: &[CalloutInstanceId],
) -> Result<HashMap<CalloutInstanceId, ToDeliver>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let request_columns: Vec<String> = REQUEST_COLUMNS
            .split(',')
            .map(|column| format!("r.{0} AS r_{0}", column.trim()))
            .collect();
        TO_DELIVER
            .replace("{request_columns}", &request_columns.join(", "))
            .replace("{instance_columns}", INSTANCE_COLUMNS)
            .replace("{sealed_secret_columns}", SEALED_SECRET_COLUMNS)
    });
    let sql = SQL.replace("{ids}", &params(1, ids.len()));
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(id.to_string());
    }
    let mut found = HashMap::with_capacity(ids.len());
    for row in query.fetch_all(conn).await? {
        let instance = InstanceRecord::from_row(&row)?;
        let id = instance.id.parse().map_err(decode)?;
        let sealed = SealedSecrets::from_row(&row)?;
        found.insert(
            id,
            ToDeliver {
                id,
                instance,
                sealed,
                row,
            },
        );
    }
    Ok(found)
}

impl ToDeliver {
    /// Everything the body says besides the stage.
    pub fn facts(
        &self,
        stage: Stage,
        wait_timeout: Option<WaitTimeout>,
    ) -> Result<CalloutFacts, sqlx::Error> {
        let facts = &self.row;
        let row = requests::request_at_start(facts)?;
        let text = |column: &str| facts.try_get::<String, _>(column);
        let target_name = text("target_name")?;
        // Latch itself (a removal at expiry) has no object id, and a requestor may since have been
        // deleted: the callout then names the target, as Entra does.
        let requestor_name: Option<String> = facts.try_get("requestor_name")?;
        let requestor = match (requestor_name, &row.requestor_id) {
            (Some(display_name), Some(id)) => Person {
                id: id.parse().map_err(decode)?,
                display_name,
            },
            _ => Person {
                id: row.target.as_uuid(),
                display_name: target_name.clone(),
            },
        };
        let found: Option<String> = facts.try_get("assignment_id_found")?;
        let (assignment, expiration) = match found {
            Some(id) => {
                let state = text("assignment_state")?;
                let expires: Option<String> = facts.try_get("assignment_expires_at")?;
                (
                    Some(AssignmentFacts {
                        id: id.parse().map_err(decode)?,
                        status: capitalised(&state),
                        state,
                    }),
                    expires.as_deref().map(parse_db_time).transpose()?,
                )
            }
            None => (None, None),
        };
        Ok(CalloutFacts {
            stage,
            instance_id: self.id,
            request_id: row.id,
            request_type: row.kind.wire_name().to_string(),
            request_state: row.state.wire_name().to_string(),
            request_status: row.status.wire_name().to_string(),
            justification: row.justification.clone(),
            request_created: row.created_at,
            access_package: Described {
                id: row.package,
                display_name: text("package_name")?,
                description: text("package_description")?,
            },
            catalog: Described {
                id: text("catalog_id")?.parse().map_err(decode)?,
                display_name: text("catalog_name")?,
                description: text("catalog_description")?,
            },
            policy: PolicyFacts {
                id: row.policy,
                display_name: text("policy_name")?,
            },
            target: TargetFacts {
                id: row.target,
                display_name: target_name,
                email: Some(text("target_upn")?),
            },
            requestor,
            assignment,
            wait_timeout,
            expiration,
        })
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
