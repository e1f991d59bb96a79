//! Group commit: steps that arrive while a turn is being written go together in the next.
//!
//! The one write connection is the pipeline's narrowest point: a transaction per step costs a
//! dozen round trips to the connection's thread and a sync. A kind of step that is frequent
//! (a new request, a delivery attempt's record, a workflow's resume) implements
//! [`GroupWrite`]: its steps queue, and one task writes them in turns. A turn takes a group
//! of each kind that waits and writes them all in one transaction (per kind one read of all
//! their requests, one batch of writes; one `COMMIT` for the turn), then answers every step
//! once it is on disk. No task runs while nothing waits: the first step to find the writer
//! idle starts one, which ends when every queue is empty.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::store::Conn;
use chrono::{DateTime, Utc};
use tokio::sync::oneshot;

use crate::domain::ids::RequestId;
use crate::domain::lifecycle::{AccessRequest, Event, Transition};
use crate::engine::policy::{Policies, Policy};
use crate::engine::run::{machine_view, remove_if_target_left, step_into, RunError};
use crate::state::AppState;
use crate::store::batch::Batch;
use crate::store::requests::{self, RequestNow};

/// The most steps of one kind a turn writes.
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

    /// Writes `steps` in `tx`, the turn's transaction (which the other kinds' groups share
    /// and which commits after them all), and answers each, in order.
    fn write(
        tx: &mut Conn,
        steps: &[Self],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Self::Answer>, sqlx::Error>> + Send;

    /// The answer of a step whose transaction failed.
    fn failed(error: &sqlx::Error) -> Self::Answer;
}

/// The steps of one kind waiting for the next turn.
pub struct Groups<T: GroupWrite> {
    waiting: Mutex<Vec<Waiting<T>>>,
}

type Waiting<T> = (T, oneshot::Sender<<T as GroupWrite>::Answer>);

impl<T: GroupWrite> Default for Groups<T> {
    fn default() -> Self {
        Groups {
            waiting: Mutex::new(Vec::new()),
        }
    }
}

impl<T: GroupWrite> Groups<T> {
    fn lock(&self) -> MutexGuard<'_, Vec<Waiting<T>>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A queue the writer takes groups from, whatever its kind.
pub trait Queue: Send + Sync {
    /// The next group of this kind, if any waits.
    fn take(&self) -> Option<Box<dyn Taken>>;
}

impl<T: GroupWrite> Queue for Groups<T> {
    fn take(&self) -> Option<Box<dyn Taken>> {
        let mut waiting = self.lock();
        if waiting.is_empty() {
            return None;
        }
        let (group, later) = next_group(std::mem::take(&mut *waiting), |(s, _)| s.key());
        *waiting = later;
        let (steps, answer_to) = group.into_iter().unzip();
        Some(Box::new(Group::<T> {
            steps,
            answer_to,
            answers: Vec::new(),
        }))
    }
}

type Boxed<'a, O> = Pin<Box<dyn Future<Output = O> + Send + 'a>>;

/// A group taken from its queue, to write and answer.
pub trait Taken: Send {
    /// Writes the group in the turn's transaction; its answers wait for the commit.
    fn write<'a>(
        &'a mut self,
        tx: &'a mut Conn,
        now: DateTime<Utc>,
    ) -> Boxed<'a, Result<(), sqlx::Error>>;

    /// Sends the answers written (the turn committed).
    fn answer(self: Box<Self>);

    /// Answers every step with the failure of its transaction.
    fn fail(self: Box<Self>, error: &sqlx::Error);

    /// The group as groups of one step each, to write apart.
    fn split(self: Box<Self>) -> Vec<Box<dyn Taken>>;
}

struct Group<T: GroupWrite> {
    steps: Vec<T>,
    answer_to: Vec<oneshot::Sender<T::Answer>>,
    answers: Vec<T::Answer>,
}

