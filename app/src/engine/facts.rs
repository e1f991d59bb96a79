//! Everything a callout body says about its request, read in one place.

use crate::callout::body::{
    AssignmentFacts, CalloutFacts, Described, Person, PolicyFacts, TargetFacts,
};
use crate::domain::ids::{AssignmentId, CalloutInstanceId, RequestId};
use crate::domain::stage::Stage;
use crate::domain::timeout::WaitTimeout;
use crate::store::Conn;
use crate::store::{parse_db_time, requests};
use sqlx::Row;

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// Everything the body says besides the stage, in one read: the request with its package,
/// catalog, policy, target, requestor's name and the assignment (`assignment`, else the
/// request's own).
const FACTS: &str = "SELECT r.*, \
       p.display_name AS package_name, p.description AS package_description, \
       c.id AS catalog_id, c.display_name AS catalog_name, c.description AS catalog_description, \
       pol.display_name AS policy_name, \
       t.display_name AS target_name, t.user_principal_name AS target_upn, \
       CASE r.requestor_kind \
         WHEN 'user' THEN (SELECT display_name FROM users WHERE id = r.requestor_id) \
         WHEN 'app' THEN (SELECT display_name FROM apps WHERE id = r.requestor_id) END \
         AS requestor_name, \
       a.id AS assignment_id_found, a.state AS assignment_state, \
       a.expires_at AS assignment_expires_at \
     FROM (SELECT {columns} FROM requests WHERE id = $1) r \
     JOIN access_packages p ON p.id = r.access_package_id \
     JOIN catalogs c ON c.id = p.catalog_id \
     JOIN policies pol ON pol.id = r.policy_id \
     JOIN users t ON t.id = r.target_id \
     LEFT JOIN assignments a ON a.id = COALESCE($2, r.assignment_id)";

pub async fn load(
    conn: &mut Conn,
    request: RequestId,
    instance: CalloutInstanceId,
    stage: Stage,
    assignment: Option<AssignmentId>,
    wait_timeout: Option<WaitTimeout>,
) -> Result<CalloutFacts, sqlx::Error> {
    static SQL: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| FACTS.replace("{columns}", requests::REQUEST_COLUMNS));
    let facts = sqlx::query(&SQL)
        .bind(request.to_string())
        .bind(assignment.map(|a| a.to_string()))
        .fetch_one(&mut *conn)
        .await?;
    let row = requests::request_at_start(&facts)?;
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
        instance_id: instance,
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

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
