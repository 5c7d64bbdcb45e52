//! Users and API tokens: owners manage their company's, platform admins everybody's. Nobody
//! hands out a role above their own, and a company's principal only ever sees and creates
//! principals of that company.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use frontdesk_domain::access::{Action, Principal, Role};
use frontdesk_domain::ids::{CompanyId, TokenId, UserId};
use frontdesk_domain::locale::Language;
use frontdesk_store::model::{NewToken, NewUser, UserChange};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;

use super::openapi::{AccessErrors, ChangeErrors, List, TokenCreated, UserCreated};
use super::views::{TokenView, UserView};
use super::views::{token_json, user_json};
use super::write::{self, Answer, Audit, Idempotency};
use super::{Json, company, json_body};
use crate::access::{Operator, password, secret};
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

/// The company a new principal of `role` belongs to, as asked by `principal`: a company's
/// principal creates only in its own company; a platform admin names the company (for `owner`
/// and `staff`) or none (for `platform_admin`).
fn company_for(
    state: &AppState,
    principal: &Principal,
    role: Role,
    asked: Option<&str>,
) -> Result<Option<CompanyId>, ApiError> {
    if !principal.role.may_grant(role) {
        return Err(ApiError::forbidden(format!("the role `{}` cannot grant `{role}`", principal.role)));
    }
    let dir = state.directory();
    let asked = asked.map(|c| company(&dir, principal.scope, c).map(|e| e.company.id)).transpose()?;
    let company = asked.or(principal.scope.company());
    match (role, company) {
        (Role::PlatformAdmin, None) => Ok(None),
        (Role::PlatformAdmin, Some(_)) => Err(ApiError::invalid_field("company", "a platform admin has no company")),
        (_, None) => Err(ApiError::invalid_field("company", "an owner or staff member belongs to a company")),
        (_, Some(c)) => Ok(Some(c)),
    }
}

fn parse_role(raw: &str) -> Result<Role, ApiError> {
    Role::parse(raw).ok_or_else(|| ApiError::invalid_field("role", "must be `platform_admin`, `owner` or `staff`"))
}

/// `GET /users`.
#[utoipa::path(
    get,
    path = "/users",
    tag = "accounts",
    responses(
        (status = 200, description = "users in scope", body = List<UserView>),
        AccessErrors
    )
)]
pub(super) async fn users(State(state): State<AppState>, op: Operator) -> Result<Json, ApiError> {
    let scope = op.may(Action::ManageAccess)?.scope;
    let users = state.store().users(scope).await?;
    Ok(axum::Json(json!({"items": users.iter().map(user_json).collect::<Vec<_>>(), "next_cursor": null})))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "anna@friseur1.example", "role": "staff"}))]
pub(super) struct NewUserBody {
    email: String,
    name: Option<String>,
    role: String,
    /// Company key or id (platform admins only; others create in their own company).
    company: Option<String>,
    /// Omitted: a password is generated and answered once.
    password: Option<String>,
}

