//! "Update to new extension type": which new kind a legacy extension may become.
//!
//! The conversion keeps the id and every policy link, so the new kind must allow every stage
//! the extension is already mapped to. A legacy extension serving stages of both groups has no
//! such kind; the admin must unmap some first, and the refusal names what to unmap.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::PolicyId;
use super::kind::ExtensionKind;
use super::stage::Stage;

/// One stage of one policy that points at the extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageUse {
    pub policy_id: PolicyId,
    pub policy_name: String,
    pub stage: Stage,
}

/// What the conversion dialog offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
pub enum ConversionOptions {
    /// Unused: the admin picks either new kind.
    Choose,
    /// Every use is in one stage group, so its kind is the only possible one.
    Fixed(ExtensionKind),
    /// Uses in both groups, sorted by policy name then stage.
    Blocked(Vec<StageUse>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ConversionError {
    #[error(
        "Only custom access package extensions can be updated to a new extension type; this one \
         already has one."
    )]
    NotLegacy,
    #[error("Choose Assignment request or Pre-expiration as the new extension type.")]
    InvalidTarget,
    #[error(
        "This extension is not used by any policy, so choose its new type: Assignment request or \
         Pre-expiration."
    )]
    KindChoiceNeeded,
    #[error(
        "This extension can only become the {} type, because its policies use it for {} stages.",
        required.type_label(),
        group_words(*required)
    )]
    ConflictsWithUse { required: ExtensionKind },
    #[error("{}", BlockedMessage(uses))]
    Blocked { uses: Vec<StageUse> },
}

pub fn conversion_options(uses: &[StageUse]) -> ConversionOptions {
    let Some(first) = uses.first() else {
        return ConversionOptions::Choose;
    };
    let group = first.stage.group();
    if uses.iter().all(|u| u.stage.group() == group) {
        return ConversionOptions::Fixed(ExtensionKind::for_stage_group(group));
    }
    let mut sorted = uses.to_vec();
    sorted.sort_by(|a, b| {
        (&a.policy_name, a.policy_id, a.stage).cmp(&(&b.policy_name, b.policy_id, b.stage))
    });
    ConversionOptions::Blocked(sorted)
}

pub fn plan_conversion(
    current: ExtensionKind,
    uses: &[StageUse],
    chosen: Option<ExtensionKind>,
) -> Result<ExtensionKind, ConversionError> {
    if current != ExtensionKind::Legacy {
        return Err(ConversionError::NotLegacy);
    }
    if chosen == Some(ExtensionKind::Legacy) {
        return Err(ConversionError::InvalidTarget);
    }
    match conversion_options(uses) {
        ConversionOptions::Choose => chosen.ok_or(ConversionError::KindChoiceNeeded),
        ConversionOptions::Fixed(required) => match chosen {
            Some(other) if other != required => Err(ConversionError::ConflictsWithUse { required }),
            _ => Ok(required),
        },
        ConversionOptions::Blocked(uses) => Err(ConversionError::Blocked { uses }),
    }
}

fn group_words(kind: ExtensionKind) -> &'static str {
    match kind {
        ExtensionKind::PreExpiration => "pre-expiration",
        _ => "request",
    }
}

/// `Policy "A": stage, stage; Policy "B": stage.` — consecutive uses of one policy share an
/// entry, which is why the uses must arrive sorted.
struct BlockedMessage<'a>(&'a [StageUse]);

