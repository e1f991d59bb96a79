//! Recording delivery attempts, many in one transaction (group commit).
//!
//! Every attempt ends in a write: its row, and the step it makes the request take. One
//! transaction each made the one write connection the pipeline's narrowest point (a dozen
//! round trips to its thread and a sync per attempt). Attempts that end while a group is being
//! written queue behind it and go together in the next: one `BEGIN`, one read of all their
//! requests, one read per distinct policy, one batch of writes, one `COMMIT`. Each caller is
//! answered once its group is on disk. No task runs when nothing is queued: the first attempt
//! to find the queue idle starts one that writes groups until the queue is empty.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::sync::oneshot;

use crate::callout::retry::{self, Outcome};
use crate::delivery::http::AttemptResult;
use crate::domain::ids::{CalloutInstanceId, PolicyId, RequestId};
use crate::domain::lifecycle::{apply, Event, InstanceStatus, RandomIds};
use crate::domain::stage::Stage;
use crate::engine::policy::Policy;
use crate::engine::run::{machine_view, remove_if_target_left, write_into};
use crate::state::AppState;
use crate::store::batch::Batch;
use crate::store::jobs;
use crate::store::requests::{self, NewAttempt};

/// The most attempts one transaction records.
const GROUP_MAX: usize = 64;

/// One finished delivery attempt, as the deliverer hands it over.
pub struct Finished {
    pub job: i64,
    /// `earlierAttempts` of the job: a redelivery gets the whole retry schedule again.
    pub earlier_attempts: i64,
    pub instance: CalloutInstanceId,
    pub request: RequestId,
    pub stage: Stage,
    pub waits: bool,
    pub wait_deadline: Option<DateTime<Utc>>,
    pub maximum_retries: u32,
    pub started: DateTime<Utc>,
    pub result: AttemptResult,
}

type Answer = oneshot::Sender<Result<(), String>>;

/// The attempts waiting for the next group, and whether a task is writing groups.
#[derive(Default)]
pub struct Recorder {
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<(Finished, Answer)>,
    writing: bool,
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Records `finished` with whatever else is waiting; returns once it is committed. An error
/// leaves the job claimed: its lease runs out and the attempt is made again.
pub async fn record(state: &AppState, finished: Finished) -> Result<(), sqlx::Error> {
    let (answer, answered) = oneshot::channel();
    let start = {
        let mut queue = state.recorder.lock();
        queue.waiting.push((finished, answer));
        !std::mem::replace(&mut queue.writing, true)
    };
    if start {
        // A task of its own, so that no caller's cancellation can strand the queue.
        let state = state.clone();
        tokio::spawn(async move { write_groups(&state).await });
    }
    match answered.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(sqlx::Error::Protocol(e)),
        Err(_) => Err(sqlx::Error::Protocol("the recording task ended".into())),
    }
}

/// Writes groups until nothing waits. A request appears once per group (a second attempt for
/// it waits for the next, so that it sees the first one's step).
async fn write_groups(state: &AppState) {
    loop {
        let group = {
            let mut queue = state.recorder.lock();
            if queue.waiting.is_empty() {
                queue.writing = false;
                return;
            }
            let (group, later) = next_group(std::mem::take(&mut queue.waiting), |(f, _)| f.request);
            queue.waiting = later;
            group
        };
        let (items, answers): (Vec<Finished>, Vec<Answer>) = group.into_iter().unzip();
        let now = state.clock.now();
        let outcome = match write_group(state, &items, now).await {
            Ok(()) => vec![Ok(()); items.len()],
            // One bad step must not cost the others theirs: each alone, as it would have been.
            Err(e) if items.len() > 1 => {
                tracing::warn!(error = %e, attempts = items.len(), "a group of attempts failed; recording each alone");
                let mut each = Vec::with_capacity(items.len());
                for item in &items {
                    let alone = write_group(state, std::slice::from_ref(item), now).await;
                    each.push(alone.map_err(|e| e.to_string()));
                }
                each
            }
            Err(e) => vec![Err(e.to_string())],
        };
        for (answer, result) in answers.into_iter().zip(outcome) {
            let _ = answer.send(result);
        }
    }
}

/// Splits what waits into the next group (at most [`GROUP_MAX`], one per request, in the
/// order they came) and what waits for a later one.
fn next_group<T>(waiting: Vec<T>, request: impl Fn(&T) -> RequestId) -> (Vec<T>, Vec<T>) {
    let mut seen = HashSet::new();
    waiting
        .into_iter()
        .partition(|w| seen.len() < GROUP_MAX && seen.insert(request(w)))
}

