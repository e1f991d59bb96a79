//! The request lifecycle as a pure state machine (domain.md: Request lifecycle, Stages, Timers).
//!
//! [`apply`] takes a request, its policy's rules, one [`Event`], `now` and an [`IdSource`], and
//! returns a [`Transition`] (the request as it becomes and the [`Effect`]s to carry out) or a
//! [`Refusal`] that changes nothing. It reads no clock, makes no ids and touches no database, so
//! the store writes a transition in one transaction and tests drive time by hand.
//!
//! The path of an access request: submitted → created stage → approval → approved stage →
//! delivery (assignment created) → granted stage → delivered. A stage with launch and continue
//! queues its callout and the request moves on in the same transition; launch and wait holds
//! the request ([`Phase::Waiting`]) until a resume, its deadline (start of the wait plus the
//! timeout, never moved by retries) or a callout that fails after every retry. Removals
//! ([`start_removal`]) end the assignment first and then fire the removed stage.
//!
//! A resume is first checked against the stored instance with [`classify_resume`], which tells
//! a repeat of the same resume (204, no change) from a different or late one (409); only a new
//! one goes to [`apply`], which may still refuse it (say, the request was canceled meanwhile).
//!
//! Decisions where the spec is silent, kept here so they are found with the code:
//! - While the approved stage waits the request is `submitted`/`WaitingForCallback`.
//! - A timeout or failed callout at granted ends the request `deliveryFailed`/`Expired` and sets
//!   its assignment to `deliveryFailed` (it never held access in full); the removed stage does
//!   not fire for it.
//! - Cancel works while pending approval or waiting at created/approved, not while the granted
//!   stage waits (the assignment exists and the workflow may be provisioning) and never for a
//!   removal (its access is already gone). A canceled request's waiting instance keeps its status.
//! - A removal request is `delivering`/`WaitingForCallback` while its removed stage waits and
//!   ends `delivered`, with status `Expired` when that stage timed out or failed.
//! - Events that come too late for the request (a stale timer, a delivery recorded after the
//!   resume) are refused with [`Refusal::NotWaiting`]; workers log and drop them.

mod approval;
mod cancel;
mod delivery;
mod effects;
mod events;
mod history;
mod id_source;
mod machine;
mod policy;
mod redeliver;
mod refusal;
mod removal;
mod request;
mod resume;
mod states;
mod steps;
mod waiting;
mod wire;
mod words;

#[cfg(test)]
mod test_support;

pub use effects::{Effect, Timer, Transition};
pub use events::{Actor, Event, ResumeOutcome};
pub use history::{HistoryActor, HistoryEvent, RequestorStep};
pub use id_source::{IdSource, RandomIds, SequentialIds};
pub use machine::apply;
pub use policy::{PolicyRules, StageHook};
pub use redeliver::{redeliver, RedeliverRefusal};
pub use refusal::{Ending, Refusal, RefusalKind, Situation};
pub use removal::start_removal;
pub use request::{AccessRequest, Phase};
pub use resume::{classify_resume, InstanceSnapshot, ResumeConflict, ResumeVerdict};
pub use states::{
    AssignmentState, InstanceStatus, RemovalKind, RequestState, RequestStatus, RequestType,
};
pub use wire::UnknownWireName;
pub use words::{requestor_words, StageOutcome};
