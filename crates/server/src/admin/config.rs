//! A company's configuration as code: `GET /companies/{key}/config` exports it as a tenant file,
//! `PUT` validates and applies one with the rules and error list of `frontdesk import`, all or
//! nothing.
//!
//! Secrets are write-only: never exported; omitted in a `PUT`, the stored ones are kept; given,
//! they replace them. A `PUT` may not name secrets by environment variable (`*_env`: it would let
//! a company read the server's environment), and only a platform admin may point an integration
//! at another base URL (it would send the company's data, and its API key, elsewhere).

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::access::{Action, Principal, Scope};
use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::tenant_file::{self, TenantFileError};
use frontdesk_store::StoreError;
use frontdesk_store::model::CalcomConnection;
use jiff::Timestamp;
use serde_json::json;

use super::company;
use super::openapi::{AccessErrors, ChangeErrors, ConfigApplied};
use super::write::Audit;
use crate::access::Operator;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

/// The default Cal.com API base (as in the tenant file).
const CALCOM_DEFAULT_BASE: &str = "https://api.cal.com/v2";

async fn connection(state: &AppState, entry: &CompanyEntry) -> Result<Option<CalcomConnection>, ApiError> {
    let all = state.store().calcom_connections().await?;
    Ok(all.into_iter().find(|c| c.company_id == entry.company.id))
}

/// `GET /companies/{key}/config`: the tenant file (TOML).
#[utoipa::path(
    get,
    path = "/companies/{key}/config",
    tag = "configuration",
    params(("key" = String, Path, description = "the company's key or id")),
    responses(
        (status = 200, description = "the company as a tenant file (TOML), without secrets", body = String, content_type = "application/toml"),
        AccessErrors
    )
)]
pub(crate) async fn export(
    State(state): State<AppState>,
    op: Operator,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let scope = op.may(Action::Configure)?.scope;
    let dir = state.directory();
    let entry = company(&dir, scope, &key)?;
    let base = connection(&state, entry).await?.map(|c| c.base_url);
    let text = tenant_file::company_toml(entry, base.as_deref());
    Ok(([(header::CONTENT_TYPE, "application/toml; charset=utf-8")], text).into_response())
}

fn problems(error: &TenantFileError) -> ApiError {
    match error {
        TenantFileError::Syntax(message) => ApiError::invalid_field("file", message.clone()),
        TenantFileError::Invalid(problems) => ApiError::invalid(
            problems
                .iter()
                .map(|p| {
                    let at = if p.entity.is_empty() { p.field.clone() } else { format!("{}.{}", p.entity, p.field) };
                    FieldError::new(at, p.message.clone())
                })
                .collect(),
        ),
    }
}

/// Keys naming secrets by environment variable, anywhere in the file.
fn env_references(value: &toml::Value, path: &str, found: &mut Vec<FieldError>) {
    match value {
        toml::Value::Table(table) => {
            for (k, v) in table {
                let here = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                if k.ends_with("_env") {
                    found.push(FieldError::new(
                        here.clone(),
                        "secrets by environment variable cannot be set through the API",
                    ));
                }
                env_references(v, &here, found);
            }
        }
        toml::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                env_references(v, &format!("{path}[{i}]"), found);
            }
        }
        _ => {}
    }
}

/// The Cal.com section of the file's one company, if it has one.
fn calcom_of(file: &mut toml::Table) -> Option<&mut toml::Table> {
    file.get_mut("company")?.as_array_mut()?.first_mut()?.get_mut("calcom")?.as_table_mut()
}

