//! The parts of an assignment policy that steer a request: approval and the stage hooks.

use chrono::Duration;

use crate::domain::extension::Behaviour;
use crate::domain::ids::ExtensionId;
use crate::domain::stage::Stage;

/// A custom extension mapped to a stage, with the behaviour it has now. A callout keeps the
/// behaviour it started with (the effect carries it), so editing the extension later doesn't
/// change a stage that is already waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageHook {
    pub extension: ExtensionId,
    pub behaviour: Behaviour,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRules {
    pub approval_required: bool,
    /// `durationBeforeAutomaticDenial`; read only when approval is required.
    pub approval_timeout: Duration,
    /// At most one hook per stage (the store enforces it with its primary key); should a
    /// duplicate slip in, the first one counts.
    pub stages: Vec<(Stage, StageHook)>,
}

impl PolicyRules {
    /// Entra's default for `durationBeforeAutomaticDenial`.
    pub fn default_approval_timeout() -> Duration {
        Duration::days(14)
    }

    pub fn hook(&self, stage: Stage) -> Option<&StageHook> {
        self.stages
            .iter()
            .find(|(mapped, _)| *mapped == stage)
            .map(|(_, hook)| hook)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_hook_of_a_stage() {
        let first = ExtensionId::new();
        let second = ExtensionId::new();
        let rules = PolicyRules {
            approval_required: false,
            approval_timeout: PolicyRules::default_approval_timeout(),
            stages: vec![
                (
                    Stage::AssignmentRequestGranted,
                    StageHook {
                        extension: first,
                        behaviour: Behaviour::LaunchAndContinue,
                    },
                ),
                (
                    Stage::AssignmentRequestGranted,
                    StageHook {
                        extension: second,
                        behaviour: Behaviour::LaunchAndContinue,
                    },
                ),
            ],
        };
        assert_eq!(
            rules
                .hook(Stage::AssignmentRequestGranted)
                .map(|h| h.extension),
            Some(first)
        );
        assert_eq!(rules.hook(Stage::AssignmentRequestCreated), None);
        assert_eq!(rules.approval_timeout, Duration::days(14));
    }
}
