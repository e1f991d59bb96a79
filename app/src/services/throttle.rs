//! Brute-force throttling around a credential check: count the attempt against each subject
//! (the account or client, and the caller's address), hold or refuse it, and forgive it once
//! the credentials prove right. The rules are `domain::throttle`'s.

use crate::domain::throttle::{
    retry_after_seconds, strictest, wait_words, ThrottleLimits, Verdict,
};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::audit::{self, Actor, AuditEntry};
use crate::store::{throttles, write_tx};
use serde_json::json;
use std::net::IpAddr;

/// The caller's network address, as the server worked it out (the peer, or the configured
/// proxy header); a request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// What an attempt is counted against.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    /// A sign-in name as typed (lower-cased): whether anyone has it makes no difference.
    Account(String),
    /// An app's client id as sent.
    Client(String),
    Address(IpAddr),
}

impl Subject {
    pub fn account(email: &str) -> Self {
        Subject::Account(email.trim().to_lowercase())
    }

    pub fn client(client_id: &str) -> Self {
        Subject::Client(client_id.trim().to_lowercase())
    }

    /// This subject and, when known, the caller's address.
    pub fn and_address(self, address: Option<IpAddr>) -> Vec<Subject> {
        std::iter::once(self)
            .chain(address.map(Subject::Address))
            .collect()
    }

    fn key(&self) -> String {
        match self {
            Subject::Account(name) => format!("account:{name}"),
            Subject::Client(id) => format!("client:{id}"),
            Subject::Address(ip) => format!("address:{ip}"),
        }
    }

    fn limits(&self, state: &AppState) -> ThrottleLimits {
        match self {
            Subject::Account(_) | Subject::Client(_) => state.settings.throttle.account,
            Subject::Address(_) => state.settings.throttle.address,
        }
    }

    /// A success forgets an account's or client's failures, but takes back only its own
    /// attempt from an address that many people share.
    fn reset_on_success(&self) -> bool {
        !matches!(self, Subject::Address(_))
    }
}

/// Why an attempt is not checked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refused {
    #[error("Too many failed attempts. Try again in {}.", wait_words(*retry_after))]
    Throttled { retry_after: u64 },
    #[error("database error")]
    Internal,
}

impl From<Refused> for AppError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Throttled { retry_after } => AppError::Throttled { retry_after },
            Refused::Internal => AppError::Internal,
        }
    }
}

impl From<sqlx::Error> for Refused {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error while throttling");
        Refused::Internal
    }
}

/// An attempt that may go ahead; `succeeded` once the credentials proved right.
#[must_use]
pub struct Admitted {
    subjects: Vec<Subject>,
}

impl Admitted {
    pub async fn succeeded(self, state: &AppState) -> Result<(), sqlx::Error> {
        let mut tx = write_tx(&state.writer).await?;
        for subject in &self.subjects {
            throttles::forgive(&mut tx, &subject.key(), subject.reset_on_success()).await?;
        }
        tx.commit().await
    }
}

/// Counts the attempt against every subject and waits out the strictest hold, or refuses it;
/// a lockout that this attempt causes is written to the audit log.
pub async fn admit(state: &AppState, subjects: Vec<Subject>) -> Result<Admitted, Refused> {
    let now = state.clock.now();
    let mut tx = write_tx(&state.writer).await?;
    let mut verdicts = Vec::with_capacity(subjects.len());
    for subject in &subjects {
        let limits = subject.limits(state);
        let verdict = throttles::count(&mut tx, &subject.key(), now, &limits).await?;
        if let Verdict::Locked { until, newly: true } = verdict {
            record_lockout(&mut tx, subject, until, &limits, now).await?;
        }
        verdicts.push(verdict);
    }
    let longest = subjects
        .iter()
        .map(|s| s.limits(state).lockout)
        .max()
        .unwrap_or_default();
    throttles::prune(&mut tx, now - longest, now).await?;
    tx.commit().await?;
    match strictest(verdicts) {
        Verdict::Go => Ok(Admitted { subjects }),
        Verdict::Hold(delay) => {
            state.clock.sleep(delay).await;
            Ok(Admitted { subjects })
        }
        Verdict::Locked { until, .. } => Err(Refused::Throttled {
            retry_after: retry_after_seconds(until, now),
        }),
    }
}

async fn record_lockout(
    tx: &mut crate::store::Conn,
    subject: &Subject,
    until: chrono::DateTime<chrono::Utc>,
    limits: &ThrottleLimits,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    let (object_kind, object_id) = match subject {
        Subject::Account(name) => ("account", name.clone()),
        Subject::Client(id) => ("client", id.clone()),
        Subject::Address(ip) => ("address", ip.to_string()),
    };
    tracing::warn!(object_kind, object_id, %until, "locked out after repeated failed credentials");
    audit::record(
        tx,
        &Actor::system(),
        AuditEntry {
            action: "signIn.lockout",
            object_kind,
            object_id,
            summary: json!({
                "afterFailures": limits.max_failures,
                "lockedUntil": crate::store::db_time(until),
            }),
        },
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_keyed_without_regard_to_case_or_spaces() {
        assert_eq!(
            Subject::account(" Admin@Contoso.test ").key(),
            "account:admin@contoso.test"
        );
        assert_eq!(
            Subject::Address("192.0.2.7".parse().unwrap()).key(),
            "address:192.0.2.7"
        );
        assert!(!Subject::Address("::1".parse().unwrap()).reset_on_success());
        assert!(Subject::client("x").reset_on_success());
    }
}