impl<T: GroupWrite> Taken for Group<T> {
    fn write<'a>(
        &'a mut self,
        tx: &'a mut Conn,
        now: DateTime<Utc>,
    ) -> Boxed<'a, Result<(), sqlx::Error>> {
        Box::pin(async move {
            self.answers = T::write(tx, &self.steps, now).await?;
            Ok(())
        })
    }

    fn answer(self: Box<Self>) {
        for (to, answer) in self.answer_to.into_iter().zip(self.answers) {
            let _ = to.send(answer);
        }
    }

    fn fail(self: Box<Self>, error: &sqlx::Error) {
        for to in self.answer_to {
            let _ = to.send(T::failed(error));
        }
    }

    fn split(self: Box<Self>) -> Vec<Box<dyn Taken>> {
        let group = *self;
        group
            .steps
            .into_iter()
            .zip(group.answer_to)
            .map(|(step, to)| {
                Box::new(Group::<T> {
                    steps: vec![step],
                    answer_to: vec![to],
                    answers: Vec::new(),
                }) as Box<dyn Taken>
            })
            .collect()
    }
}

/// Every kind's queue, and whether the writing task runs.
pub struct GroupWriter {
    queues: Vec<Arc<dyn Queue>>,
    writing: Mutex<bool>,
}

impl GroupWriter {
    /// A writer taking turns over `queues`, in this order within each turn.
    pub fn new(queues: Vec<Arc<dyn Queue>>) -> Self {
        GroupWriter {
            queues,
            writing: Mutex::new(false),
        }
    }

    fn writing(&self) -> MutexGuard<'_, bool> {
        self.writing.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The writer thread, once woken, waits for the thread running to block or use up its slice
/// instead of preempting it (Linux's `SCHED_BATCH`, same priority). sqlx's SQLite driver
/// sends each statement's result as a message of its own: a writer that preempted the write
/// connection's thread at each took the core back and forth once per statement (17 switches
/// a lifecycle); now the connection's thread runs a query to its end and the writer takes its
/// results at once.
#[allow(unsafe_code)]
fn wait_on_wake() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: `pid` 0 is the calling thread and `param` a valid `sched_param` for the call's
    // duration; the call reads nothing else and writes nothing.
    if unsafe { libc::sched_setscheduler(0, libc::SCHED_BATCH, &param) } != 0 {
        tracing::warn!(
            error = %std::io::Error::last_os_error(),
            "the group writer keeps the normal scheduling policy"
        );
    }
}

/// Queues `step` and waits for its answer; `None` if the writing task died with it.
pub async fn submit<T: GroupWrite>(state: &AppState, step: T) -> Option<T::Answer> {
    let (answer, answered) = oneshot::channel();
    // Queued before the writer's flag is looked at: a writer that finds every queue empty
    // clears the flag under the same lock, so this step is either in its next turn or starts
    // a new writer.
    T::queue(state).lock().push((step, answer));
    let start = !std::mem::replace(&mut *state.group_writer.writing(), true);
    if start {
        // A task of its own, so that no caller's cancellation can strand the queue.
        let state = state.clone();
        writers().spawn(async move { write_turns(&state).await });
    }
    answered.await.ok()
}

/// Where the group writer runs: a thread of its own. A turn is a dozen round trips to the
/// write connection's thread, and on the shared runtime each answer waited for a worker busy
/// with other tasks (signing a callout, serving a request) before the next statement could
/// go; the write connection, the narrowest point, then sat idle.
fn writers() -> &'static tokio::runtime::Handle {
    static WRITERS: std::sync::OnceLock<tokio::runtime::Handle> = std::sync::OnceLock::new();
    WRITERS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the group writer");
        let handle = runtime.handle().clone();
        std::thread::Builder::new()
            .name("latch-writer".into())
            .spawn(move || {
                wait_on_wake();
                runtime.block_on(std::future::pending::<()>())
            })
            .expect("a thread for the group writer");
        handle
    })
}

async fn write_turns(state: &AppState) {
    let writer = &state.group_writer;
    loop {
        let groups = {
            let mut writing = writer.writing();
            let groups: Vec<Box<dyn Taken>> =
                writer.queues.iter().filter_map(|q| q.take()).collect();
            if groups.is_empty() {
                *writing = false;
                return;
            }
            groups
        };
        write_turn(state, groups).await;
    }
}

