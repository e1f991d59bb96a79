//! `/accessPackages`: list (optionally `$filter=catalog/id eq '…'`), create, read, change
//! (PATCH) and delete access packages, on the same service the pages use. `catalog` is in an
//! answer only with `$expand=catalog`, as in Graph. Also the small OData helpers the policy
//! handlers share: one `eq` filter, `$expand` items, and next links that keep both.

use super::catalogs::{self as graph_catalogs, catalog_id};
use super::error::{GraphError, GraphResult};
use super::extract::{Caller, GraphJson};
use super::paging::{page, PageQuery};
use super::Base;
use app::auth::authz::Principal;
use app::domain::ids::{AccessPackageId, CatalogId};
use app::services::catalogs;
use app::services::packages::{self, AccessPackage, PackageDraft};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::hash_map::Entry;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accessPackages", get(list).post(create))
        .route(
            "/accessPackages/{package}",
            get(read).patch(patch).delete(delete),
        )
}

// ---- OData query options ----

/// The query options besides paging.
#[derive(Debug, Default, Deserialize)]
pub struct ODataQuery {
    #[serde(rename = "$filter")]
    pub filter: Option<String>,
    #[serde(rename = "$expand")]
    pub expand: Option<String>,
}

impl ODataQuery {
    /// The value of `<path> eq '<value>'`, the one filter these collections take.
    pub fn eq_filter(&self, path: &str) -> GraphResult<Option<String>> {
        let Some(filter) = self.filter.as_deref() else {
            return Ok(None);
        };
        let refused = || {
            GraphError::bad_request(format!(
                "Query '$filter': {filter:?} is not supported here; use \"{path} eq '<id>'\"."
            ))
        };
        let tokens: Vec<&str> = filter.split_whitespace().collect();
        match tokens.as_slice() {
            [left, op, value]
                if left.eq_ignore_ascii_case(path) && op.eq_ignore_ascii_case("eq") =>
            {
                let inner = value
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
                    .ok_or_else(refused)?;
                Ok(Some(inner.to_string()))
            }
            _ => Err(refused()),
        }
    }

