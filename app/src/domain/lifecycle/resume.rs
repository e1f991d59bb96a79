//! Is a resume new, a repeat, or too late? Decided from the stored instance alone, before the
//! request is touched, so a workflow that retries its resume gets the same 204 and changes
//! nothing ("a resume is accepted exactly once per instance").

use std::fmt;

use super::events::ResumeOutcome;
use super::states::InstanceStatus;

/// What the store knows about one callout instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceSnapshot {
    pub status: InstanceStatus,
    /// Started as launch and wait.
    pub waits: bool,
    /// The outcome of the resume that was applied, if one was.
    pub resumed_outcome: Option<ResumeOutcome>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeVerdict {
    /// Hand the resume to the machine (which may still refuse: the request may have been
    /// canceled while the instance waited).
    Apply,
    /// The same resume as the one applied: answer 204 and change nothing.
    Duplicate,
    /// Answer 409 with this reason.
    Conflict(ResumeConflict),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeConflict {
    /// Resumed before with another outcome (`None`: a stored row without its outcome).
    AlreadyResumed {
        previous: Option<ResumeOutcome>,
    },
    TimedOut,
    DeliveryFailed,
    /// A launch-and-continue instance: nothing waits for it.
    DoesNotWait,
}

impl fmt::Display for ResumeConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResumeConflict::AlreadyResumed { previous } => {
                let how = match previous {
                    Some(ResumeOutcome::Continue) => " to continue",
                    Some(ResumeOutcome::Denied) => " with state denied",
                    None => "",
                };
                write!(
                    f,
                    "This custom extension instance was already resumed{how}; a resume with a \
                     different outcome can't change that."
                )
            }
            ResumeConflict::TimedOut => {
                f.write_str("This custom extension instance timed out before this resume arrived.")
            }
            ResumeConflict::DeliveryFailed => f.write_str(
                "The callout of this custom extension instance failed after every retry, so the \
                 request stopped waiting for it.",
            ),
            ResumeConflict::DoesNotWait => f.write_str(
                "This custom extension instance was launched to continue: nothing waits for a \
                 resume.",
            ),
        }
    }
}

impl std::error::Error for ResumeConflict {}

/// The detail string is not part of "the same resume": a workflow that retries may rebuild it
/// (with a new timestamp, say), and the first one stays on record.
pub fn classify_resume(instance: &InstanceSnapshot, outcome: ResumeOutcome) -> ResumeVerdict {
    if let Some(previous) = instance.resumed_outcome {
        return if previous == outcome {
            ResumeVerdict::Duplicate
        } else {
            ResumeVerdict::Conflict(ResumeConflict::AlreadyResumed {
                previous: Some(previous),
            })
        };
    }
    if !instance.waits {
        return ResumeVerdict::Conflict(ResumeConflict::DoesNotWait);
    }
    match instance.status {
        // A workflow may resume before the worker has recorded that its callout landed.
        InstanceStatus::Pending | InstanceStatus::WaitingForCallback => ResumeVerdict::Apply,
        // Not a status a waiting instance gets; the machine decides from the request.
        InstanceStatus::CalloutSent => ResumeVerdict::Apply,
        InstanceStatus::CallbackReceived => {
            ResumeVerdict::Conflict(ResumeConflict::AlreadyResumed { previous: None })
        }
        InstanceStatus::CallbackTimedOut => ResumeVerdict::Conflict(ResumeConflict::TimedOut),
        InstanceStatus::CalloutFailed => ResumeVerdict::Conflict(ResumeConflict::DeliveryFailed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use InstanceStatus as S;
    use ResumeOutcome::{Continue, Denied};

    fn waiting(status: InstanceStatus, resumed_outcome: Option<ResumeOutcome>) -> InstanceSnapshot {
        InstanceSnapshot {
            status,
            waits: true,
            resumed_outcome,
        }
    }

    #[test]
    fn a_waiting_instance_takes_either_outcome() {
        for status in [S::Pending, S::WaitingForCallback] {
            assert_eq!(
                classify_resume(&waiting(status, None), Continue),
                ResumeVerdict::Apply
            );
            assert_eq!(
                classify_resume(&waiting(status, None), Denied),
                ResumeVerdict::Apply
            );
        }
    }

    #[test]
    fn the_same_resume_again_is_a_duplicate() {
        let resumed = waiting(S::CallbackReceived, Some(Continue));
        assert_eq!(
            classify_resume(&resumed, Continue),
            ResumeVerdict::Duplicate
        );
        let denied = waiting(S::CallbackReceived, Some(Denied));
        assert_eq!(classify_resume(&denied, Denied), ResumeVerdict::Duplicate);
    }

    #[test]
    fn a_different_outcome_after_a_resume_conflicts() {
        let resumed = waiting(S::CallbackReceived, Some(Continue));
        let verdict = classify_resume(&resumed, Denied);
        assert_eq!(
            verdict,
            ResumeVerdict::Conflict(ResumeConflict::AlreadyResumed {
                previous: Some(Continue)
            })
        );
        let ResumeVerdict::Conflict(reason) = verdict else {
            unreachable!()
        };
        assert_eq!(
            reason.to_string(),
            "This custom extension instance was already resumed to continue; a resume with a \
             different outcome can't change that."
        );
        let denied = waiting(S::CallbackReceived, Some(Denied));
        let ResumeVerdict::Conflict(reason) = classify_resume(&denied, Continue) else {
            panic!("expected a conflict")
        };
        assert_eq!(
            reason.to_string(),
            "This custom extension instance was already resumed with state denied; a resume \
             with a different outcome can't change that."
        );
    }

    #[test]
    fn too_late_after_a_timeout_or_a_failed_delivery() {
        assert_eq!(
            classify_resume(&waiting(S::CallbackTimedOut, None), Continue),
            ResumeVerdict::Conflict(ResumeConflict::TimedOut)
        );
        assert_eq!(
            ResumeConflict::TimedOut.to_string(),
            "This custom extension instance timed out before this resume arrived."
        );
        assert_eq!(
            classify_resume(&waiting(S::CalloutFailed, None), Denied),
            ResumeVerdict::Conflict(ResumeConflict::DeliveryFailed)
        );
        assert_eq!(
            classify_resume(&waiting(S::CallbackReceived, None), Continue),
            ResumeVerdict::Conflict(ResumeConflict::AlreadyResumed { previous: None })
        );
        assert_eq!(
            ResumeConflict::AlreadyResumed { previous: None }.to_string(),
            "This custom extension instance was already resumed; a resume with a different \
             outcome can't change that."
        );
    }

    #[test]
    fn a_continue_instance_has_nothing_to_resume() {
        for status in [S::Pending, S::CalloutSent, S::CalloutFailed] {
            let instance = InstanceSnapshot {
                status,
                waits: false,
                resumed_outcome: None,
            };
            assert_eq!(
                classify_resume(&instance, Continue),
                ResumeVerdict::Conflict(ResumeConflict::DoesNotWait)
            );
        }
        assert_eq!(
            ResumeConflict::DoesNotWait.to_string(),
            "This custom extension instance was launched to continue: nothing waits for a resume."
        );
    }
}
