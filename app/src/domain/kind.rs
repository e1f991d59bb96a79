//! The three kinds of custom extension and which stages each may serve.

use serde::{Deserialize, Serialize};

use super::stage::{Stage, StageGroup};

/// Serialized as the database name, which is also what server functions pass around.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExtensionKind {
    AssignmentRequest,
    PreExpiration,
    /// The beta `customAccessPackageWorkflowExtension`: kept working for migration, never
    /// created in the UI.
    Legacy,
}

/// How the callout's bearer token is bound, as the Custom Extensions tab words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TokenSecurity {
    ProofOfPossession,
    Regular,
}

impl TokenSecurity {
    pub fn label(self) -> &'static str {
        match self {
            TokenSecurity::ProofOfPossession => "Proof-of-possession (PoP)",
            TokenSecurity::Regular => "Regular",
        }
    }
}

impl ExtensionKind {
    pub const ALL: [ExtensionKind; 3] = [
        ExtensionKind::AssignmentRequest,
        ExtensionKind::PreExpiration,
        ExtensionKind::Legacy,
    ];

    pub fn odata_type(self) -> &'static str {
        match self {
            ExtensionKind::AssignmentRequest => {
                "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
            }
            ExtensionKind::PreExpiration => {
                "#microsoft.graph.accessPackageAssignmentWorkflowExtension"
            }
            ExtensionKind::Legacy => "#microsoft.graph.customAccessPackageWorkflowExtension",
        }
    }

    /// Graph clients send `@odata.type` both with and without the leading `#`, in any case.
    pub fn from_odata_type(s: &str) -> Option<Self> {
        let wanted = s.strip_prefix('#').unwrap_or(s);
        ExtensionKind::ALL
            .into_iter()
            .find(|kind| kind.odata_type()[1..].eq_ignore_ascii_case(wanted))
    }

    /// The Type column of the Custom Extensions tab.
    pub fn type_label(self) -> &'static str {
        match self {
            ExtensionKind::AssignmentRequest => "Assignment request",
            ExtensionKind::PreExpiration => "Pre-expiration",
            ExtensionKind::Legacy => "Custom access package",
        }
    }

    pub fn token_security(self) -> TokenSecurity {
        match self {
            ExtensionKind::AssignmentRequest | ExtensionKind::PreExpiration => {
                TokenSecurity::ProofOfPossession
            }
            ExtensionKind::Legacy => TokenSecurity::Regular,
        }
    }

    pub fn db_name(self) -> &'static str {
        match self {
            ExtensionKind::AssignmentRequest => "assignmentRequest",
            ExtensionKind::PreExpiration => "preExpiration",
            ExtensionKind::Legacy => "legacy",
        }
    }

    /// Exact match: the database only ever holds what [`ExtensionKind::db_name`] wrote.
    pub fn from_db_name(s: &str) -> Option<Self> {
        ExtensionKind::ALL
            .into_iter()
            .find(|kind| kind.db_name() == s)
    }

    pub fn allows_stage(self, stage: Stage) -> bool {
        match self {
            ExtensionKind::Legacy => true,
            ExtensionKind::AssignmentRequest => stage.group() == StageGroup::Request,
            ExtensionKind::PreExpiration => stage.group() == StageGroup::PreExpiration,
        }
    }

    /// Expiry stages have nothing to hold back, and legacy extensions stay launch-and-continue
    /// as in Entra, so only the request kind can launch and wait.
    pub fn allows_wait(self) -> bool {
        self == ExtensionKind::AssignmentRequest
    }

    /// The new kind that serves a group of stages; used by the legacy conversion.
    pub fn for_stage_group(group: StageGroup) -> ExtensionKind {
        match group {
            StageGroup::Request => ExtensionKind::AssignmentRequest,
            StageGroup::PreExpiration => ExtensionKind::PreExpiration,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as ValueError, StrDeserializer};
    use serde::de::IntoDeserializer;

    #[test]
    fn odata_types() {
        assert_eq!(
            ExtensionKind::AssignmentRequest.odata_type(),
            "#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension"
        );
        assert_eq!(
            ExtensionKind::PreExpiration.odata_type(),
            "#microsoft.graph.accessPackageAssignmentWorkflowExtension"
        );
        assert_eq!(
            ExtensionKind::Legacy.odata_type(),
            "#microsoft.graph.customAccessPackageWorkflowExtension"
        );
    }

    #[test]
    fn from_odata_type_accepts_hash_or_not_in_any_case() {
        for kind in ExtensionKind::ALL {
            let with_hash = kind.odata_type();
            let without = &with_hash[1..];
            assert_eq!(ExtensionKind::from_odata_type(with_hash), Some(kind));
            assert_eq!(ExtensionKind::from_odata_type(without), Some(kind));
            assert_eq!(
                ExtensionKind::from_odata_type(&without.to_uppercase()),
                Some(kind)
            );
        }
    }

    #[test]
    fn from_odata_type_refuses_others() {
        assert_eq!(ExtensionKind::from_odata_type(""), None);
        assert_eq!(ExtensionKind::from_odata_type("#"), None);
        assert_eq!(
            ExtensionKind::from_odata_type(
                "##microsoft.graph.customAccessPackageWorkflowExtension"
            ),
            None
        );
        assert_eq!(
            ExtensionKind::from_odata_type("#microsoft.graph.accessPackage"),
            None
        );
    }

    #[test]
    fn labels_and_token_security() {
        let rows: Vec<_> = ExtensionKind::ALL
            .iter()
            .map(|k| (k.type_label(), k.token_security().label()))
            .collect();
        assert_eq!(
            rows,
            [
                ("Assignment request", "Proof-of-possession (PoP)"),
                ("Pre-expiration", "Proof-of-possession (PoP)"),
                ("Custom access package", "Regular"),
            ]
        );
    }

    #[test]
    fn db_names_round_trip_and_match_serde() {
        for kind in ExtensionKind::ALL {
            assert_eq!(ExtensionKind::from_db_name(kind.db_name()), Some(kind));
            let deserializer: StrDeserializer<'_, ValueError> = kind.db_name().into_deserializer();
            assert_eq!(ExtensionKind::deserialize(deserializer).unwrap(), kind);
        }
        assert_eq!(ExtensionKind::from_db_name("Legacy"), None);
        assert_eq!(ExtensionKind::from_db_name(""), None);
    }

    #[test]
    fn stage_compatibility_matrix() {
        use ExtensionKind::*;
        use Stage::*;
        let table = [
            (AssignmentRequest, AssignmentRequestCreated, true),
            (AssignmentRequest, AssignmentRequestApproved, true),
            (AssignmentRequest, AssignmentRequestGranted, true),
            (AssignmentRequest, AssignmentRequestRemoved, true),
            (
                AssignmentRequest,
                AssignmentFourteenDaysBeforeExpiration,
                false,
            ),
            (AssignmentRequest, AssignmentOneDayBeforeExpiration, false),
            (PreExpiration, AssignmentRequestCreated, false),
            (PreExpiration, AssignmentRequestApproved, false),
            (PreExpiration, AssignmentRequestGranted, false),
            (PreExpiration, AssignmentRequestRemoved, false),
            (PreExpiration, AssignmentFourteenDaysBeforeExpiration, true),
            (PreExpiration, AssignmentOneDayBeforeExpiration, true),
            (Legacy, AssignmentRequestCreated, true),
            (Legacy, AssignmentRequestApproved, true),
            (Legacy, AssignmentRequestGranted, true),
            (Legacy, AssignmentRequestRemoved, true),
            (Legacy, AssignmentFourteenDaysBeforeExpiration, true),
            (Legacy, AssignmentOneDayBeforeExpiration, true),
        ];
        assert_eq!(table.len(), 18);
        for (kind, stage, allowed) in table {
            assert_eq!(kind.allows_stage(stage), allowed, "{kind:?} at {stage:?}");
        }
    }

    #[test]
    fn only_assignment_request_waits() {
        assert!(ExtensionKind::AssignmentRequest.allows_wait());
        assert!(!ExtensionKind::PreExpiration.allows_wait());
        assert!(!ExtensionKind::Legacy.allows_wait());
    }

    #[test]
    fn kind_for_each_stage_group_serves_that_group() {
        for group in [StageGroup::Request, StageGroup::PreExpiration] {
            let kind = ExtensionKind::for_stage_group(group);
            assert_ne!(kind, ExtensionKind::Legacy);
            for stage in Stage::ALL {
                assert_eq!(kind.allows_stage(stage), stage.group() == group);
            }
        }
        assert_eq!(
            ExtensionKind::for_stage_group(StageGroup::PreExpiration),
            ExtensionKind::PreExpiration
        );
    }
}