/// Every group in one transaction, then every step answered. One bad step (a constraint, a
/// bad row) costs only its own answer: when the turn fails, each kind's group is written
/// again alone (when the turn had more than one), then each of its steps alone.
async fn write_turn(state: &AppState, mut groups: Vec<Box<dyn Taken>>) {
    let Err(e) = write_together(state, &mut groups).await else {
        groups.into_iter().for_each(|g| g.answer());
        return;
    };
    tracing::warn!(error = %e, kinds = groups.len(), "a turn failed; writing its groups again apart");
    let apart = groups.len() > 1;
    for group in groups {
        let mut alone = [group];
        if apart && write_together(state, &mut alone).await.is_ok() {
            let [group] = alone;
            group.answer();
            continue;
        }
        let [group] = alone;
        for step in group.split() {
            let mut one = [step];
            let written = write_together(state, &mut one).await;
            let [step] = one;
            match written {
                Ok(()) => step.answer(),
                Err(e) => step.fail(&e),
            }
        }
    }
}

/// The one transaction a turn (or what is written again apart) takes.
async fn write_together(
    state: &AppState,
    groups: &mut [Box<dyn Taken>],
) -> Result<(), sqlx::Error> {
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    for group in groups.iter_mut() {
        group.write(&mut tx, now).await?;
    }
    tx.commit().await
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
    requests: HashMap<RequestId, RequestNow>,
    policies: Policies,
}