/// Checks the file against what the principal may change and fills in the stored secrets it
/// leaves out. Answers the text to import, and the file as the audit log keeps it: without any
/// secret.
fn prepare(
    text: &str,
    entry: &CompanyEntry,
    stored: Option<&CalcomConnection>,
    principal: &Principal,
) -> Result<(String, String), ApiError> {
    let mut file: toml::Table = toml::from_str(text).map_err(|e| ApiError::invalid_field("file", e.to_string()))?;
    let mut refused = Vec::new();
    env_references(&toml::Value::Table(file.clone()), "", &mut refused);
    if !refused.is_empty() {
        return Err(ApiError::invalid(refused));
    }
    let companies = file.get_mut("company").and_then(|c| c.as_array_mut());
    let Some(companies) = companies.filter(|c| c.len() == 1) else {
        return Err(ApiError::invalid_field("company", "the file describes exactly this one company"));
    };
    let Some(company) = companies[0].as_table_mut() else {
        return Err(ApiError::invalid_field("company", "must be a table"));
    };
    let key = entry.company.def.key.as_str();
    if company.get("key").and_then(|k| k.as_str()) != Some(key) {
        return Err(ApiError::invalid_field("company.key", format!("must be `{key}`, the company of the address")));
    }
    if let Some(calcom) = company.get_mut("calcom").and_then(|c| c.as_table_mut()) {
        let asked =
            calcom.get("base_url").and_then(|b| b.as_str()).unwrap_or(CALCOM_DEFAULT_BASE).trim_end_matches('/');
        let current = stored.map_or(CALCOM_DEFAULT_BASE, |c| c.base_url.as_str()).trim_end_matches('/');
        if asked != current && principal.scope != Scope::Platform {
            return Err(ApiError::forbidden("only a platform admin changes an integration's base URL"));
        }
    }
    let mut audited = file.clone();
    if let Some(calcom) = calcom_of(&mut audited) {
        calcom.remove("api_key");
        calcom.remove("webhook_secret");
    }
    if let Some(stored) = stored
        && let Some(calcom) = calcom_of(&mut file)
    {
        for (field, value) in [("api_key", &stored.api_key), ("webhook_secret", &stored.webhook_secret)] {
            calcom.entry(field).or_insert_with(|| toml::Value::String(value.clone()));
        }
    }
    let to_import = toml::to_string(&file).map_err(|_| ApiError::internal())?;
    let audited = toml::to_string(&audited).map_err(|_| ApiError::internal())?;
    Ok((to_import, audited))
}

/// `PUT /companies/{key}/config`: applies a tenant file of this company.
#[utoipa::path(
    put,
    path = "/companies/{key}/config",
    tag = "configuration",
    params(("key" = String, Path, description = "the company's key or id")),
    request_body(content = String, content_type = "application/toml", description = "a tenant file of this company"),
    responses(
        (status = 200, description = "applied", body = ConfigApplied),
        ChangeErrors
    )
)]
pub(crate) async fn apply(
    State(state): State<AppState>,
    op: Operator,
    Path(key): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::Configure)?.clone();
    let dir = state.directory();
    let entry = company(&dir, principal.scope, &key)?;
    let text =
        std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("the body is a UTF-8 tenant file (TOML)"))?;
    let stored = connection(&state, entry).await?;
    let before = tenant_file::company_toml(entry, stored.as_ref().map(|c| c.base_url.as_str()));
    let (prepared, audited) = prepare(text, entry, stored.as_ref(), &principal)?;
    let spec = tenant_file::parse(&prepared).map_err(|e| problems(&e))?;
    let warnings = spec.warnings();
    let company_id = entry.company.id;
    // The import and its audit entry commit together.
    let imported = state
        .store()
        .write(move |tx| {
            Box::pin(async move {
                let report = tx.import_tenants(&spec, Timestamp::now()).await?;
                if report.changed_rows > 0 {
                    let audit = Audit {
                        principal: &principal,
                        company: Some(company_id),
                        action: "company.config",
                        entity: "company",
                        id: company_id.to_string(),
                    };
                    audit.write(tx, Some(json!({"config": before})), Some(json!({"config": audited})), &[]).await?;
                }
                Ok(report)
            })
        })
        .await;
    let report = match imported {
        Ok(report) => report,
        Err(StoreError::Rejected(e)) => return Err(problems(&e)),
        Err(e) => return Err(e.into()),
    };
    state.refresh_directory().await?;
    let dir = state.directory();
    let entry = dir.company(company_id).ok_or_else(ApiError::internal)?;
    let base = connection(&state, entry).await?.map(|c| c.base_url);
    let after = tenant_file::company_toml(entry, base.as_deref());
    let body = json!({"changed_rows": report.changed_rows, "warnings": warnings, "config": after});
    Ok((StatusCode::OK, axum::Json(body)).into_response())
}
