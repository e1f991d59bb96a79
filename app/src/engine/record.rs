//! Recording delivery attempts, in groups (`engine::group`): every attempt ends in a write
//! (its row, and the step it makes the request take), and those that end while a group is
//! written go together in the next: one read of all their requests, one per distinct policy,
//! one batch of writes, one `COMMIT`.

use crate::store::Conn;
use chrono::{DateTime, Utc};
use rand::Rng;

use crate::callout::retry::{self, Outcome};
use crate::delivery::http::AttemptResult;
use crate::domain::ids::{CalloutInstanceId, RequestId};
use crate::domain::lifecycle::{Event, InstanceStatus};
use crate::domain::stage::Stage;
use crate::engine::group::{self, GroupWrite, Groups, Loaded, Writes};
use crate::engine::run::RunError;
use crate::state::AppState;
use crate::store::batch::Batch;
use crate::store::jobs;
use crate::store::requests::{self, NewAttempt};

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

impl GroupWrite for Finished {
    /// An error leaves the job claimed: its lease runs out and the attempt is made again.
    type Answer = Result<(), String>;

    type Key = RequestId;

    fn key(&self) -> RequestId {
        self.request
    }

    fn queue(state: &AppState) -> &Groups<Self> {
        &state.recorder
    }

    /// The step each attempt makes the request take, in the turn's transaction `tx`.
    async fn write(
        tx: &mut Conn,
        items: &[Self],
        now: DateTime<Utc>,
    ) -> Result<Vec<Self::Answer>, sqlx::Error> {
        let ids: Vec<RequestId> = items.iter().map(|f| f.request).collect();
        let loaded = Loaded::read(&mut *tx, &ids).await?;
        let mut w = Writes::new();
        for f in items {
            let attempt = NewAttempt {
                instance: f.instance,
                started_at: f.started,
                http_status: f.result.http_status,
                latency_ms: f.result.latency_ms,
                error: f.result.error.as_deref(),
                excerpt: f.result.excerpt.as_deref(),
            };
            requests::insert_attempt_in(&mut w.batch, &attempt);
            if let Some(correlation) = &f.result.correlation_id {
                requests::set_correlation(&mut w.batch, f.instance, correlation);
            }
            let Some(event) = event_of(&mut *tx, &mut w.batch, f, now).await? else {
                // Retried later; its job stays.
                continue;
            };
            jobs::complete_in(&mut w.batch, f.job);
            // Shown on the instance when its outcome no longer moves the request.
            let left_as = match event {
                Event::CalloutDelivered { .. } => InstanceStatus::CalloutSent,
                _ => InstanceStatus::CalloutFailed,
            };
            match w.step(&loaded, f.request, event, now) {
                Ok(()) => {}
                Err(RunError::Refused(refusal)) => {
                    // The request moved on (canceled, resumed, timed out): an instance still
                    // pending shows what happened to its callout; a resume or timeout keeps its own.
                    tracing::info!(instance = %f.instance, %refusal, "callout outcome after the request moved on");
                    requests::settle_pending_instance(&mut w.batch, f.instance, left_as, now);
                }
                Err(RunError::Db(e)) => return Err(e),
                Err(other) => {
                    tracing::error!(instance = %f.instance, error = %other, "could not apply a callout outcome");
                    let failed = InstanceStatus::CalloutFailed;
                    requests::set_instance_status(&mut w.batch, f.instance, failed, now);
                }
            }
        }
        w.finish(tx, &loaded, now).await?;
        Ok(vec![Ok(()); items.len()])
    }

    fn failed(error: &sqlx::Error) -> Self::Answer {
        Err(error.to_string())
    }
}

/// Records `finished` with whatever else is waiting; returns once it is committed.
pub async fn record(state: &AppState, finished: Finished) -> Result<(), sqlx::Error> {
    match group::submit(state, finished).await {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(sqlx::Error::Protocol(e)),
        None => Err(sqlx::Error::Protocol("the recording task ended".into())),
    }
}

/// What the attempt means for the request, or `None` when it is to be tried again (its job
/// then put back for later in `b`).
async fn event_of<'q>(
    tx: &mut Conn,
    b: &mut Batch<'q>,
    f: &'q Finished,
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
                    jobs::reschedule_in(b, f.job, at, f.result.error.as_deref());
                    None
                }
                None => Some(give_up),
            },
        },
    )
}

/// When to try again, if a retry is left and the wait has not run out.
async fn next_try(
    tx: &mut Conn,
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
