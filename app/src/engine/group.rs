//! Group commit: steps that arrive while a group is being written go together in the next.
//!
//! The one write connection is the pipeline's narrowest point: a transaction per step costs a
//! dozen round trips to the connection's thread and a sync. A kind of step that is frequent
//! (a delivery attempt's record, a workflow's resume) implements [`GroupWrite`]: its steps
//! queue, and one task writes them in groups, each group in one transaction (one read of all
//! their requests, one batch of writes, one `COMMIT`), and answers every step once its group
//! is on disk. No task runs while nothing waits: the first step to find the queue idle starts
//! one, which ends when the queue is empty.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use tokio::sync::oneshot;

use crate::domain::ids::{CalloutInstanceId, PolicyId, RequestId};
use crate::domain::lifecycle::{AccessRequest, Event, Transition};
use crate::domain::stage::Stage;
use crate::engine::policy::Policy;
use crate::engine::run::{machine_view, remove_if_target_left, step_into, RunError};
use crate::state::AppState;
use crate::store::batch::Batch;
use crate::store::requests::{self, RequestRow};

/// The most steps one transaction writes.
pub const GROUP_MAX: usize = 64;

/// A kind of step written in groups.
pub trait GroupWrite: Sized + Send + Sync + 'static {
    type Answer: Send + 'static;
    /// What a group holds once.
    type Key: Hash + Eq;

    /// A group holds each key once, so that a second step with it sees what the first one
    /// did: the request a step moves (a repeated resume, say), or the target and package a
    /// new request asks for (a second request for them is refused as a duplicate).
    fn key(&self) -> Self::Key;

    /// Where steps of this kind wait.
    fn queue(state: &AppState) -> &Groups<Self>;

    /// Writes `steps` in one transaction and answers each, in order.
    fn write(
        state: &AppState,
        steps: &[Self],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Self::Answer>, sqlx::Error>> + Send;

    /// The answer of a step whose transaction failed.
    fn failed(error: &sqlx::Error) -> Self::Answer;
}

/// The steps of one kind waiting for the next group, and whether a task is writing groups.
pub struct Groups<T: GroupWrite> {
    queue: Mutex<Queue<T>>,
}

struct Queue<T: GroupWrite> {
    waiting: Vec<(T, oneshot::Sender<T::Answer>)>,
    writing: bool,
}

impl<T: GroupWrite> Default for Groups<T> {
    fn default() -> Self {
        Groups {
            queue: Mutex::new(Queue {
                waiting: Vec::new(),
                writing: false,
            }),
        }
    }
}

