//! Auto-resume: the receiver plays a launch-and-wait workflow such as the seed's
//! "Contoso.SodCheckProcess" Logic App. For each callout that waits (its body has
//! `CallbackUriPath`) it decides at once whether to continue, deny, hold or skip, and a spawned
//! task sends the resume after the configured delay and records what Latch answered.
//!
//! Only a callout that proves it came from Latch is resumed: its token must verify, and so must
//! its signature when the receiver knows any signing secret. Without secrets (the demo's
//! extension secrets are random) the token is the only proof. The timestamp is not required:
//! a late callout is still Latch's.

use std::sync::Arc;
use std::time::Duration;

use app::clock::Clock;
use serde_json::{json, Value};

use crate::callouts::{CalloutLog, Entry, Resume, ResumeState};
use crate::latch_api::LatchApi;
use crate::options::ResumeOptions;
use crate::verify::Check;

/// The pauses before the retries of a resume that met a connection error or a 5xx.
pub const RETRY_BACKOFF: [Duration; 3] = [
    Duration::from_millis(250),
    Duration::from_secs(1),
    Duration::from_secs(3),
];
/// Named in the resume's `source`, which Latch shows in the request's history.
const SOURCE: &str = "Latch sample receiver";
/// Latch refuses `denied` at any other stage.
const DENIABLE_STAGES: [&str; 2] = ["assignmentRequestCreated", "assignmentRequestApproved"];

/// The words that steer the decision, lower-cased.
#[derive(Debug, Clone, Default)]
pub struct Words {
    pub deny: Option<String>,
    pub hold: Option<String>,
}

/// What the checks found that bears on trust.
pub struct Proof<'a> {
    pub token: &'a Check,
    /// `None` when the receiver knows no signing secret, so none could be checked.
    pub signature: Option<&'a Check>,
}

/// What to do about one launch-and-wait callout.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    Send {
        state: ResumeState,
        reason: Option<String>,
        callback_path: String,
        body: Value,
    },
    /// Recorded at once with this state (`Held` or `Skipped`) and reason; nothing is sent.
    Record(ResumeState, String),
}

/// Every stage callout names its `CallbackUriPath`; only launch and wait adds
/// `CallbackConfiguration` (callout.md), and only then does anything wait for a resume.
pub fn waits(callout: &Value) -> bool {
    callout.get("CallbackConfiguration").is_some()
}

/// `None` for a callout that does not wait for a resume.
pub fn plan(callout: &Value, proof: &Proof<'_>, words: &Words) -> Option<Plan> {
    if !waits(callout) {
        return None;
    }
    let callback_path = callout.get("CallbackUriPath")?;
    let skip = |reason: String| Some(Plan::Record(ResumeState::Skipped, reason));
    if let Err(reason) = proof.token {
        return skip(format!("the token did not verify: {reason}"));
    }
    if let Some(Err(reason)) = proof.signature {
        return skip(format!("the signature did not verify: {reason}"));
    }
    let field = |name: &str| callout.get(name).and_then(Value::as_str);
    // Latch's path is relative to its API root; anything else could send the token elsewhere.
    let Some(callback_path) = callback_path.as_str().filter(|p| p.starts_with('/')) else {
        return skip("CallbackUriPath is not a path starting with /".to_owned());
    };
    let Some(stage) = field("Stage") else {
        return skip("the body has no Stage".to_owned());
    };
    let Some(instance) = field("CustomExtensionStageInstanceId") else {
        return skip("the body has no CustomExtensionStageInstanceId".to_owned());
    };
    let justification = field("Justification").unwrap_or_default().to_lowercase();
    let mentions = |word: &Option<String>| {
        word.as_deref()
            .filter(|word| justification.contains(word))
            .map(|word| format!("the justification mentions {word:?}"))
    };
    if let Some(reason) = mentions(&words.hold) {
        return Some(Plan::Record(ResumeState::Held, reason));
    }
    let (state, reason) = match mentions(&words.deny) {
        Some(reason) if DENIABLE_STAGES.contains(&stage) => (ResumeState::Denied, Some(reason)),
        Some(reason) => (
            ResumeState::Continue,
            Some(format!(
                "{reason}, but only the created and approved stages can deny"
            )),
        ),
        None => (ResumeState::Continue, None),
    };
    let detail = match (&state, &reason) {
        (ResumeState::Denied, Some(reason)) => format!("Sample receiver: {reason}"),
        _ => "Sample receiver: no conflicting roles found".to_owned(),
    };
    let mut data = json!({
        "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
        "stage": stage,
        "customExtensionStageInstanceId": instance,
        "customExtensionStageInstanceDetail": detail,
    });
    if state == ResumeState::Denied {
        data["state"] = json!("denied");
    }
    Some(Plan::Send {
        state,
        reason,
        callback_path: callback_path.to_owned(),
        body: json!({
            "source": SOURCE,
            "type": format!("microsoft.graph.accessPackageCustomExtensionStage.{stage}"),
            "data": data,
        }),
    })
}