impl fmt::Display for BlockedMessage<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("This extension can't be updated: it is used by stages of both kinds.")?;
        let mut previous: Option<PolicyId> = None;
        for (i, stage_use) in self.0.iter().enumerate() {
            if previous == Some(stage_use.policy_id) {
                write!(f, ", {}", stage_use.stage.portal_label())?;
            } else {
                let separator = if i == 0 { " " } else { "; " };
                write!(
                    f,
                    "{separator}Policy \"{}\": {}",
                    stage_use.policy_name,
                    stage_use.stage.portal_label()
                )?;
            }
            previous = Some(stage_use.policy_id);
        }
        if !self.0.is_empty() {
            f.write_str(".")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ExtensionKind::{AssignmentRequest, Legacy, PreExpiration};

    fn stage_use(policy_id: PolicyId, name: &str, stage: Stage) -> StageUse {
        StageUse {
            policy_id,
            policy_name: name.to_owned(),
            stage,
        }
    }

    #[test]
    fn unused_extension_needs_a_choice() {
        assert_eq!(conversion_options(&[]), ConversionOptions::Choose);
        let error = plan_conversion(Legacy, &[], None).unwrap_err();
        assert_eq!(error, ConversionError::KindChoiceNeeded);
        assert_eq!(
            error.to_string(),
            "This extension is not used by any policy, so choose its new type: Assignment \
             request or Pre-expiration."
        );
    }

    #[test]
    fn unused_extension_takes_the_chosen_kind() {
        assert_eq!(
            plan_conversion(Legacy, &[], Some(AssignmentRequest)),
            Ok(AssignmentRequest)
        );
        assert_eq!(
            plan_conversion(Legacy, &[], Some(PreExpiration)),
            Ok(PreExpiration)
        );
    }

    #[test]
    fn request_stages_only_become_assignment_request() {
        let employees = PolicyId::new();
        let uses = [
            stage_use(employees, "Employees", Stage::AssignmentRequestCreated),
            stage_use(PolicyId::new(), "Interns", Stage::AssignmentRequestRemoved),
        ];
        assert_eq!(
            conversion_options(&uses),
            ConversionOptions::Fixed(AssignmentRequest)
        );
        assert_eq!(plan_conversion(Legacy, &uses, None), Ok(AssignmentRequest));
        assert_eq!(
            plan_conversion(Legacy, &uses, Some(AssignmentRequest)),
            Ok(AssignmentRequest)
        );
    }

    #[test]
    fn expiry_stages_only_become_pre_expiration() {
        let uses = [
            stage_use(
                PolicyId::new(),
                "Contractors",
                Stage::AssignmentOneDayBeforeExpiration,
            ),
            stage_use(
                PolicyId::new(),
                "Vendors",
                Stage::AssignmentFourteenDaysBeforeExpiration,
            ),
        ];
        assert_eq!(
            conversion_options(&uses),
            ConversionOptions::Fixed(PreExpiration)
        );
        assert_eq!(plan_conversion(Legacy, &uses, None), Ok(PreExpiration));
    }

    #[test]
    fn a_choice_that_conflicts_with_the_uses_is_refused() {
        let uses = [stage_use(
            PolicyId::new(),
            "Contractors",
            Stage::AssignmentOneDayBeforeExpiration,
        )];
        let error = plan_conversion(Legacy, &uses, Some(AssignmentRequest)).unwrap_err();
        assert_eq!(
            error,
            ConversionError::ConflictsWithUse {
                required: PreExpiration
            }
        );
        assert_eq!(
            error.to_string(),
            "This extension can only become the Pre-expiration type, because its policies use \
             it for pre-expiration stages."
        );
    }

    #[test]
    fn uses_of_both_kinds_block_and_are_named() {
        let employees = PolicyId::new();
        let contractors = PolicyId::new();
        let uses = [
            stage_use(employees, "Employees", Stage::AssignmentRequestGranted),
            stage_use(
                contractors,
                "Contractors",
                Stage::AssignmentOneDayBeforeExpiration,
            ),
            stage_use(employees, "Employees", Stage::AssignmentRequestCreated),
        ];
        let expected = vec![uses[1].clone(), uses[2].clone(), uses[0].clone()];
        assert_eq!(
            conversion_options(&uses),
            ConversionOptions::Blocked(expected.clone())
        );
        for chosen in [None, Some(AssignmentRequest), Some(PreExpiration)] {
            let error = plan_conversion(Legacy, &uses, chosen).unwrap_err();
            assert_eq!(
                error,
                ConversionError::Blocked {
                    uses: expected.clone()
                }
            );
            assert_eq!(
                error.to_string(),
                "This extension can't be updated: it is used by stages of both kinds. Policy \
                 \"Contractors\": 1 day before assignment expiry; Policy \"Employees\": Request \
                 is created, Assignment is granted."
            );
        }
    }

    #[test]
    fn only_legacy_extensions_convert() {
        for current in [AssignmentRequest, PreExpiration] {
            let error = plan_conversion(current, &[], Some(AssignmentRequest)).unwrap_err();
            assert_eq!(error, ConversionError::NotLegacy);
            assert!(error.to_string().starts_with(
                "Only custom access package extensions can be updated to a new extension type"
            ));
        }
    }

    #[test]
    fn legacy_is_not_a_target() {
        assert_eq!(
            plan_conversion(Legacy, &[], Some(Legacy)),
            Err(ConversionError::InvalidTarget)
        );
        assert_eq!(
            ConversionError::InvalidTarget.to_string(),
            "Choose Assignment request or Pre-expiration as the new extension type."
        );
    }
}
