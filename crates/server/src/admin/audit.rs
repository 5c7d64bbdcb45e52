//! `GET /api/v1/audit`: what operators changed, newest first.

use axum::extract::State;
use frontdesk_domain::access::Action;
use frontdesk_store::model::AuditFilter;
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::openapi::{List, ReadErrors};
use super::views::AuditView;
use super::views::audit_json;
use super::{Json, Query, company, instant, list, page};
use crate::access::Operator;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditParams {
    company: Option<String>,
    entity: Option<String>,
    entity_id: Option<String>,
    action: Option<String>,
    /// `user:ID`, `token:ID`, `admin_token` or `cli`.
    actor: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/audit`.
#[utoipa::path(
    get,
    path = "/audit",
    tag = "audit",
    params(AuditParams),
    responses(
        (status = 200, description = "operators' changes, newest first", body = List<AuditView>),
        ReadErrors
    )
)]
pub(super) async fn audit(
    State(state): State<AppState>,
    op: Operator,
    Query(q): Query<AuditParams>,
) -> Result<Json, ApiError> {
    let scope = op.may(Action::Read)?.scope;
    let dir = state.directory();
    let entry = q.company.as_deref().map(|c| company(&dir, scope, c)).transpose()?;
    let tz = entry.map_or(TimeZone::UTC, |e| e.company.def.time_zone.clone());
    let actor = match q.actor.as_deref() {
        None => None,
        Some(a @ ("admin_token" | "cli")) => Some((a.to_owned(), None)),
        Some(a) => {
            let (kind, id) = a
                .split_once(':')
                .ok_or_else(|| ApiError::bad_request("`actor` is `user:ID`, `token:ID`, `admin_token` or `cli`"))?;
            let id = id.parse::<i64>().map_err(|_| ApiError::bad_request("`actor` has a numeric id"))?;
            if !matches!(kind, "user" | "token") {
                return Err(ApiError::bad_request("`actor` is `user:ID`, `token:ID`, `admin_token` or `cli`"));
            }
            Some((kind.to_owned(), Some(id)))
        }
    };
    let filter = AuditFilter {
        company: entry.map(|e| e.company.id),
        entity: q.entity,
        entity_id: q.entity_id,
        action: q.action,
        actor,
        from: q.from.as_deref().map(|f| instant(f, &tz, "from")).transpose()?,
        to: q.to.as_deref().map(|t| instant(t, &tz, "to")).transpose()?,
    };
    let page = state.store().audit_log(scope, &filter, &page(q.limit, &q.cursor)).await?;
    Ok(axum::Json(list(page, audit_json)))
}