/// Sends planned resumes; cheap to clone, one token shared by all.
#[derive(Clone)]
pub struct Resumer {
    api: Arc<LatchApi>,
    delay: Duration,
    words: Words,
}

impl Resumer {
    pub fn new(
        latch: String,
        options: ResumeOptions,
        clock: Clock,
        retry_backoff: &[Duration],
    ) -> Result<Self, String> {
        let lower = |word: Option<String>| word.map(|word| word.to_lowercase());
        let words = Words {
            deny: lower(options.deny_word),
            hold: lower(options.hold_word),
        };
        let api = LatchApi::new(
            latch,
            options.client_id,
            options.client_secret,
            clock,
            retry_backoff.to_vec(),
        )?;
        Ok(Self {
            api: Arc::new(api),
            delay: options.delay,
            words,
        })
    }

    pub fn words(&self) -> &Words {
        &self.words
    }

    /// Spawns the resume, so that the callout's 202 never waits for it; the outcome lands on
    /// `entry` in `log`.
    pub fn start(
        &self,
        log: Arc<CalloutLog>,
        entry: Entry,
        state: ResumeState,
        reason: Option<String>,
        callback_path: String,
        body: Value,
    ) {
        let resumer = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(resumer.delay).await;
            let answer = resumer.api.resume(&callback_path, &body).await;
            let instance = body
                .pointer("/data/customExtensionStageInstanceId")
                .and_then(Value::as_str)
                .unwrap_or("-");
            match (&answer.http_status, &answer.error) {
                (Some(status), None) => tracing::info!(
                    "resumed instance {instance} ({}): HTTP {status}",
                    state.as_str()
                ),
                (status, error) => tracing::warn!(
                    "could not resume instance {instance} ({}): HTTP {}; {}",
                    state.as_str(),
                    status.map_or("-".to_owned(), |s| s.to_string()),
                    error.as_deref().unwrap_or("-")
                ),
            }
            let resume = Resume {
                at: answer.at,
                state,
                reason,
                http_status: answer.http_status,
                latency_ms: answer.latency_ms,
                error: answer.error,
            };
            if !log.set_resume(entry, resume) {
                tracing::info!(
                    "instance {instance}'s callout was forgotten before its resume ended"
                );
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callout(stage: &str, justification: &str) -> Value {
        json!({
            "Stage": stage,
            "CustomExtensionStageInstanceId": "i-1",
            "CallbackUriPath": "/identityGovernance/entitlementManagement/assignmentRequests/r-1/resume",
            "CallbackConfiguration": { "DurationBeforeTimeout": "PT1H" },
            "Justification": justification,
        })
    }

    fn words() -> Words {
        Words {
            deny: Some("conflict".to_owned()),
            hold: Some("hold".to_owned()),
        }
    }

    const OK: Check = Ok(());

    fn trusted() -> Proof<'static> {
        Proof {
            token: &OK,
            signature: None,
        }
    }

    fn state(plan: Option<Plan>) -> (ResumeState, Option<String>) {
        match plan.unwrap() {
            Plan::Send { state, reason, .. } => (state, reason),
            Plan::Record(state, reason) => (state, Some(reason)),
        }
    }

    #[test]
    fn callouts_that_do_not_wait_are_left_alone() {
        // Launch and continue: a CallbackUriPath, but no CallbackConfiguration.
        let mut body = callout("assignmentRequestGranted", "");
        body.as_object_mut()
            .unwrap()
            .remove("CallbackConfiguration");
        assert_eq!(plan(&body, &trusted(), &words()), None);
        assert_eq!(plan(&json!("not json"), &trusted(), &words()), None);
    }

    #[test]
    fn words_match_case_insensitively_and_hold_wins() {
        let created = |text: &str| {
            state(plan(
                &callout("assignmentRequestCreated", text),
                &trusted(),
                &words(),
            ))
        };
        assert_eq!(created("Routine").0, ResumeState::Continue);
        assert_eq!(created("A CONFLICT of roles").0, ResumeState::Denied);
        assert_eq!(
            created("conflict, but HOLD it"),
            (
                ResumeState::Held,
                Some("the justification mentions \"hold\"".to_owned())
            )
        );
    }

    #[test]
    fn a_signature_is_required_only_when_one_could_be_checked() {
        let failed: Check = Err("no secret matches".to_owned());
        let body = callout("assignmentRequestCreated", "");
        let proof = Proof {
            token: &OK,
            signature: Some(&failed),
        };
        assert_eq!(
            state(plan(&body, &proof, &words())),
            (
                ResumeState::Skipped,
                Some("the signature did not verify: no secret matches".to_owned())
            )
        );
        let mut body = body;
        body["CallbackUriPath"] = json!("http://elsewhere.example.com/x");
        assert_eq!(
            state(plan(&body, &trusted(), &words())).0,
            ResumeState::Skipped
        );
    }
}