impl<T: GroupWrite> Groups<T> {
    fn lock(&self) -> MutexGuard<'_, Queue<T>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Queues `step` and waits for its answer; `None` if the writing task died with it.
pub async fn submit<T: GroupWrite>(state: &AppState, step: T) -> Option<T::Answer> {
    let (answer, answered) = oneshot::channel();
    let start = {
        let mut queue = T::queue(state).lock();
        queue.waiting.push((step, answer));
        !std::mem::replace(&mut queue.writing, true)
    };
    if start {
        // A task of its own, so that no caller's cancellation can strand the queue.
        let state = state.clone();
        tokio::spawn(async move { write_groups::<T>(&state).await });
    }
    answered.await.ok()
}

async fn write_groups<T: GroupWrite>(state: &AppState) {
    loop {
        let group = {
            let mut queue = T::queue(state).lock();
            if queue.waiting.is_empty() {
                queue.writing = false;
                return;
            }
            let (group, later) = next_group(std::mem::take(&mut queue.waiting), |(s, _)| s.key());
            queue.waiting = later;
            group
        };
        let (steps, answers): (Vec<T>, Vec<_>) = group.into_iter().unzip();
        let results = write_or_each::<T>(state, &steps, state.clock.now()).await;
        for (answer, result) in answers.into_iter().zip(results) {
            let _ = answer.send(result);
        }
    }
}

/// The group in one transaction or, when that fails, each step alone, so that one bad step
/// (a constraint, a bad row) costs only its own answer.
async fn write_or_each<T: GroupWrite>(
    state: &AppState,
    steps: &[T],
    now: DateTime<Utc>,
) -> Vec<T::Answer> {
    match T::write(state, steps, now).await {
        Ok(answers) => answers,
        Err(e) if steps.len() > 1 => {
            tracing::warn!(error = %e, steps = steps.len(), "a group failed; writing each step alone");
            let mut each = Vec::with_capacity(steps.len());
            for step in steps {
                each.push(
                    match T::write(state, std::slice::from_ref(step), now).await {
                        Ok(mut answer) => answer.remove(0),
                        Err(e) => T::failed(&e),
                    },
                );
            }
            each
        }
        Err(e) => vec![T::failed(&e)],
    }
}

/// Splits what waits into the next group (at most [`GROUP_MAX`], one per key, in the order
/// they came) and what waits for a later one.
fn next_group<W, K: Hash + Eq>(waiting: Vec<W>, key: impl Fn(&W) -> K) -> (Vec<W>, Vec<W>) {
    let mut seen = HashSet::new();
    waiting
        .into_iter()
        .partition(|w| seen.len() < GROUP_MAX && seen.insert(key(w)))
}

/// A group's requests (each with the instance that holds it) and their policies, read in one
/// query and one per distinct policy.
pub struct Loaded {
    requests: HashMap<RequestId, (RequestRow, Option<(Stage, CalloutInstanceId)>)>,
    policies: HashMap<PolicyId, Policy>,
}

impl Loaded {
    pub async fn read(
        conn: &mut SqliteConnection,
        ids: &[RequestId],
    ) -> Result<Loaded, sqlx::Error> {
        let requests: HashMap<_, _> = requests::get_many_with_live_wait(&mut *conn, ids)
            .await?
            .into_iter()
            .map(|(row, live)| (row.id, (row, live)))
            .collect();
        let mut policies = HashMap::new();
        for (row, _) in requests.values() {
            if let std::collections::hash_map::Entry::Vacant(slot) = policies.entry(row.policy) {
                slot.insert(Policy::load(&mut *conn, row.policy).await?);
            }
        }
        Ok(Loaded { requests, policies })
    }
}

/// The writes of a group's steps, sent as one batch.
pub struct Writes<'q> {
    pub batch: Batch<'q>,
    /// Steps that may have delivered a request, whose target may have left meanwhile.
    moved: Vec<(RequestId, AccessRequest, Transition)>,
}

impl<'q> Writes<'q> {
    pub fn new() -> Self {
        Writes {
            batch: Batch::new(),
            moved: Vec::new(),
        }
    }

    /// Runs `event` against the request as loaded and adds what it writes; what `run_event`
    /// would answer, without its reads.
    pub fn step(
        &mut self,
        loaded: &Loaded,
        request: RequestId,
        event: Event,
        now: DateTime<Utc>,
    ) -> Result<(), RunError> {
        let (row, live) = loaded.requests.get(&request).ok_or(RunError::NotFound)?;
        let current = machine_view(row, *live)?;
        let policy = &loaded.policies[&row.policy];
        let transition = step_into(&mut self.batch, row, &current, policy, event, now)?;
        self.batch.end_part();
        self.moved.push((request, current, transition));
        Ok(())
    }

    /// Sends the batch, then removes the access a leaver's request was just given (once its
    /// assignment is written), as a single step does.
    pub async fn finish(
        self,
        conn: &mut SqliteConnection,
        loaded: &Loaded,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        self.batch.run(&mut *conn).await?;
        for (request, before, after) in self.moved {
            let (row, _) = &loaded.requests[&request];
            remove_if_target_left(&mut *conn, row, &before, &after, now)
                .await
                .map_err(|e| match e {
                    RunError::Db(e) => e,
                    other => sqlx::Error::Protocol(other.to_string()),
                })?;
        }
        Ok(())
    }
}

impl Default for Writes<'_> {
    fn default() -> Self {
        Self::new()
    }
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
            "in order, the second step of a request left for later"
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
