//! A manager sends a failed launch-and-continue callout again (the troubleshooting screen's
//! Redeliver). The same instance, so the workflow sees the same `webhook-id` and can tell a
//! repeat; its attempts continue their numbering and the retry schedule starts afresh. It goes
//! with the extension's configuration as it is now: the usual story is "the endpoint was wrong
//! or down, the admin fixed it, now send it again".

use super::manager_requests::request_they_manage;
use super::requests::{actor_of, audit_caller};
use crate::auth::authz::Principal;
use crate::domain::ids::{CalloutInstanceId, RequestId};
use crate::domain::lifecycle::{redeliver as may_redeliver, InstanceStatus};
use crate::domain::stage::Stage;
use crate::engine::run::{config_snapshot, history, queue_delivery};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::batch::Batch;
use crate::store::requests;
use serde_json::json;

pub async fn redeliver(
    state: &AppState,
    p: &Principal,
    request: RequestId,
    instance: CalloutInstanceId,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    crate::store::locks::requests(&mut tx, &[request]).await?;
    request_they_manage(&mut tx, p, request, "redeliver a callout").await?;
    let record = requests::get_instance(&mut tx, instance)
        .await?
        .filter(|i| i.request_id.as_deref() == Some(request.to_string().as_str()))
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "Request {request} has no custom extension instance {instance}."
            ))
        })?;
    let status = InstanceStatus::parse(&record.status).map_err(|_| AppError::Internal)?;
    let stage = Stage::parse(&record.stage).map_err(|_| AppError::Internal)?;
    let step = may_redeliver(status, record.waits(), stage, actor_of(p))
        .map_err(|refusal| AppError::Conflict(refusal.to_string()))?;
    let extension = record
        .custom_extension_id
        .parse()
        .map_err(|_| AppError::Internal)?;
    let config = config_snapshot(&mut tx, extension).await?.ok_or_else(|| {
        AppError::Conflict(
            "The custom extension of this callout was deleted, so there is nowhere to send it."
                .into(),
        )
    })?;
    requests::set_instance_config(&mut tx, instance, &config).await?;
    let earlier = requests::attempt_count(&mut tx, instance).await?;
    let mut b = Batch::new();
    requests::set_instance_status(&mut b, instance, InstanceStatus::Pending, now);
    queue_delivery(&mut b, instance, earlier, now);
    history(&mut b, request, &step, None, now);
    b.run(&mut tx).await?;
    audit_caller(
        &mut tx,
        p,
        "redeliver",
        "customExtensionCalloutInstance",
        instance.to_string(),
        json!({ "request": request, "stage": stage.wire_name(), "earlierAttempts": earlier }),
        now,
    )
    .await?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(())
}
