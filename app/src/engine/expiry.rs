//! The expiry scan: fires the pre-expiry callouts of assignments whose moment came and removes
//! the ones whose time ran out (`systemRemove`, through the same lifecycle as any removal).
//!
//! Bounded and index-driven: one scan reads at most [`SCAN_BATCH`] assignments whose
//! `next_due_at` has passed, most overdue first, so its cost follows the due assignments, not
//! all of them. Each assignment is handled in its own short transaction; one that fails is
//! logged and moved back by [`RETRY_AFTER_ERROR`], so it never holds up the rest. A scan after
//! downtime catches up on everything that fell due meanwhile.

use crate::domain::expiry::{due_steps, ExpiryStep, Trigger};
use crate::domain::ids::{AssignmentId, CalloutInstanceId};
use crate::domain::lifecycle::{Actor, HistoryEvent, RemovalKind};
use crate::engine::policy::Policy;
use crate::engine::run::{history, run_removal, start_callout, NewCallout, RunError};
use crate::state::AppState;
use crate::store::batch::Batch;
use crate::store::expiry::{self as store, Expiring};
use crate::store::Conn;
use chrono::{DateTime, Duration, Utc};

/// Assignments handled per scan; the worker scans again at once while a scan finds work.
pub const SCAN_BATCH: i64 = 100;
/// How long an assignment the scan could not handle waits before it is tried again.
pub const RETRY_AFTER_ERROR: Duration = Duration::minutes(5);

/// Handles the assignments due now (up to [`SCAN_BATCH`]); returns how many it handled (not
/// those another process's scan had claimed).
pub async fn scan(state: &AppState) -> Result<usize, sqlx::Error> {
    let now = state.clock.now();
    let due = store::due(&state.db, now, SCAN_BATCH).await?;
    let mut handled = 0;
    for &id in &due {
        match handle(state, id, now).await {
            Ok(true) => handled += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::error!(assignment = %id, error = %e, "expiry scan could not handle an assignment; trying again later");
                store::postpone(&state.db, id, now + RETRY_AFTER_ERROR).await?;
            }
        }
    }
    if handled > 0 {
        // Callouts were queued.
        state.wake.notify_one();
    }
    Ok(handled)
}

/// Whether this scan handled the assignment (else another process holds it).
async fn handle(state: &AppState, id: AssignmentId, now: DateTime<Utc>) -> Result<bool, RunError> {
    let mut tx = crate::store::write_tx(&state.writer).await?;
    // Read again inside the transaction, claiming the row: a removal may have ended it since
    // the scan's read, or another instance's scan may be handling it (the claim then passes
    // it over, so each reminder fires once however many instances scan).
    let Some(assignment) = store::claim(&mut tx, id).await? else {
        return Ok(false);
    };
    if !assignment.delivered {
        return Ok(true);
    }
    let steps = due_steps(&assignment.facts, now);
    for step in &steps {
        match step {
            ExpiryStep::PreExpiry(trigger) => {
                pre_expiry_callout(&mut tx, id, &assignment, *trigger, now).await?
            }
            ExpiryStep::Expire => {
                run_removal(&mut tx, id, RemovalKind::System, Actor::System, "", now).await?;
            }
        }
    }
    store::save(&mut tx, id, &assignment.facts.after(&steps, now)).await?;
    tx.commit().await?;
    Ok(true)
}

/// Starts the trigger's callout if the policy maps its stage; the marker is set either way, so
/// a stage mapped later does not fire for a moment that has passed. Pre-expiry callouts are
/// launch and continue: nothing waits for them, and a failing endpoint never delays the expiry.
/// The instance belongs to the request that granted the assignment, so its history and
/// troubleshooting view show it.
async fn pre_expiry_callout(
    conn: &mut Conn,
    id: AssignmentId,
    assignment: &Expiring,
    trigger: Trigger,
    now: DateTime<Utc>,
) -> Result<(), RunError> {
    let policy = Policy::load(&mut *conn, assignment.policy).await?;
    let stage = trigger.stage();
    let Some(hook) = policy.rules.hook(stage) else {
        return Ok(());
    };
    let callout = NewCallout {
        instance: CalloutInstanceId::new(),
        request: assignment.request,
        assignment: Some(id),
        extension: hook.extension,
        stage,
        waits: false,
        wait_until: None,
    };
    let mut b = Batch::new();
    start_callout(&mut b, &callout, policy.snapshot(hook.extension)?, now);
    history(
        &mut b,
        assignment.request,
        &HistoryEvent::CalloutStarted { stage },
        None,
        now,
    );
    b.run(conn).await?;
    Ok(())
}