    /// The `$expand` items, each with what its parentheses held:
    /// `a,b($expand=c)` → `[("a", ""), ("b", "$expand=c")]`. Names compare case-insensitively.
    pub fn expand_items(&self) -> GraphResult<Vec<(String, String)>> {
        let Some(expand) = self.expand.as_deref() else {
            return Ok(Vec::new());
        };
        let unbalanced = || {
            GraphError::bad_request(format!(
                "Query '$expand': {expand:?} has unbalanced parentheses."
            ))
        };
        let mut items = Vec::new();
        let (mut depth, mut start) = (0usize, 0usize);
        for (i, c) in expand.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.checked_sub(1).ok_or_else(unbalanced)?,
                ',' if depth == 0 => {
                    items.push(&expand[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        if depth != 0 {
            return Err(unbalanced());
        }
        items.push(&expand[start..]);
        items
            .into_iter()
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| match item.split_once('(') {
                Some((name, rest)) => Ok((
                    name.trim().to_string(),
                    rest.strip_suffix(')')
                        .ok_or_else(unbalanced)?
                        .trim()
                        .to_string(),
                )),
                None => Ok((item.to_string(), String::new())),
            })
            .collect()
    }

    /// A next link keeps the filter and expansion of the first page.
    pub fn carry_into(&self, body: &mut Value) {
        let Some(Value::String(next)) = body.get_mut("@odata.nextLink") else {
            return;
        };
        for (key, value) in [("$filter", &self.filter), ("$expand", &self.expand)] {
            if let Some(value) = value {
                let encoded: String =
                    url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
                next.push_str(&format!("&{key}={encoded}"));
            }
        }
    }
}

/// Refuses an expansion a resource doesn't have, naming those it has.
pub fn unknown_expansion(name: &str, known: &[&str]) -> GraphError {
    GraphError::bad_request(format!(
        "Query '$expand': {name:?} can't be expanded here; this resource expands {}.",
        known.join(", ")
    ))
}

// ---- access packages ----

pub fn package_id(text: &str) -> GraphResult<AccessPackageId> {
    text.parse()
        .map_err(|_| GraphError::not_found(format!("There is no access package with id {text:?}.")))
}

pub(super) fn to_graph(package: &AccessPackage) -> Value {
    json!({
        "id": package.id,
        "displayName": package.display_name,
        "description": package.description,
        "isHidden": package.is_hidden,
        "createdDateTime": package.created_at,
        "modifiedDateTime": package.modified_at,
    })
}

/// Whether `$expand` asks for the catalog (the only expansion of a package).
pub fn wants_catalog(query: &ODataQuery) -> GraphResult<bool> {
    let mut wanted = false;
    for (name, _) in query.expand_items()? {
        if name.eq_ignore_ascii_case("catalog") {
            wanted = true;
        } else {
            return Err(unknown_expansion(&name, &["catalog"]));
        }
    }
    Ok(wanted)
}

/// Packages in Graph's shape, each with its catalog when `$expand=catalog` asked for it.
async fn answer(
    state: &AppState,
    p: &Principal,
    packages: &[AccessPackage],
    expand_catalog: bool,
) -> GraphResult<Vec<Value>> {
    let mut catalogs_seen: HashMap<CatalogId, Value> = HashMap::new();
    let mut out = Vec::with_capacity(packages.len());
    for package in packages {
        let mut body = to_graph(package);
        if expand_catalog {
            let catalog = match catalogs_seen.entry(package.catalog) {
                Entry::Occupied(seen) => seen.into_mut(),
                Entry::Vacant(slot) => {
                    let c = catalogs::header(state, p, package.catalog).await?;
                    slot.insert(graph_catalogs::graph(c.id, &c.display_name, &c.description))
                }
            };
            body["catalog"] = catalog.clone();
        }
        out.push(body);
    }
    Ok(out)
}

pub async fn list(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Query(q): Query<PageQuery>,
    Query(o): Query<ODataQuery>,
) -> GraphResult<Json<Value>> {
    let catalog = o
        .eq_filter("catalog/id")?
        .map(|id| catalog_id(&id))
        .transpose()?;
    let expand = wants_catalog(&o)?;
    let found = packages::list(&state, &p, catalog).await?;
    let items = answer(&state, &p, &found, expand).await?;
    let mut body = page(
        items,
        &q,
        &base.context("accessPackages"),
        &base.url("accessPackages"),
    )?;
    o.carry_into(&mut body);
    Ok(Json(body))
}

async fn one(
    state: &AppState,
    base: &Base,
    p: &Principal,
    package: &AccessPackage,
    o: &ODataQuery,
) -> GraphResult<Value> {
    let expand = wants_catalog(o)?;
    let mut body = answer(state, p, std::slice::from_ref(package), expand)
        .await?
        .remove(0);
    body["@odata.context"] = json!(base.context("accessPackages/$entity"));
    Ok(body)
}

pub async fn read(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Path(id): Path<String>,
    Query(o): Query<ODataQuery>,
) -> GraphResult<Json<Value>> {
    let package = packages::get(&state, &p, package_id(&id)?).await?;
    Ok(Json(one(&state, &base, &p, &package, &o).await?))
}

/// `{ "id": … }`, how Graph names a related object.
#[derive(Debug, Deserialize)]
pub struct Reference {
    pub id: Option<String>,
}

/// A package as a client sends it; every property optional, so PATCH can change a few.
/// (`catalogId` is the beta spelling of `catalog.id`.)
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageBody {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub is_hidden: Option<bool>,
    pub catalog: Option<Reference>,
    pub catalog_id: Option<String>,
}

impl PackageBody {
    fn catalog(&self) -> Option<&str> {
        self.catalog
            .as_ref()
            .and_then(|c| c.id.as_deref())
            .or(self.catalog_id.as_deref())
    }
}

pub async fn create(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Query(o): Query<ODataQuery>,
    GraphJson(body): GraphJson<PackageBody>,
) -> GraphResult<Response> {
    let catalog = body.catalog().ok_or_else(|| {
        GraphError::bad_request(
            "Property 'catalog' is required: {\"id\": \"<catalog id>\"} names the catalog the package belongs to.",
        )
    })?;
    let catalog = catalog_id(catalog)?;
    let draft = PackageDraft {
        display_name: body.display_name.unwrap_or_default(),
        description: body.description.unwrap_or_default(),
        is_hidden: body.is_hidden.unwrap_or(false),
    };
    let created = packages::create(&state, &p, catalog, draft)
        .await
        .map_err(property_error)?;
    let body = one(&state, &base, &p, &created, &o).await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// PATCH: what the body names changes, the rest stays. A package stays in its catalog.
pub async fn patch(
    State(state): State<AppState>,
    base: Base,
    Caller(p): Caller,
    Path(id): Path<String>,
    Query(o): Query<ODataQuery>,
    GraphJson(body): GraphJson<PackageBody>,
) -> GraphResult<Json<Value>> {
    let id = package_id(&id)?;
    let current = packages::get(&state, &p, id).await?;
    if let Some(catalog) = body.catalog() {
        if !catalog.eq_ignore_ascii_case(&current.catalog.to_string()) {
            return Err(GraphError::bad_request(
                "Property 'catalog': an access package doesn't move to another catalog; create one there instead.",
            ));
        }
    }
    let draft = PackageDraft {
        display_name: body.display_name.unwrap_or(current.display_name),
        description: body.description.unwrap_or(current.description),
        is_hidden: body.is_hidden.unwrap_or(current.is_hidden),
    };
    let updated = packages::update(&state, &p, id, draft)
        .await
        .map_err(property_error)?;
    Ok(Json(one(&state, &base, &p, &updated, &o).await?))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> GraphResult<StatusCode> {
    packages::delete(&state, &p, package_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A refused value, with each message prefixed by the property it is about.
fn property_error(error: app::error::AppError) -> GraphError {
    match error {
        app::error::AppError::Invalid(errors) => GraphError::bad_request(
            errors
                .iter()
                .map(|e| format!("Property '{}': {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(filter: Option<&str>, expand: Option<&str>) -> ODataQuery {
        ODataQuery {
            filter: filter.map(str::to_string),
            expand: expand.map(str::to_string),
        }
    }

    #[test]
    fn one_eq_filter_is_understood() {
        let q = query(Some("catalog/id eq 'abc'"), None);
        assert_eq!(q.eq_filter("catalog/id").unwrap().as_deref(), Some("abc"));
        let q = query(Some("  Catalog/Id   EQ 'abc' "), None);
        assert_eq!(q.eq_filter("catalog/id").unwrap().as_deref(), Some("abc"));
        assert_eq!(query(None, None).eq_filter("catalog/id").unwrap(), None);
        for bad in [
            "catalog/id ne 'abc'",
            "catalog/id eq abc",
            "displayName eq 'x'",
            "catalog/id eq 'a' and isHidden eq true",
        ] {
            let error = query(Some(bad), None).eq_filter("catalog/id").unwrap_err();
            assert!(error.message.contains("$filter"), "{bad}: {error:?}");
        }
    }

    #[test]
    fn expand_items_keep_their_options() {
        let q = query(
            None,
            Some("accessPackage, customExtensionStageSettings($expand=customExtension)"),
        );
        assert_eq!(
            q.expand_items().unwrap(),
            [
                ("accessPackage".to_string(), String::new()),
                (
                    "customExtensionStageSettings".to_string(),
                    "$expand=customExtension".to_string()
                )
            ]
        );
        assert!(query(None, Some("a(b")).expand_items().is_err());
        assert!(query(None, Some("a)b(")).expand_items().is_err());
        assert!(query(None, None).expand_items().unwrap().is_empty());
    }

    #[test]
    fn next_links_keep_filter_and_expand() {
        let q = query(Some("catalog/id eq 'x'"), Some("catalog"));
        let mut body = json!({ "@odata.nextLink": "http://h/p?$top=1&$skiptoken=1" });
        q.carry_into(&mut body);
        assert_eq!(
            body["@odata.nextLink"],
            "http://h/p?$top=1&$skiptoken=1&$filter=catalog%2Fid+eq+%27x%27&$expand=catalog"
        );
        let mut last = json!({ "value": [] });
        q.carry_into(&mut last);
        assert!(last.get("@odata.nextLink").is_none());
    }
}
