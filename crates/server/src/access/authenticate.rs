//! From a request to a [`Principal`]: an `Authorization: Bearer` API token (or the platform's
//! `FRONTDESK_ADMIN_TOKEN`), or the browser's session cookie.
//!
//! The middleware [`require_principal`] refuses a request without valid credentials (401) and
//! hands the principal to handlers through the [`Operator`] extractor, whose [`Operator::may`]
//! refuses what the role does not allow (403). Which rows a principal sees is not decided here:
//! the store's operator-facing queries take the principal's scope.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use frontdesk_domain::access::{Action, Actor, Principal};
use jiff::{SignedDuration, Timestamp};
use subtle::ConstantTimeEq;

use super::secret;
use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "frontdesk_session";

/// A token's `last_used_at` is written at most this often (it would otherwise be a write per
/// request).
const TOUCH_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// What authenticated a request: a session may be revoked by logging out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionOf(pub frontdesk_domain::ids::SessionId);

/// Refuses a request without valid credentials; otherwise the handlers find its [`Principal`].
pub async fn require_principal(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match principal(&state, request.method(), request.headers()).await {
        Ok(Some((principal, session))) => {
            request.extensions_mut().insert(principal);
            if let Some(session) = session {
                request.extensions_mut().insert(session);
            }
            next.run(request).await
        }
        Ok(None) => ApiError::unauthorized("missing, wrong, expired or revoked credentials").into_response(),
        Err(error) => error.into_response(),
    }
}

/// The principal behind a request's credentials, if they are valid.
pub async fn principal(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Option<(Principal, Option<SessionOf>)>, ApiError> {
    let now = Timestamp::now();
    if let Some(given) = bearer(headers) {
        return Ok(bearer_principal(state, given, now).await?.map(|p| (p, None)));
    }
    let Some(cookie) = session_cookie(headers) else { return Ok(None) };
    if !same_origin(method, headers) {
        return Err(ApiError::forbidden("a cross-site request cannot use the session cookie"));
    }
    let Some((session, user)) = state.store().session_user(&secret::hash(cookie), now).await? else {
        return Ok(None);
    };
    let principal =
        Principal { scope: user.scope(), role: user.role, actor: Actor::User { id: user.id, email: user.email } };
    Ok(Some((principal, Some(SessionOf(session)))))
}

async fn bearer_principal(state: &AppState, given: &str, now: Timestamp) -> Result<Option<Principal>, ApiError> {
    let Some(prefix) = secret::token_prefix(given) else {
        let admin = state.settings().admin_token.as_deref();
        let matches = admin.is_some_and(|expected| bool::from(given.as_bytes().ct_eq(expected.as_bytes())));
        return Ok(matches.then(Principal::admin_token));
    };
    let Some(record) = state.store().token_by_prefix(prefix).await? else { return Ok(None) };
    let token = record.token;
    let live = token.revoked_at.is_none() && token.expires_at.is_none_or(|e| e > now);
    if !secret::same_hash(&secret::hash(given), &record.secret_hash) || !live {
        return Ok(None);
    }
    if token.last_used_at.is_none_or(|t| now.duration_since(t) >= TOUCH_EVERY) {
        // Bookkeeping: a failure to note the use must not refuse the request.
        if let Err(error) = state.store().touch_token(token.id, now).await {
            tracing::warn!(%error, token = token.id.0, "noting a token's use failed");
        }
    }
    let label = format!("{} ({})", token.name, token.prefix);
    Ok(Some(Principal { scope: token.scope(), role: token.role, actor: Actor::Token { id: token.id, label } }))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// The session cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, SESSION_COOKIE)
}

/// A cookie's value by name, if the request carries it (and it is not empty).
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// A cookie rides along with any request the browser makes, also one another site triggers.
/// The cookie is `SameSite=Lax`, and a request that changes something must in addition not
/// come from another origin: its `Origin` header, when present, names this host.
fn same_origin(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// The authenticated principal, for handlers behind [`require_principal`].
#[derive(Clone, Debug)]
pub struct Operator(pub Principal);

impl Operator {
    /// The principal, if its role allows `action`; 403 otherwise.
    pub fn may(&self, action: Action) -> Result<&Principal, ApiError> {
        if self.0.may(action) {
            Ok(&self.0)
        } else {
            Err(ApiError::forbidden(format!("the role `{}` does not allow this", self.0.role)))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Operator)
            .ok_or_else(|| ApiError::unauthorized("missing credentials"))
    }
}
