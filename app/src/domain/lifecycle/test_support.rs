//! Fixtures shared by the machine's tests: fixed ids, a fixed start time, small policies.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::effects::{Effect, Transition};
use super::events::{Actor, Event, ResumeOutcome};
use super::history::HistoryEvent;
use super::id_source::SequentialIds;
use super::machine::apply;
use super::policy::{PolicyRules, StageHook};
use super::request::AccessRequest;
use super::states::RequestType;
use crate::domain::extension::Behaviour;
use crate::domain::ids::{AssignmentId, CalloutInstanceId, ExtensionId, RequestId, UserId};
use crate::domain::stage::Stage;
use crate::domain::timeout::{TimeUnit, WaitTimeout};

/// How a stage's hook behaves, in a form a test table can hold as a constant.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    Continue,
    WaitMinutes(u32),
}

pub const CONTINUE: Mode = Mode::Continue;
pub const WAIT_30M: Mode = Mode::WaitMinutes(30);

impl Mode {
    pub fn behaviour(self) -> Behaviour {
        match self {
            Mode::Continue => Behaviour::LaunchAndContinue,
            Mode::WaitMinutes(minutes) => Behaviour::LaunchAndWait(
                WaitTimeout::new(minutes, TimeUnit::Minutes).expect("a valid test timeout"),
            ),
        }
    }
}

pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

pub fn later(minutes: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(minutes)
}

pub fn request_id() -> RequestId {
    RequestId::from_uuid(Uuid::from_u128(0xAAAA))
}

pub fn user(n: u128) -> UserId {
    UserId::from_uuid(Uuid::from_u128(0x5_0000 + n))
}

pub fn requestor() -> Actor {
    Actor::User(user(1))
}

pub fn approver() -> Actor {
    Actor::User(user(2))
}

/// Each stage's hook gets its own extension, so a test sees which one was called.
pub fn extension_for(stage: Stage) -> ExtensionId {
    let index = Stage::ALL.iter().position(|s| *s == stage).unwrap() as u128;
    ExtensionId::from_uuid(Uuid::from_u128(0x3_0000 + index))
}

pub fn instance(n: u32) -> CalloutInstanceId {
    SequentialIds::instance(n)
}

pub fn assignment(n: u32) -> AssignmentId {
    SequentialIds::assignment_n(n)
}

pub fn rules(approval_required: bool, stages: &[(Stage, Mode)]) -> PolicyRules {
    PolicyRules {
        approval_required,
        approval_timeout: PolicyRules::default_approval_timeout(),
        stages: stages
            .iter()
            .map(|(stage, mode)| {
                (
                    *stage,
                    StageHook {
                        extension: extension_for(*stage),
                        behaviour: mode.behaviour(),
                    },
                )
            })
            .collect(),
    }
}

/// A `userAdd` request before submission.
pub fn fresh() -> AccessRequest {
    AccessRequest::new(request_id(), RequestType::UserAdd)
}

pub fn step(
    request: &AccessRequest,
    policy: &PolicyRules,
    event: Event,
    now: DateTime<Utc>,
    ids: &mut SequentialIds,
) -> Transition {
    let name = event.name();
    apply(request, policy, event, now, ids)
        .unwrap_or_else(|refusal| panic!("{name} was refused: {refusal}"))
}

/// A fresh request submitted at [`t0`] by [`requestor`], and the ids left for what follows.
pub fn submit(policy: &PolicyRules) -> (Transition, SequentialIds) {
    let mut ids = SequentialIds::new();
    let t = step(
        &fresh(),
        policy,
        Event::Submit { by: requestor() },
        t0(),
        &mut ids,
    );
    (t, ids)
}

pub fn history(event: HistoryEvent) -> Effect {
    Effect::History {
        event,
        detail: None,
    }
}

/// The `StartCallout` for the n-th instance at a stage, started at [`t0`].
pub fn start(n: u32, stage: Stage, mode: Mode) -> Effect {
    start_at(n, stage, mode, t0())
}

pub fn start_at(n: u32, stage: Stage, mode: Mode, at: DateTime<Utc>) -> Effect {
    let behaviour = mode.behaviour();
    Effect::StartCallout {
        instance: instance(n),
        stage,
        extension: extension_for(stage),
        behaviour,
        wait_until: behaviour.timeout().map(|t| at + t.as_duration()),
    }
}

pub fn approve(reason: Option<&str>) -> Event {
    Event::Approve {
        by: approver(),
        reason: reason.map(str::to_owned),
    }
}

pub fn cancel() -> Event {
    Event::Cancel { by: requestor() }
}

pub fn workflow_app() -> Actor {
    Actor::App(crate::domain::ids::AppId::from_uuid(Uuid::from_u128(
        0x6_0000,
    )))
}

pub fn resume(n: u32, outcome: ResumeOutcome) -> Event {
    Event::Resumed {
        instance: instance(n),
        outcome,
        source: Some("Contoso.SodCheckProcess".to_owned()),
        detail: Some("This user is all verified".to_owned()),
        by: workflow_app(),
    }
}
