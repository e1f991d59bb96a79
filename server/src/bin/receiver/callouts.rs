//! The receiver's memory: the last callouts it was sent, each with what its checks found and,
//! when it auto-resumes, what became of the resume.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

/// One callout as received, with what its checks found.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Callout {
    pub received_at: DateTime<Utc>,
    pub path: String,
    /// `Stage`, or `Event` for legacy extensions.
    pub stage: Option<String>,
    /// `CustomExtensionStageInstanceId`, else the `webhook-id` header.
    pub instance_id: Option<String>,
    /// `AccessPackageAssignmentRequestId`.
    pub request_id: Option<String>,
    /// `"verified"` or why not.
    pub signature: String,
    /// `"fresh"` or why not.
    pub timestamp: String,
    /// `"verified"` or why not.
    pub token: String,
    pub verified: bool,
    /// The `x-ms-workflow-run-id` this receiver answered with.
    pub run_id: Uuid,
    /// The body as JSON, or as a string when it is not JSON.
    pub body: Value,
    /// Set, with auto-resume on, once a launch-and-wait callout's resume was held, skipped or
    /// answered; null before then and for every other callout.
    pub resume: Option<Resume>,
}

/// What the receiver did about resuming a launch-and-wait callout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resume {
    /// When the resume was first sent; for `held` and `skipped`, when that was decided.
    pub at: DateTime<Utc>,
    pub state: ResumeState,
    pub reason: Option<String>,
    /// The answer to the last attempt.
    pub http_status: Option<u16>,
    /// From sending the last attempt to its answer.
    pub latency_ms: Option<u64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ResumeState {
    Continue,
    Denied,
    /// The hold word: the workflow stays silent and Latch's wait times out.
    Held,
    /// Not sent, because the callout could not be trusted or lacked a field.
    Skipped,
}

impl ResumeState {
    pub fn as_str(self) -> &'static str {
        match self {
            ResumeState::Continue => "continue",
            ResumeState::Denied => "denied",
            ResumeState::Held => "held",
            ResumeState::Skipped => "skipped",
        }
    }
}

/// Which recorded callout a later update is for; unique for the life of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry(u64);

/// The last `keep` callouts, oldest first. Entries are numbered in arrival order, so an update
/// finds its callout by arithmetic, however many are kept.
pub struct CalloutLog {
    keep: usize,
    inner: Mutex<Entries>,
}

struct Entries {
    /// The number of the oldest kept callout.
    first: u64,
    callouts: VecDeque<Callout>,
}

impl CalloutLog {
    /// `keep` is at least 1.
    pub fn new(keep: usize) -> Self {
        Self {
            keep: keep.max(1),
            inner: Mutex::new(Entries {
                first: 0,
                callouts: VecDeque::new(),
            }),
        }
    }

    pub fn keep(&self) -> usize {
        self.keep
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn record(&self, callout: Callout) -> Entry {
        let mut entries = self.lock();
        if entries.callouts.len() == self.keep {
            entries.callouts.pop_front();
            entries.first += 1;
        }
        entries.callouts.push_back(callout);
        Entry(entries.first + entries.callouts.len() as u64 - 1)
    }

    /// False when the callout has been forgotten meanwhile.
    pub fn set_resume(&self, entry: Entry, resume: Resume) -> bool {
        let mut entries = self.lock();
        let Some(index) = entry.0.checked_sub(entries.first) else {
            return false;
        };
        match usize::try_from(index)
            .ok()
            .and_then(|index| entries.callouts.get_mut(index))
        {
            Some(callout) => {
                callout.resume = Some(resume);
                true
            }
            None => false,
        }
    }

    /// Oldest first.
    pub fn all(&self) -> Vec<Callout> {
        self.lock().callouts.iter().cloned().collect()
    }

    /// The newest `limit`, newest first, and how many are kept in all.
    pub fn newest(&self, limit: usize) -> (Vec<Callout>, usize) {
        let entries = self.lock();
        let newest = entries.callouts.iter().rev().take(limit).cloned().collect();
        (newest, entries.callouts.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callout(n: usize) -> Callout {
        Callout {
            received_at: DateTime::UNIX_EPOCH,
            path: format!("/{n}"),
            stage: None,
            instance_id: None,
            request_id: None,
            signature: String::new(),
            timestamp: String::new(),
            token: String::new(),
            verified: false,
            run_id: Uuid::nil(),
            body: Value::Null,
            resume: None,
        }
    }

    fn held() -> Resume {
        Resume {
            at: DateTime::UNIX_EPOCH,
            state: ResumeState::Held,
            reason: None,
            http_status: None,
            latency_ms: None,
            error: None,
        }
    }

    #[test]
    fn only_the_last_callouts_are_kept() {
        let log = CalloutLog::new(3);
        for n in 0..5 {
            log.record(callout(n));
        }
        let paths: Vec<_> = log.all().into_iter().map(|c| c.path).collect();
        assert_eq!(paths, ["/2", "/3", "/4"]);
        let (newest, kept) = log.newest(2);
        assert_eq!(kept, 3);
        assert_eq!(newest[0].path, "/4");
        assert_eq!(newest[1].path, "/3");
    }

    #[test]
    fn an_update_finds_its_callout_or_nothing_once_it_is_forgotten() {
        let log = CalloutLog::new(2);
        let first = log.record(callout(0));
        let second = log.record(callout(1));
        assert!(log.set_resume(second, held()));
        assert_eq!(log.all()[1].resume, Some(held()));
        assert_eq!(log.all()[0].resume, None);

        log.record(callout(2));
        assert!(!log.set_resume(first, held()));
        assert!(log.all().iter().all(|c| c.path != "/0"));
        assert!(!log.set_resume(Entry(99), held()));
    }
}
