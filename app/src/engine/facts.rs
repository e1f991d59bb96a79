//! Everything a callout body says about its request, read in one place.

use crate::callout::body::{
    AssignmentFacts, CalloutFacts, Described, Person, PolicyFacts, TargetFacts,
};
use crate::domain::ids::{AppId, AssignmentId, CalloutInstanceId, RequestId, UserId};
use crate::domain::stage::Stage;
use crate::domain::timeout::WaitTimeout;
use crate::store::{apps, parse_db_time, requests, users};
use sqlx::SqliteConnection;

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

pub async fn load(
    conn: &mut SqliteConnection,
    request: RequestId,
    instance: CalloutInstanceId,
    stage: Stage,
    assignment: Option<AssignmentId>,
    wait_timeout: Option<WaitTimeout>,
) -> Result<CalloutFacts, sqlx::Error> {
    let row = requests::get(&mut *conn, request)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let (package_name, package_description, catalog_id, catalog_name, catalog_description, policy_name): (
        String,
        String,
        String,
        String,
        String,
        String,
    ) = sqlx::query_as(
        "SELECT p.display_name, p.description, c.id, c.display_name, c.description, pol.display_name \
         FROM access_packages p JOIN catalogs c ON c.id = p.catalog_id JOIN policies pol ON pol.id = ? \
         WHERE p.id = ?",
    )
    .bind(row.policy.to_string())
    .bind(row.package.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let target = users::get(&mut *conn, row.target)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    // Latch itself (a removal at expiry) has no object id: the callout names the assignment's
    // user, as it does for a requestor since deleted.
    let requestor = match (row.requestor_kind.as_str(), &row.requestor_id) {
        ("user", Some(id)) => {
            let id: UserId = id.parse().map_err(decode)?;
            users::get(&mut *conn, id).await?.map(|u| Person {
                id: id.as_uuid(),
                display_name: u.display_name,
            })
        }
        ("app", Some(id)) => {
            let id: AppId = id.parse().map_err(decode)?;
            apps::get(&mut *conn, id).await?.map(|a| Person {
                id: id.as_uuid(),
                display_name: a.display_name,
            })
        }
        _ => None,
    }
    .unwrap_or(Person {
        id: row.target.as_uuid(),
        display_name: target.display_name.clone(),
    });
    let assignment_id = assignment.or(row.assignment);
    let (assignment, expiration) = match assignment_id {
        Some(id) => match requests::get_assignment(&mut *conn, id).await? {
            Some(a) => (
                Some(AssignmentFacts {
                    id,
                    state: a.state.clone(),
                    status: capitalised(&a.state),
                }),
                a.expires_at.as_deref().map(parse_db_time).transpose()?,
            ),
            None => (None, None),
        },
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
            display_name: package_name,
            description: package_description,
        },
        catalog: Described {
            id: catalog_id.parse().map_err(decode)?,
            display_name: catalog_name,
            description: catalog_description,
        },
        policy: PolicyFacts {
            id: row.policy,
            display_name: policy_name,
        },
        target: TargetFacts {
            id: row.target,
            display_name: target.display_name.clone(),
            email: Some(target.user_principal_name.clone()),
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