/// `POST /users`.
#[utoipa::path(
    post,
    path = "/users",
    tag = "accounts",
    params(("Idempotency-Key" = Option<String>, Header, description = "a retried request with the same key gets the first answer")),
    request_body = NewUserBody,
    responses(
        (status = 201, description = "created", body = UserCreated),
        ChangeErrors
    )
)]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    op: Operator,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::ManageAccess)?.clone();
    let key = Idempotency::of(&Method::POST, "/api/v1/users", &headers, &body)?;
    let body: NewUserBody = json_body(&body)?;
    let role = parse_role(&body.role)?;
    let company = company_for(&state, &principal, role, body.company.as_deref())?;
    let email = body.email.trim().to_lowercase();
    let mut errors = Vec::new();
    if frontdesk_domain::tenant::Email::parse(&email).is_none() {
        errors.push(FieldError::new("email", "not an e-mail address"));
    }
    if let Some(p) = &body.password
        && let Err(e) = password::acceptable(p)
    {
        errors.push(FieldError::new("password", e.to_string()));
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if state.store().login_record(&email).await?.is_some() {
        return Err(ApiError::conflict("email_taken", "a user with this e-mail address exists"));
    }
    let generated = body.password.is_none().then(secret::generated_password);
    let chosen = body.password.or_else(|| generated.clone()).unwrap_or_default();
    let password_hash = password::hash(chosen).await.map_err(|e| {
        tracing::error!(error = %e, "hashing a password failed");
        ApiError::internal()
    })?;
    let new = NewUser { company_id: company, email, name: body.name, role, password_hash };
    write::run(&state, &principal.clone(), key, move |tx| {
        Box::pin(async move {
            let user = tx.create_user(&new, Timestamp::now()).await?;
            let body = user_json(&user);
            let audit = Audit {
                principal: &principal,
                company: user.company_id,
                action: "user.create",
                entity: "user",
                id: user.id.to_string(),
            };
            audit.write(tx, None, Some(body.clone()), &[]).await?;
            let answer = Answer::new(StatusCode::CREATED, body);
            Ok(match generated {
                Some(p) => answer.with_secret("password", p),
                None => answer,
            })
        })
    })
    .await
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct UserChangeBody {
    name: Option<String>,
    role: Option<String>,
    disabled: Option<bool>,
    password: Option<String>,
    /// The dashboard's language: `de` or `en`.
    language: Option<String>,
}

/// `PATCH /users/{id}`: name, role, disabled, password. Disabling or a new password ends every
/// session of the user.
#[utoipa::path(
    patch,
    path = "/users/{id}",
    tag = "accounts",
    params(("id" = i64, Path, description = "the id")),
    request_body = UserChangeBody,
    responses(
        (status = 200, description = "changed", body = UserView),
        ChangeErrors
    )
)]
pub(crate) async fn change_user(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::ManageAccess)?.clone();
    let id = UserId(id);
    let target =
        state.store().user(principal.scope, id).await?.ok_or_else(|| ApiError::not_found(format!("no user {id}")))?;
    if !principal.role.may_grant(target.role) {
        return Err(ApiError::forbidden(format!("the role `{}` cannot change a `{}`", principal.role, target.role)));
    }
    let body: UserChangeBody = json_body(&body)?;
    let role = body.role.as_deref().map(parse_role).transpose()?;
    if let Some(role) = role {
        if !principal.role.may_grant(role) {
            return Err(ApiError::forbidden(format!("the role `{}` cannot grant `{role}`", principal.role)));
        }
        if (role == Role::PlatformAdmin) != target.company_id.is_none() {
            return Err(ApiError::invalid_field(
                "role",
                "a company's user is `owner` or `staff`; a platform user `platform_admin`",
            ));
        }
    }
    let password_hash = match body.password {
        Some(p) => {
            password::acceptable(&p).map_err(|e| ApiError::invalid_field("password", e.to_string()))?;
            Some(password::hash(p).await.map_err(|_| ApiError::internal())?)
        }
        None => None,
    };
    let language = body
        .language
        .as_deref()
        .map(|l| Language::parse(l).ok_or_else(|| ApiError::invalid_field("language", "`de` or `en`")))
        .transpose()?;
    let change = UserChange { name: body.name, role, disabled: body.disabled, password_hash, language };
    write::run(&state, &principal.clone(), None, move |tx| {
        Box::pin(async move {
            let Some((before, after)) = tx.update_user(principal.scope, id, &change, Timestamp::now()).await? else {
                return Ok(Answer::from(ApiError::not_found(format!("no user {id}"))));
            };
            let mut after_json = user_json(&after);
            if change.password_hash.is_some() {
                // The audit log says that the password changed, never anything about it.
                after_json["password_changed"] = json!(true);
            }
            let audit = Audit {
                principal: &principal,
                company: after.company_id,
                action: "user.update",
                entity: "user",
                id: id.to_string(),
            };
            audit.write(tx, Some(user_json(&before)), Some(after_json), &[]).await?;
            Ok(Answer::ok(user_json(&after)))
        })
    })
    .await
}

