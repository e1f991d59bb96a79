//! Typed ids: a catalog id can't be passed where a policy id is wanted.
//!
//! On the wire every id is a bare hyphenated GUID, as in Graph, so the types serialize
//! transparently.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// A string that is not a hyphenated GUID, for the id kind named in the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} id")]
pub struct InvalidId {
    kind: &'static str,
}

impl InvalidId {
    /// The kind of id that was expected, in words ("catalog", "access package").
    pub fn kind(&self) -> &'static str {
        self.kind
    }
}

/// Only the 36-character hyphenated form is accepted: `Uuid::parse_str` would also take the
/// braced, URN and unhyphenated forms, which would give one object several spellings in URLs.
fn parse_hyphenated(s: &str, kind: &'static str) -> Result<Uuid, InvalidId> {
    if s.len() != 36 {
        return Err(InvalidId { kind });
    }
    Uuid::parse_str(s).map_err(|_| InvalidId { kind })
}

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh id: a v7 UUID, whose first 48 bits are the time in milliseconds and
            /// the rest random, so ids made one after the other sort one after the other and
            /// each new row's id lands at the end of its index instead of on a random page
            /// (docs/decisions.md, "Engine throughput" 18).
            #[expect(
                clippy::new_without_default,
                reason = "a default id would be either random or nil; both hide mistakes"
            )]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_hyphenated(s, $kind).map(Self)
            }
        }
    };
}

typed_id!(UserId, "user");
typed_id!(
    /// An API client's id, which is also its OAuth client id.
    AppId,
    "app"
);
typed_id!(GroupId, "group");
typed_id!(CatalogId, "catalog");
typed_id!(AccessPackageId, "access package");
typed_id!(PolicyId, "policy");
typed_id!(ExtensionId, "custom extension");
typed_id!(RequestId, "request");
typed_id!(AssignmentId, "assignment");
typed_id!(
    /// Sent to the workflow as `customExtensionStageInstanceId`.
    CalloutInstanceId,
    "callout instance"
);
typed_id!(AuditEventId, "audit event");

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "957d0c50-466b-4840-bb5b-c92cea7141ff";

    #[test]
    fn displays_hyphenated_lower_case() {
        let id: CatalogId = SAMPLE.to_uppercase().parse().unwrap();
        assert_eq!(id.to_string(), SAMPLE);
    }

    #[test]
    fn parses_any_case_to_the_same_id() {
        let lower: PolicyId = SAMPLE.parse().unwrap();
        let upper: PolicyId = SAMPLE.to_uppercase().parse().unwrap();
        assert_eq!(lower, upper);
        assert_eq!(lower.as_uuid(), Uuid::parse_str(SAMPLE).unwrap());
    }

    #[test]
    fn refuses_other_spellings_and_garbage() {
        for bad in [
            "",
            "not-a-guid",
            "957d0c50466b4840bb5bc92cea7141ff",
            "{957d0c50-466b-4840-bb5b-c92cea7141ff}",
            "urn:uuid:957d0c50-466b-4840-bb5b-c92cea7141ff",
            "957d0c50-466b-4840-bb5b-c92cea7141fg",
        ] {
            assert!(bad.parse::<CatalogId>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn error_names_the_kind_of_id() {
        let error = "x".parse::<CatalogId>().unwrap_err();
        assert_eq!(error.to_string(), "not a valid catalog id");
        let error = "x".parse::<AccessPackageId>().unwrap_err();
        assert_eq!(error.to_string(), "not a valid access package id");
        assert_eq!(error.kind(), "access package");
    }

    #[test]
    fn new_ids_are_v7_and_sort_in_the_order_they_were_made() {
        let ids: Vec<RequestId> = (0..1000).map(|_| RequestId::new()).collect();
        assert!(ids.iter().all(|id| id.as_uuid().get_version_num() == 7));
        // As text too: the store orders and indexes the hyphenated lower-case form.
        let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let mut sorted = texts.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, texts);
    }

    #[test]
    fn round_trips_through_uuid_and_string() {
        let uuid = Uuid::new_v4();
        let id = RequestId::from_uuid(uuid);
        assert_eq!(id.as_uuid(), uuid);
        assert_eq!(id.to_string().parse::<RequestId>().unwrap(), id);
    }
}
