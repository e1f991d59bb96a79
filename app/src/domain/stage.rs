//! The six points in a request's or assignment's life where a custom extension can run.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Graph's `accessPackageCustomExtensionStage`, in the order the portal lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    AssignmentRequestCreated,
    AssignmentRequestApproved,
    AssignmentRequestGranted,
    AssignmentRequestRemoved,
    AssignmentFourteenDaysBeforeExpiration,
    AssignmentOneDayBeforeExpiration,
}

/// Which family of extension kinds a stage belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StageGroup {
    Request,
    PreExpiration,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::AssignmentRequestCreated,
        Stage::AssignmentRequestApproved,
        Stage::AssignmentRequestGranted,
        Stage::AssignmentRequestRemoved,
        Stage::AssignmentFourteenDaysBeforeExpiration,
        Stage::AssignmentOneDayBeforeExpiration,
    ];

    pub fn wire_name(self) -> &'static str {
        match self {
            Stage::AssignmentRequestCreated => "assignmentRequestCreated",
            Stage::AssignmentRequestApproved => "assignmentRequestApproved",
            Stage::AssignmentRequestGranted => "assignmentRequestGranted",
            Stage::AssignmentRequestRemoved => "assignmentRequestRemoved",
            Stage::AssignmentFourteenDaysBeforeExpiration => {
                "assignmentFourteenDaysBeforeExpiration"
            }
            Stage::AssignmentOneDayBeforeExpiration => "assignmentOneDayBeforeExpiration",
        }
    }

    /// The spelling legacy callouts send as `Event`.
    pub fn pascal_name(self) -> &'static str {
        match self {
            Stage::AssignmentRequestCreated => "AssignmentRequestCreated",
            Stage::AssignmentRequestApproved => "AssignmentRequestApproved",
            Stage::AssignmentRequestGranted => "AssignmentRequestGranted",
            Stage::AssignmentRequestRemoved => "AssignmentRequestRemoved",
            Stage::AssignmentFourteenDaysBeforeExpiration => {
                "AssignmentFourteenDaysBeforeExpiration"
            }
            Stage::AssignmentOneDayBeforeExpiration => "AssignmentOneDayBeforeExpiration",
        }
    }

    pub fn portal_label(self) -> &'static str {
        match self {
            Stage::AssignmentRequestCreated => "Request is created",
            Stage::AssignmentRequestApproved => "Request is approved",
            Stage::AssignmentRequestGranted => "Assignment is granted",
            Stage::AssignmentRequestRemoved => "Assignment is removed",
            Stage::AssignmentFourteenDaysBeforeExpiration => "14 days before assignment expiry",
            Stage::AssignmentOneDayBeforeExpiration => "1 day before assignment expiry",
        }
    }

    /// Case-insensitive, because resume payloads in the wild use both `AssignmentRequestCreated`
    /// and `assignmentRequestCreated` for the same stage.
    pub fn parse(s: &str) -> Result<Stage, UnknownStage> {
        Stage::ALL
            .into_iter()
            .find(|stage| stage.wire_name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownStage {
                input: s.to_owned(),
            })
    }

    pub fn group(self) -> StageGroup {
        match self {
            Stage::AssignmentRequestCreated
            | Stage::AssignmentRequestApproved
            | Stage::AssignmentRequestGranted
            | Stage::AssignmentRequestRemoved => StageGroup::Request,
            Stage::AssignmentFourteenDaysBeforeExpiration
            | Stage::AssignmentOneDayBeforeExpiration => StageGroup::PreExpiration,
        }
    }

    /// Nothing waits on a pre-expiry callout, so only request stages can launch and wait.
    pub fn allows_wait(self) -> bool {
        self.group() == StageGroup::Request
    }

    /// Latch's decision where the docs disagree: a workflow may deny only before the access
    /// exists, at created and approved.
    pub fn allows_deny(self) -> bool {
        matches!(
            self,
            Stage::AssignmentRequestCreated | Stage::AssignmentRequestApproved
        )
    }
}

impl FromStr for Stage {
    type Err = UnknownStage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Stage::parse(s)
    }
}

impl Serialize for Stage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.wire_name())
    }
}

/// Hand-written so that the wire accepts the same spellings as [`Stage::parse`].
impl<'de> Deserialize<'de> for Stage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Stage::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A stage name that matches none of the six.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UnknownStage {
    input: String,
}