impl Loaded {
    pub async fn read(conn: &mut Conn, ids: &[RequestId]) -> Result<Loaded, sqlx::Error> {
        let requests: HashMap<_, _> = requests::get_many_now(&mut *conn, ids)
            .await?
            .into_iter()
            .map(|now| (now.row.id, now))
            .collect();
        let mut policies = Policies::new();
        for now in requests.values() {
            Policy::load_once(&mut *conn, &mut policies, now.row.policy).await?;
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
        let stored = loaded.requests.get(&request).ok_or(RunError::NotFound)?;
        let current = machine_view(&stored.row, stored.live_wait)?;
        let policy = &loaded.policies[&stored.row.policy];
        let transition = step_into(&mut self.batch, &stored.row, &current, policy, event, now)?;
        self.batch.end_part();
        self.moved.push((request, current, transition));
        Ok(())
    }

    /// Sends the batch, then removes the access a leaver's request was just given (once its
    /// assignment is written), as a single step does.
    pub async fn finish(
        self,
        conn: &mut Conn,
        loaded: &Loaded,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        self.batch.run(&mut *conn).await?;
        for (request, before, after) in self.moved {
            remove_if_target_left(&mut *conn, &loaded.requests[&request], &before, &after, now)
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
    use crate::clock::Clock;
    use crate::state::Settings;
    use std::sync::OnceLock;

    /// A test kind: inserts its number into `t`, whose key refuses a number twice.
    struct Insert(i64);
    /// A second kind in the same turns.
    struct Other(i64);

    fn insert<'q>(b: &mut Batch<'q>, n: i64) {
        b.push("INSERT INTO t (n) VALUES (?)").bind(n);
    }

    impl GroupWrite for Insert {
        type Answer = Result<(), String>;
        type Key = i64;
        fn key(&self) -> i64 {
            self.0
        }
        fn queue(_: &AppState) -> &Groups<Self> {
            static QUEUE: OnceLock<Groups<Insert>> = OnceLock::new();
            QUEUE.get_or_init(Groups::default)
        }
        async fn write(
            tx: &mut Conn,
            steps: &[Self],
            _: DateTime<Utc>,
        ) -> Result<Vec<Self::Answer>, sqlx::Error> {
            let mut b = Batch::new();
            steps.iter().for_each(|s| insert(&mut b, s.0));
            b.run(tx).await?;
            Ok(steps.iter().map(|_| Ok(())).collect())
        }
        fn failed(error: &sqlx::Error) -> Self::Answer {
            Err(error.to_string())
        }
    }

    impl GroupWrite for Other {
        type Answer = Result<(), String>;
        type Key = i64;
        fn key(&self) -> i64 {
            self.0
        }
        fn queue(_: &AppState) -> &Groups<Self> {
            static QUEUE: OnceLock<Groups<Other>> = OnceLock::new();
            QUEUE.get_or_init(Groups::default)
        }
        async fn write(
            tx: &mut Conn,
            steps: &[Self],
            now: DateTime<Utc>,
        ) -> Result<Vec<Self::Answer>, sqlx::Error> {
            let steps: Vec<Insert> = steps.iter().map(|s| Insert(s.0)).collect();
            Insert::write(tx, &steps, now).await
        }
        fn failed(error: &sqlx::Error) -> Self::Answer {
            Err(error.to_string())
        }
    }

    fn queued<T: GroupWrite>(state: &AppState, step: T) -> oneshot::Receiver<T::Answer> {
        let (to, answer) = oneshot::channel();
        T::queue(state).lock().push((step, to));
        answer
    }

    /// The scheduling policy of this process's thread named `name` (field 41 of its
    /// `/proc/self/task/<tid>/stat`).
    fn policy_of_thread(name: &str) -> Option<u32> {
        std::fs::read_dir("/proc/self/task").ok()?.find_map(|task| {
            let dir = task.ok()?.path();
            let comm = std::fs::read_to_string(dir.join("comm")).ok()?;
            if comm.trim_end() != name {
                return None;
            }
            let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
            // After the name, in parentheses, come fields 3 onwards.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            fields.get(41 - 3)?.parse().ok()
        })
    }

    #[tokio::test]
    async fn the_writer_thread_waits_on_wake_instead_of_preempting() {
        let (ran, running) = oneshot::channel();
        writers().spawn(async move { ran.send(()).ok() });
        running.await.unwrap();
        assert_eq!(
            policy_of_thread("latch-writer"),
            Some(libc::SCHED_BATCH as u32),
            "SCHED_BATCH"
        );
    }

    #[tokio::test]
    async fn a_failed_turn_costs_only_the_bad_steps_answer() {
        let (db, _dir) = crate::store::test_db().await;
        sqlx::query("CREATE TABLE t (n INTEGER PRIMARY KEY)")
            .execute(&db)
            .await
            .unwrap();
        let state = AppState::new(
            db,
            Settings::for_tests(),
            Clock::fixed(Utc::now()),
            crate::callout::keys::test_key().clone(),
        );
        // 2 is in the table already: the turn's transaction fails on it.
        insert_now(&state, 2).await;
        let answers: Vec<_> = [1, 2, 3]
            .into_iter()
            .map(|n| queued(&state, Insert(n)))
            .collect();
        let other = queued(&state, Other(10));
        let groups: Vec<Box<dyn Taken>> = vec![
            Insert::queue(&state).take().unwrap(),
            Other::queue(&state).take().unwrap(),
        ];
        write_turn(&state, groups).await;

        let mut got = Vec::new();
        for answer in answers {
            got.push(answer.await.unwrap().is_ok());
        }
        assert_eq!(got, [true, false, true], "only 2 is refused");
        assert!(
            other.await.unwrap().is_ok(),
            "the other kind is written apart"
        );
        let rows: Vec<i64> = sqlx::query_scalar("SELECT n FROM t ORDER BY n")
            .fetch_all(&state.db)
            .await
            .unwrap();
        assert_eq!(rows, [1, 2, 3, 10]);

        // A turn that succeeds writes every kind in one transaction and answers each step.
        let one = queued(&state, Insert(4));
        let two = queued(&state, Other(11));
        let groups: Vec<Box<dyn Taken>> = vec![
            Insert::queue(&state).take().unwrap(),
            Other::queue(&state).take().unwrap(),
        ];
        write_turn(&state, groups).await;
        assert!(one.await.unwrap().is_ok() && two.await.unwrap().is_ok());
        assert!(Insert::queue(&state).take().is_none());
    }

    async fn insert_now(state: &AppState, n: i64) {
        let mut b = Batch::new();
        insert(&mut b, n);
        let mut conn = state.db.acquire().await.unwrap();
        b.run(&mut conn).await.unwrap();
    }

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
