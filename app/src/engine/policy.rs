//! A policy's rules as the machine reads them.

use crate::domain::expiry::ExpiryRule;
use crate::domain::extension::ExtensionDraft;
use crate::domain::ids::{ExtensionId, PolicyId};
use crate::domain::lifecycle::{PolicyRules, StageHook};
use crate::domain::stage::Stage;
use crate::store::extensions;
use crate::store::Conn;
use chrono::{DateTime, Duration, Utc};

/// Days of a `PnD` duration (the form policies store); anything else is `None`.
pub fn iso_days(text: &str) -> Option<i64> {
    text.strip_prefix('P')?.strip_suffix('D')?.parse().ok()
}

/// A policy as one step of the engine uses it: its rules, and what starting a callout or
/// granting an assignment under it needs, read together (one read, whatever the step does).
pub struct Policy {
    pub rules: PolicyRules,
    expiry: ExpiryRule,
    /// The configuration of each stage's extension as a callout keeps it.
    snapshots: Vec<(ExtensionId, serde_json::Value)>,
}

/// Policies a group of steps has read, each once.
pub type Policies = std::collections::HashMap<PolicyId, Policy>;

impl Policy {
    /// The policy `id`, read only if `known` does not hold it yet.
    pub async fn load_once<'k>(
        conn: &mut Conn,
        known: &'k mut Policies,
        id: PolicyId,
    ) -> Result<&'k Policy, sqlx::Error> {
        Ok(match known.entry(id) {
            std::collections::hash_map::Entry::Occupied(read) => read.into_mut(),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(Policy::load(conn, id).await?)
            }
        })
    }

    pub async fn load(conn: &mut Conn, id: PolicyId) -> Result<Policy, sqlx::Error> {
        let (terms, settings) = extensions::policy_with_stages(&mut *conn, id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        let end = terms
            .p_expiration_end
            .as_deref()
            .map(crate::store::parse_db_time)
            .transpose()?;
        let expiry = ExpiryRule::from_stored(
            &terms.p_expiration_type,
            terms.p_expiration_duration.as_deref(),
            end,
        )
        .map_err(decode)?;
        let mut stages = Vec::new();
        let mut snapshots = Vec::new();
        for setting in settings {
            let stage = Stage::parse(&setting.stage).map_err(decode)?;
            let extension: ExtensionId = setting.extension.id.parse().map_err(decode)?;
            let draft = setting.extension.to_draft()?;
            stages.push((
                stage,
                StageHook {
                    extension,
                    behaviour: draft.behaviour,
                },
            ));
            snapshots.push((extension, snapshot(&draft)?));
        }
        let rules = PolicyRules {
            approval_required: terms.p_approval_required,
            approval_timeout: iso_days(&terms.p_approval_timeout)
                .map(Duration::days)
                .unwrap_or_else(PolicyRules::default_approval_timeout),
            stages,
        };
        Ok(Policy {
            rules,
            expiry,
            snapshots,
        })
    }

    /// When an assignment made now under this policy ends, if it does.
    pub fn expires_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.expiry.expires_at(now)
    }

    /// The configuration a callout to `extension` starts with (one of the policy's stages).
    pub fn snapshot(&self, extension: ExtensionId) -> Result<&serde_json::Value, sqlx::Error> {
        self.snapshots
            .iter()
            .find(|(id, _)| *id == extension)
            .map(|(_, snapshot)| snapshot)
            .ok_or(sqlx::Error::RowNotFound)
    }
}

/// An extension's configuration as a callout keeps it: whatever later edits do, a callout is
/// sent (and retried) as it was configured when it started.
pub fn snapshot(draft: &ExtensionDraft) -> Result<serde_json::Value, sqlx::Error> {
    serde_json::to_value(draft).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

fn decode<E: std::error::Error + Send + Sync + 'static>(e: E) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_day_durations() {
        assert_eq!(iso_days("P30D"), Some(30));
        assert_eq!(iso_days("P7D"), Some(7));
        assert_eq!(iso_days("PT1H"), None);
        assert_eq!(iso_days("30D"), None);
    }
}
