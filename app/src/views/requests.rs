//! What the request, approval and assignment screens show.

use crate::domain::ids::{AssignmentId, PolicyId, RequestId};
use serde::{Deserialize, Serialize};

/// A package the signed-in user may request, under one policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestablePackage {
    pub policy: PolicyId,
    pub package: String,
    pub description: String,
    pub policy_name: String,
    pub catalog: String,
    pub needs_approval: bool,
    /// Why it can't be requested now ("You have this access package."), if so.
    pub blocked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: RequestId,
    pub package: String,
    pub kind: String,
    pub target: String,
    pub submitted_at: String,
    /// The status in the words the requestor sees.
    pub words: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub at: String,
    /// The step's name, in the requestor's words.
    pub words: String,
    /// For the troubleshooting view: the sentence naming the custom extension and its stage.
    pub technical: Option<String>,
    pub actor: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptView {
    pub number: i64,
    pub at: String,
    pub http_status: Option<i64>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceView {
    pub id: String,
    pub extension_id: String,
    pub extension: String,
    pub stage: String,
    pub status: String,
    pub detail: Option<String>,
    pub source: Option<String>,
    pub external_correlation_id: Option<String>,
    pub attempts: Vec<AttemptView>,
    /// A failed launch-and-continue callout the viewer may send again.
    pub can_redeliver: bool,
}

/// One step a workflow reported back (`customExtensionStageInstanceDetail`), for approvers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowDetail {
    pub stage: String,
    pub source: Option<String>,
    pub detail: String,
    pub at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestDetails {
    pub id: RequestId,
    pub package: String,
    pub policy: String,
    pub kind: String,
    pub target: String,
    pub requestor: String,
    pub justification: String,
    pub submitted_at: String,
    pub state: String,
    pub status: String,
    pub words: String,
    pub can_cancel: bool,
    pub history: Vec<HistoryLine>,
    pub workflow_details: Vec<WorkflowDetail>,
    /// Every callout and attempt: for administrators and assignment managers only.
    pub instances: Option<Vec<InstanceView>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalItem {
    pub request: RequestId,
    pub requestor: String,
    pub package: String,
    pub policy: String,
    pub justification: String,
    pub submitted_at: String,
    pub workflow_details: Vec<WorkflowDetail>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentView {
    pub id: AssignmentId,
    pub package: String,
    pub target: String,
    pub state: String,
    pub started_at: String,
    pub expires_at: Option<String>,
    /// "29 days left", while the access lasts and has an end.
    pub time_left: Option<String>,
    pub may_remove: bool,
}
