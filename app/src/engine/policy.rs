//! A policy's rules as the machine reads them.

use crate::domain::expiry::ExpiryRule;
use crate::domain::ids::PolicyId;
use crate::domain::lifecycle::{PolicyRules, StageHook};
use crate::domain::stage::Stage;
use crate::store::{extensions, packages};
use chrono::{DateTime, Duration, Utc};
use sqlx::SqliteConnection;

/// Days of a `PnD` duration (the form policies store); anything else is `None`.
pub fn iso_days(text: &str) -> Option<i64> {
    text.strip_prefix('P')?.strip_suffix('D')?.parse().ok()
}

pub async fn rules(
    conn: &mut SqliteConnection,
    policy: PolicyId,
) -> Result<PolicyRules, sqlx::Error> {
    let record = packages::get_policy(&mut *conn, policy)
        .await?
        .ok_or_else(|| sqlx::Error::RowNotFound)?;
    let mut stages = Vec::new();
    for (stage, extension) in packages::stage_settings(&mut *conn, policy).await? {
        let stage = Stage::parse(&stage).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let id = extension
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let behaviour = extensions::get_any(&mut *conn, id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?
            .to_draft()?
            .behaviour;
        stages.push((
            stage,
            StageHook {
                extension: id,
                behaviour,
            },
        ));
    }
    Ok(PolicyRules {
        approval_required: record.is_approval_required,
        approval_timeout: iso_days(&record.approval_timeout)
            .map(Duration::days)
            .unwrap_or_else(PolicyRules::default_approval_timeout),
        stages,
    })
}

/// When an assignment made now under this policy ends, if it does.
pub async fn expiry(
    conn: &mut SqliteConnection,
    policy: PolicyId,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let record = packages::get_policy(conn, policy)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let end = record
        .expiration_end
        .as_deref()
        .map(crate::store::parse_db_time)
        .transpose()?;
    let rule = ExpiryRule::from_stored(
        &record.expiration_type,
        record.expiration_duration.as_deref(),
        end,
    )
    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(rule.expires_at(now))
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