/// The step each attempt makes the request take, all in one transaction.
async fn write_group(
    state: &AppState,
    items: &[Finished],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let ids: Vec<RequestId> = items.iter().map(|f| f.request).collect();
    let loaded: HashMap<RequestId, _> = requests::get_many_with_live_wait(&mut tx, &ids)
        .await?
        .into_iter()
        .map(|(row, live)| (row.id, (row, live)))
        .collect();
    let mut policies: HashMap<PolicyId, Policy> = HashMap::new();
    for (row, _) in loaded.values() {
        if let std::collections::hash_map::Entry::Vacant(slot) = policies.entry(row.policy) {
            slot.insert(Policy::load(&mut tx, row.policy).await?);
        }
    }
    let mut b = Batch::new();
    // Steps that delivered a request: their target may have left meanwhile (after the batch,
    // once their assignment is written).
    let mut delivered = Vec::new();
    for f in items {
        let attempt = NewAttempt {
            instance: f.instance,
            started_at: f.started,
            http_status: f.result.http_status,
            latency_ms: f.result.latency_ms,
            error: f.result.error.as_deref(),
            excerpt: f.result.excerpt.as_deref(),
        };
        requests::insert_attempt_in(&mut b, &attempt);
        if let Some(correlation) = &f.result.correlation_id {
            requests::set_correlation(&mut b, f.instance, correlation);
        }
        let Some(event) = event_of(&mut tx, f, now).await? else {
            // Retried later; its job stays.
            continue;
        };
        jobs::complete_in(&mut b, f.job);
        // Shown on the instance when its outcome no longer moves the request.
        let left_as = match event {
            Event::CalloutDelivered { .. } => InstanceStatus::CalloutSent,
            _ => InstanceStatus::CalloutFailed,
        };
        let Some((row, live)) = loaded.get(&f.request) else {
            tracing::error!(instance = %f.instance, request = %f.request, "callout of a request that is gone");
            requests::set_instance_status(&mut b, f.instance, InstanceStatus::CalloutFailed, now);
            continue;
        };
        let current = match machine_view(row, *live) {
            Ok(current) => current,
            Err(e) => {
                tracing::error!(instance = %f.instance, error = %e, "could not apply a callout outcome");
                requests::set_instance_status(
                    &mut b,
                    f.instance,
                    InstanceStatus::CalloutFailed,
                    now,
                );
                continue;
            }
        };
        let policy = &policies[&row.policy];
        let action = format!("request.{}", event.name());
        match apply(&current, &policy.rules, event, now, &mut RandomIds) {
            Ok(transition) => {
                write_into(&mut b, row, policy, &transition, &action, now)?;
                delivered.push((row, current, transition));
            }
            Err(refusal) => {
                // The request moved on (canceled, resumed, timed out): an instance still
                // pending shows what happened to its callout; a resume or timeout keeps its own.
                tracing::info!(instance = %f.instance, %refusal, "callout outcome after the request moved on");
                requests::settle_pending_instance(&mut b, f.instance, left_as, now);
            }
        }
    }
    b.run(&mut tx).await?;
    for (row, before, after) in delivered {
        remove_if_target_left(&mut tx, row, &before, &after, now)
            .await
            .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    }
    tx.commit().await
}

/// What the attempt means for the request, or `None` when it is to be tried again: its job is
/// then put back for later at once (a retry is rare enough for a statement of its own).
async fn event_of(
    tx: &mut sqlx::SqliteConnection,
    f: &Finished,
    now: DateTime<Utc>,
) -> Result<Option<Event>, sqlx::Error> {
    let (instance, stage, waits) = (f.instance, f.stage, f.waits);
    let give_up = Event::CalloutFailed {
        instance,
        stage,
        waits,
    };
    Ok(
        match retry::classify(f.result.http_status, f.result.redirected) {
            Outcome::Success => Some(Event::CalloutDelivered {
                instance,
                stage,
                waits,
            }),
            Outcome::Fail => Some(give_up),
            Outcome::Retry => match next_try(tx, f, now).await? {
                Some(at) => {
                    let mut b = Batch::new();
                    jobs::reschedule_in(&mut b, f.job, at, f.result.error.as_deref());
                    b.run(tx).await?;
                    None
                }
                None => Some(give_up),
            },
        },
    )
}

/// When to try again, if a retry is left and the wait has not run out.
async fn next_try(
    tx: &mut sqlx::SqliteConnection,
    f: &Finished,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    // This attempt is not written yet: it is the one after those recorded.
    let attempt = requests::attempt_count(tx, f.instance).await? + 1;
    let attempt = u32::try_from(attempt - f.earlier_attempts)
        .unwrap_or(1)
        .max(1);
    let retry_after = f
        .result
        .retry_after
        .as_deref()
        .and_then(|h| retry::parse_retry_after(h, now));
    let jitter = rand::thread_rng().gen_range(-1.0..=1.0);
    Ok(retry::next_attempt_at(
        now,
        attempt,
        f.maximum_retries,
        jitter,
        retry_after,
        f.wait_deadline,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_takes_each_request_once_and_no_more_than_its_size() {
        let (a, b) = (RequestId::new(), RequestId::new());
        let mut waiting = vec![(a, 1), (b, 2), (a, 3), (b, 4)];
        waiting.extend((5..100).map(|n| (RequestId::new(), n)));
        let (group, later) = next_group(waiting, |(r, _)| *r);
        assert_eq!(group.len(), GROUP_MAX);
        assert_eq!(
            group.iter().take(3).map(|(_, n)| *n).collect::<Vec<_>>(),
            vec![1, 2, 5],
            "in order, the second attempt of a request left for later"
        );
        assert_eq!(
            later.iter().take(2).map(|(_, n)| *n).collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert_eq!(group.len() + later.len(), 99);
        let ids: HashSet<RequestId> = group.iter().map(|(r, _)| *r).collect();
        assert_eq!(ids.len(), group.len());
    }
}