/// `GET /tokens`.
#[utoipa::path(
    get,
    path = "/tokens",
    tag = "accounts",
    responses(
        (status = 200, description = "tokens in scope", body = List<TokenView>),
        AccessErrors
    )
)]
pub(super) async fn tokens(State(state): State<AppState>, op: Operator) -> Result<Json, ApiError> {
    let scope = op.may(Action::ManageAccess)?.scope;
    let tokens = state.store().tokens(scope).await?;
    Ok(axum::Json(json!({"items": tokens.iter().map(token_json).collect::<Vec<_>>(), "next_cursor": null})))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "booking script", "role": "staff"}))]
pub(super) struct NewTokenBody {
    name: String,
    /// Defaults to the creator's role.
    role: Option<String>,
    /// Company key or id (platform admins only).
    company: Option<String>,
    /// When the token stops working (RFC 3339); omitted, it works until revoked.
    expires_at: Option<String>,
}

/// `POST /tokens`: the token is in the answer once; only its hash is kept.
#[utoipa::path(
    post,
    path = "/tokens",
    tag = "accounts",
    params(("Idempotency-Key" = Option<String>, Header, description = "a retried request with the same key gets the first answer")),
    request_body = NewTokenBody,
    responses(
        (status = 201, description = "created; `token` shown once", body = TokenCreated),
        ChangeErrors
    )
)]
pub(crate) async fn create_token(
    State(state): State<AppState>,
    op: Operator,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::ManageAccess)?.clone();
    let key = Idempotency::of(&Method::POST, "/api/v1/tokens", &headers, &body)?;
    let body: NewTokenBody = json_body(&body)?;
    let role = body.role.as_deref().map(parse_role).transpose()?.unwrap_or(principal.role);
    let company = company_for(&state, &principal, role, body.company.as_deref())?;
    let mut errors = Vec::new();
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(FieldError::new("name", "1 to 100 characters"));
    }
    let expires_at = match body.expires_at.as_deref().map(str::parse::<Timestamp>).transpose() {
        Ok(Some(t)) if t <= Timestamp::now() => {
            errors.push(FieldError::new("expires_at", "lies in the past"));
            None
        }
        Ok(t) => t,
        Err(_) => {
            errors.push(FieldError::new("expires_at", "must be an RFC 3339 instant"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let made = secret::new_token();
    let new = NewToken {
        company_id: company,
        role,
        name,
        prefix: made.prefix.clone(),
        secret_hash: made.hash.clone(),
        created_by: principal.actor.user(),
        expires_at,
    };
    write::run(&state, &principal.clone(), key, move |tx| {
        Box::pin(async move {
            let token = tx.create_token(&new, Timestamp::now()).await?;
            let body = token_json(&token);
            let audit = Audit {
                principal: &principal,
                company: token.company_id,
                action: "token.create",
                entity: "token",
                id: token.id.to_string(),
            };
            audit.write(tx, None, Some(body.clone()), &[]).await?;
            Ok(Answer::new(StatusCode::CREATED, body).with_secret("token", made.token))
        })
    })
    .await
}

/// `DELETE /tokens/{id}`: revokes the token at once.
#[utoipa::path(
    delete,
    path = "/tokens/{id}",
    tag = "accounts",
    params(("id" = i64, Path, description = "the id")),
    responses(
        (status = 200, description = "revoked", body = TokenView),
        AccessErrors
    )
)]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let principal = op.may(Action::ManageAccess)?.clone();
    let id = TokenId(id);
    write::run(&state, &principal.clone(), None, move |tx| {
        Box::pin(async move {
            let Some(token) = tx.revoke_token(principal.scope, id, Timestamp::now()).await? else {
                return Ok(Answer::from(ApiError::not_found(format!("no token {id}"))));
            };
            let body = token_json(&token);
            let audit = Audit {
                principal: &principal,
                company: token.company_id,
                action: "token.revoke",
                entity: "token",
                id: id.to_string(),
            };
            audit.write(tx, None, Some(body.clone()), &[]).await?;
            Ok(Answer::ok(body))
        })
    })
    .await
}