impl UnknownStage {
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for UnknownStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a stage; the stages are ", self.input)?;
        for (i, stage) in Stage::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(stage.wire_name())?;
        }
        f.write_str(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as ValueError, StrDeserializer};
    use serde::de::IntoDeserializer;

    fn deserialize(s: &str) -> Result<Stage, ValueError> {
        let deserializer: StrDeserializer<'_, ValueError> = s.into_deserializer();
        Stage::deserialize(deserializer)
    }

    #[test]
    fn parses_every_wire_name_and_pascal_name() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.wire_name()), Ok(stage));
            assert_eq!(Stage::parse(stage.pascal_name()), Ok(stage));
        }
    }

    #[test]
    fn parse_ignores_case() {
        assert_eq!(
            Stage::parse("ASSIGNMENTREQUESTCREATED"),
            Ok(Stage::AssignmentRequestCreated)
        );
        assert_eq!(
            Stage::parse("assignmentrequestcreated"),
            Ok(Stage::AssignmentRequestCreated)
        );
        assert_eq!(
            "assignmentONEDAYbeforeexpiration".parse(),
            Ok(Stage::AssignmentOneDayBeforeExpiration)
        );
    }

    #[test]
    fn unknown_stage_lists_the_valid_names() {
        let error = Stage::parse("assignmentRequestDenied").unwrap_err();
        assert_eq!(error.input(), "assignmentRequestDenied");
        assert_eq!(
            error.to_string(),
            "\"assignmentRequestDenied\" is not a stage; the stages are assignmentRequestCreated, \
             assignmentRequestApproved, assignmentRequestGranted, assignmentRequestRemoved, \
             assignmentFourteenDaysBeforeExpiration, assignmentOneDayBeforeExpiration."
        );
        assert!(Stage::parse("").is_err());
        assert!(Stage::parse(" assignmentRequestCreated").is_err());
    }

    #[test]
    fn deserializes_wire_names_in_any_case() {
        assert_eq!(
            deserialize("assignmentRequestGranted").unwrap(),
            Stage::AssignmentRequestGranted
        );
        assert_eq!(
            deserialize("AssignmentFourteenDaysBeforeExpiration").unwrap(),
            Stage::AssignmentFourteenDaysBeforeExpiration
        );
        let error = deserialize("granted").unwrap_err();
        assert!(error.to_string().contains("is not a stage"), "{error}");
    }

    #[test]
    fn names_and_labels_are_distinct() {
        for (i, a) in Stage::ALL.iter().enumerate() {
            for b in &Stage::ALL[i + 1..] {
                assert_ne!(a.wire_name(), b.wire_name());
                assert_ne!(a.portal_label(), b.portal_label());
            }
            assert_eq!(a.wire_name().to_lowercase(), a.pascal_name().to_lowercase());
        }
    }

    #[test]
    fn portal_labels() {
        let labels: Vec<_> = Stage::ALL.iter().map(|s| s.portal_label()).collect();
        assert_eq!(
            labels,
            [
                "Request is created",
                "Request is approved",
                "Assignment is granted",
                "Assignment is removed",
                "14 days before assignment expiry",
                "1 day before assignment expiry",
            ]
        );
    }

    #[test]
    fn groups_wait_and_deny() {
        use Stage::*;
        let table = [
            (AssignmentRequestCreated, StageGroup::Request, true, true),
            (AssignmentRequestApproved, StageGroup::Request, true, true),
            (AssignmentRequestGranted, StageGroup::Request, true, false),
            (AssignmentRequestRemoved, StageGroup::Request, true, false),
            (
                AssignmentFourteenDaysBeforeExpiration,
                StageGroup::PreExpiration,
                false,
                false,
            ),
            (
                AssignmentOneDayBeforeExpiration,
                StageGroup::PreExpiration,
                false,
                false,
            ),
        ];
        for (stage, group, wait, deny) in table {
            assert_eq!(stage.group(), group, "{stage:?}");
            assert_eq!(stage.allows_wait(), wait, "{stage:?}");
            assert_eq!(stage.allows_deny(), deny, "{stage:?}");
        }
    }

    #[test]
    fn orders_as_the_portal_lists_them() {
        let mut shuffled = Stage::ALL;
        shuffled.reverse();
        shuffled.sort();
        assert_eq!(shuffled, Stage::ALL);
    }
}
