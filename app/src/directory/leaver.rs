//! The leaver path: a person disabled (Users page, command line, SCIM `active: false`) or
//! deleted loses everything at once, in the caller's transaction: sign-in and sessions, open
//! requests, and every assignment through the normal removal lifecycle, so the "Assignment is
//! removed" callouts fire as for any removal.

use crate::domain::ids::UserId;
use crate::domain::lifecycle::{Actor, Event, RemovalKind};
use crate::engine::run::{run_event, run_removal, RunError, LEAVER_JUSTIFICATION};
use crate::store::Conn;
use crate::store::{requests, sessions, setup_links, users};
use crate::views::people::LeaverSummary;
use chrono::{DateTime, Utc};

/// Disables `user` and takes their access away. Requests that cannot be canceled now (their
/// granted stage waits for a workflow) are left to finish and counted in `requests_left`; if
/// one delivers, `engine::run` removes that access at once (`remove_if_target_left`).
pub async fn off_board(
    conn: &mut Conn,
    user: UserId,
    by: Actor,
    now: DateTime<Utc>,
) -> Result<LeaverSummary, RunError> {
    users::set_enabled(&mut *conn, user, false, now).await?;
    let sessions_ended = sessions::delete_for_user(&mut *conn, user).await?;
    setup_links::revoke_unused(&mut *conn, user, now).await?;
    let mut summary = LeaverSummary {
        sessions_ended,
        requests_canceled: 0,
        assignments_removed: 0,
        requests_left: 0,
    };
    for request in requests::open_add_requests_of_target(&mut *conn, user).await? {
        match run_event(&mut *conn, request, Event::Cancel { by }, now).await {
            Ok(_) => summary.requests_canceled += 1,
            // The machine refused before writing anything: the request goes on.
            Err(RunError::Refused(refusal)) => {
                tracing::info!(%request, %refusal, "leaver: request left to finish");
                summary.requests_left += 1;
            }
            Err(other) => return Err(other),
        }
    }
    for assignment in requests::delivered_assignments_of_target(&mut *conn, user).await? {
        run_removal(
            &mut *conn,
            assignment,
            RemovalKind::Admin,
            by,
            LEAVER_JUSTIFICATION,
            now,
        )
        .await?;
        summary.assignments_removed += 1;
    }
    Ok(summary)
}
