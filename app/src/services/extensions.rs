//! The Custom extensions tab: list, add, edit, delete and the legacy conversion.

use crate::auth::authz::Principal;
use crate::domain::conversion::{conversion_options, plan_conversion, ConversionOptions, StageUse};
use crate::domain::endpoint::Endpoint;
use crate::domain::extension::ExtensionDraft;
use crate::domain::ids::{CatalogId, ExtensionId};
use crate::domain::kind::ExtensionKind;
use crate::domain::role::Role;
use crate::error::AppError;
use crate::services::{catalogs, connection, name_lists};
use crate::state::AppState;
use crate::store::audit::{self, AuditEntry};
use crate::store::extensions::{self as store, ExtensionRecord};
use crate::store::paging::PAGE_SIZE;
use crate::store::{name_pages, Conn};
use crate::views::lists::NameQuery;
use crate::views::{ConversionOffer, CreatedExtension, ExtensionList, ExtensionRow, WizardSetup};
use base64::Engine;
use rand::RngCore;
use serde_json::json;

const MANAGE: &str = "manage custom extensions";

/// A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes.
pub fn new_signing_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// A trigger URL's query may hold a SAS signature (`sig=`): it is a secret, so screens get
/// every query value masked, and a save that sends the masked URL back keeps the stored one.
pub fn mask_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) if parsed.query().is_some() => {
            let keys: Vec<String> = parsed.query_pairs().map(|(k, _)| k.into_owned()).collect();
            parsed
                .query_pairs_mut()
                .clear()
                .extend_pairs(keys.iter().map(|k| (k.as_str(), "***")));
            parsed.to_string()
        }
        _ => raw.to_string(),
    }
}

fn endpoint_url_mut(endpoint: &mut Endpoint) -> &mut String {
    match endpoint {
        Endpoint::LogicApp(l) => &mut l.url,
        Endpoint::Http { url } => url,
    }
}

fn describe_uses(uses: &[StageUse]) -> String {
    uses.iter()
        .map(|u| {
            format!(
                "\u{201c}{}\u{201d} ({})",
                u.policy_name,
                u.stage.portal_label()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn load(
    conn: &mut Conn,
    catalog: CatalogId,
    id: ExtensionId,
) -> Result<ExtensionRecord, AppError> {
    store::get(conn, catalog, id).await?.ok_or_else(|| {
        AppError::NotFound("There is no such custom extension in this catalog.".into())
    })
}

fn validate(state: &AppState, draft: &ExtensionDraft) -> Result<(), AppError> {
    draft
        .validate(&state.settings.callout_allow_hosts)
        .map_err(AppError::Invalid)
}

/// A page of the catalog's custom extensions, in name order, those named `q.name…`.
pub async fn tab(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    q: &NameQuery,
) -> Result<ExtensionList, AppError> {
    let header = catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_view_extensions, "see custom extensions")?;
    let (at, name) = name_lists::page_at(q)?;
    let mut conn = state.db.acquire().await?;
    let within = [catalog.to_string()];
    let list = store::named(&within, name);
    let (page, total) =
        name_pages::page(&mut conn, &list, &at, PAGE_SIZE, |r: &ExtensionRecord| {
            (&r.display_name, &r.id)
        })
        .await?;
    let pages = name_lists::pages(&page, total);
    let rows = page
        .rows
        .into_iter()
        .map(|r| {
            let draft = r.to_draft()?;
            Ok(ExtensionRow {
                id: r.extension_id(),
                display_name: draft.display_name.clone(),
                description: draft.description.clone(),
                logic_app: draft.endpoint.display_target(),
                kind: draft.kind,
                behaviour: draft.behaviour.label().to_string(),
                connection: connection::last_result(&r)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(ExtensionList {
        catalog_name: header.display_name,
        may_manage: p.may(catalog, Role::may_manage_extensions),
        rows,
        pages,
    })
}

/// One extension as a reader with any role in the catalog sees it (secret URL parts masked).
pub async fn view(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    id: ExtensionId,
) -> Result<(ExtensionRecord, ExtensionDraft), AppError> {
    catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_view_extensions, "see custom extensions")?;
    let mut conn = state.db.acquire().await?;
    let record = load(&mut conn, catalog, id).await?;
    Ok(masked(record)?)
}

/// Every extension of the catalog, as `view` shows one.
pub async fn list(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
) -> Result<Vec<(ExtensionRecord, ExtensionDraft)>, AppError> {
    catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_view_extensions, "see custom extensions")?;
    let mut conn = state.db.acquire().await?;
    let records = store::list_in_catalog(&mut conn, catalog).await?;
    Ok(records
        .into_iter()
        .map(masked)
        .collect::<Result<Vec<_>, sqlx::Error>>()?)
}

fn masked(record: ExtensionRecord) -> Result<(ExtensionRecord, ExtensionDraft), sqlx::Error> {
    let mut draft = record.to_draft()?;
    let url = mask_url(draft.endpoint.url());
    *endpoint_url_mut(&mut draft.endpoint) = url;
    Ok((record, draft))
}

pub async fn form(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    id: Option<ExtensionId>,
) -> Result<WizardSetup, AppError> {
    let header = catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_manage_extensions, MANAGE)?;
    let current = match id {
        Some(id) => {
            let mut conn = state.db.acquire().await?;
            let mut draft = load(&mut conn, catalog, id).await?.to_draft()?;
            let masked = mask_url(draft.endpoint.url());
            *endpoint_url_mut(&mut draft.endpoint) = masked;
            Some(draft)
        }
        None => None,
    };
    Ok(WizardSetup {
        catalog_name: header.display_name,
        allow_hosts: state.settings.callout_allow_hosts.clone(),
        current,
    })
}

/// How an extension is being created: legacy ones only through the beta API (migration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Portal,
    LegacyApi,
}

pub async fn create(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    draft: ExtensionDraft,
) -> Result<CreatedExtension, AppError> {
    create_from(state, p, catalog, draft, Origin::Portal).await
}

pub async fn create_from(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    draft: ExtensionDraft,
    origin: Origin,
) -> Result<CreatedExtension, AppError> {
    catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_manage_extensions, MANAGE)?;
    if origin == Origin::LegacyApi && draft.kind != ExtensionKind::Legacy {
        return Err(AppError::invalid(
            "@odata.type",
            "This path creates custom access package (legacy) extensions only: use #microsoft.graph.customAccessPackageWorkflowExtension.",
        ));
    }
    if draft.kind == ExtensionKind::Legacy && origin == Origin::Portal {
        return Err(AppError::invalid(
            "kind",
            "Custom access package (legacy) extensions can't be created any more; choose a request or pre-expiration workflow.",
        ));
    }
    validate(state, &draft)?;
    let now = state.clock.now();
    let id = ExtensionId::new();
    let secret = new_signing_secret();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let in_catalog = store::count_in_catalog(&mut tx, catalog).await?;
    let in_tenant = store::count_all(&mut tx).await?;
    state
        .settings
        .limits
        .check_can_add(in_catalog as u32, in_tenant as u32)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    store::insert(
        &mut tx,
        &state.sealer,
        id,
        catalog,
        &draft,
        &secret,
        &p.actor.name,
        now,
    )
    .await?;
    crate::engine::connection_test::queue(&mut tx, id, now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "customExtension.create",
            object_kind: "customExtension",
            object_id: id.to_string(),
            summary: json!({ "after": { "displayName": draft.display_name.trim(), "kind": draft.kind.db_name(),
                                        "behaviour": draft.behaviour.label() } }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    state.wake.notify_one();
    Ok(CreatedExtension {
        id,
        display_name: draft.display_name.trim().to_string(),
        signing_secret: secret,
    })
}

pub async fn update(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    id: ExtensionId,
    mut draft: ExtensionDraft,
) -> Result<(), AppError> {
    catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_manage_extensions, MANAGE)?;
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let before = load(&mut tx, catalog, id).await?.to_draft()?;
    if draft.kind != before.kind {
        return Err(AppError::invalid(
            "kind",
            "The type of a custom extension doesn't change on edit; legacy extensions change it with \u{201c}Update to new extension type\u{201d}.",
        ));
    }
    let stored_url = before.endpoint.url();
    if draft.endpoint.url() == mask_url(stored_url) {
        *endpoint_url_mut(&mut draft.endpoint) = stored_url.to_string();
    }
    validate(state, &draft)?;
    let now = state.clock.now();
    store::update(&mut tx, id, &draft, &p.actor.name, now).await?;
    // A new URL or Logic App is tested again; a failed test never blocks the save.
    let endpoint_changed = draft.endpoint != before.endpoint;
    if endpoint_changed {
        crate::engine::connection_test::queue(&mut tx, id, now).await?;
    }
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "customExtension.update",
            object_kind: "customExtension",
            object_id: id.to_string(),
            summary: json!({
                "before": { "displayName": before.display_name, "description": before.description,
                            "behaviour": before.behaviour.label(), "endpoint": before.endpoint.display_target() },
                "after": { "displayName": draft.display_name.trim(), "description": draft.description,
                           "behaviour": draft.behaviour.label(), "endpoint": draft.endpoint.display_target() },
            }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    if endpoint_changed {
        state.wake.notify_one();
    }
    Ok(())
}

/// How long a rotated-out secret keeps signing beside the new one, so workflows can switch.
pub const ROTATION_GRACE: chrono::Duration = chrono::Duration::hours(24);

/// A new signing secret, shown once; the old one signs beside it for [`ROTATION_GRACE`].
pub async fn rotate_secret(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    id: ExtensionId,
) -> Result<CreatedExtension, AppError> {
    catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_manage_extensions, MANAGE)?;
    let now = state.clock.now();
    let secret = new_signing_secret();
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let record = load(&mut tx, catalog, id).await?;
    store::rotate_secret(
        &mut tx,
        &state.sealer,
        id,
        &secret,
        now + ROTATION_GRACE,
        &p.actor.name,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "customExtension.rotateSigningSecret",
            object_kind: "customExtension",
            object_id: id.to_string(),
            summary: json!({ "after": { "previousSecretSignsUntil": crate::store::db_time(now + ROTATION_GRACE) } }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedExtension {
        id,
        display_name: record.display_name,
        signing_secret: secret,
    })
}

pub async fn delete(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    id: ExtensionId,
) -> Result<(), AppError> {
    catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_manage_extensions, MANAGE)?;
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let record = load(&mut tx, catalog, id).await?;
    let uses = store::stage_uses(&mut tx, id).await?;
    if !uses.is_empty() {
        return Err(AppError::Conflict(format!(
            "\u{201c}{}\u{201d} can't be deleted while policies use it: {}. Remove it from those policies first.",
            record.display_name,
            describe_uses(&uses)
        )));
    }
    store::delete(&mut tx, id).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "customExtension.delete",
            object_kind: "customExtension",
            object_id: id.to_string(),
            summary: json!({ "before": { "displayName": record.display_name, "kind": record.kind } }),
        },
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn conversion_offer(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    id: ExtensionId,
) -> Result<ConversionOffer, AppError> {
    catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_manage_extensions, MANAGE)?;
    let mut conn = state.db.acquire().await?;
    let record = load(&mut conn, catalog, id).await?;
    if record.kind()? != ExtensionKind::Legacy {
        return Err(AppError::Conflict(
            "Only legacy extensions can be updated to a new extension type.".into(),
        ));
    }
    let uses = store::stage_uses(&mut conn, id).await?;
    Ok(match conversion_options(&uses) {
        ConversionOptions::Choose => ConversionOffer::Choose,
        ConversionOptions::Fixed(kind) => ConversionOffer::Fixed(kind),
        ConversionOptions::Blocked(_) => ConversionOffer::Blocked(
            plan_conversion(ExtensionKind::Legacy, &uses, None)
                .expect_err("uses of both kinds block the conversion")
                .to_string(),
        ),
    })
}

pub async fn convert(
    state: &AppState,
    p: &Principal,
    catalog: CatalogId,
    id: ExtensionId,
    chosen: Option<ExtensionKind>,
) -> Result<ExtensionKind, AppError> {
    catalogs::header(state, p, catalog).await?;
    p.require(catalog, Role::may_manage_extensions, MANAGE)?;
    let mut tx = crate::store::write_tx(&state.writer).await?;
    let record = load(&mut tx, catalog, id).await?;
    let uses = store::stage_uses(&mut tx, id).await?;
    let kind = plan_conversion(record.kind()?, &uses, chosen)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let now = state.clock.now();
    store::set_kind(&mut tx, id, kind, &p.actor.name, now).await?;
    audit::record(
        &mut tx,
        &p.actor,
        AuditEntry {
            action: "customExtension.convert",
            object_kind: "customExtension",
            object_id: id.to_string(),
            summary: json!({ "before": { "kind": record.kind }, "after": { "kind": kind.db_name() } }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(kind)
}
