//! Logging in and out of the browser session, and how failed logins are limited.
//!
//! An account is locked for a while after several failed logins in a row (counted in the
//! database, so every server process sees them); where the client's address is known, failures
//! per address are limited too (in this process's memory: a best effort against one address
//! trying many accounts). Every login makes a new session and ends the one the browser had, so
//! a session id planted before login is worthless after it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::access::Principal;
use frontdesk_store::model::LoginOutcome;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::json;

use super::authenticate::{Operator, SESSION_COOKIE, SessionOf, session_cookie};
use super::{password, secret};
use crate::admin::json_body;
use crate::error::ApiError;
use crate::listener::PeerAddr;
use crate::settings::LoginLimits;
use crate::state::AppState;

/// Failed logins per client address, in a sliding window.
#[derive(Debug)]
pub struct AddressFailures {
    limits: LoginLimits,
    seen: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// Addresses remembered at most; beyond, expired entries are dropped.
const MAX_ADDRESSES: usize = 100_000;

impl AddressFailures {
    /// Empty.
    pub fn new(limits: LoginLimits) -> Self {
        Self { limits, seen: Mutex::new(HashMap::new()) }
    }

    /// How long `address` must wait, if it reached the limit.
    fn blocked(&self, address: IpAddr) -> Option<Duration> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (count, since) = seen.get(&address)?;
        let elapsed = since.elapsed();
        (*count >= self.limits.address_failures && elapsed < self.limits.address_window)
            .then(|| self.limits.address_window - elapsed)
    }

    fn failed(&self, address: IpAddr) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_ADDRESSES {
            let window = self.limits.address_window;
            seen.retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = seen.entry(address).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.limits.address_window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "owner@friseur1.example", "password": "demo-password"}))]
pub(crate) struct LoginBody {
    email: String,
    password: String,
}

fn too_many(wait: Duration) -> Response {
    let mut response = ApiError::too_many_requests("too many failed logins; try again later").into_response();
    if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

fn wrong() -> Response {
    ApiError::unauthorized("wrong e-mail address or password").into_response()
}

/// `POST /api/v1/auth/login`: `{"email", "password"}` → the session cookie and the user.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "access",
    security(()),
    request_body = LoginBody,
    responses(
        (status = 200, description = "logged in; the session cookie is set", body = crate::admin::openapi::LoggedIn),
        (status = 400, description = "unreadable request", body = crate::admin::openapi::ErrorBody),
        (status = 401, description = "wrong e-mail address or password", body = crate::admin::openapi::ErrorBody),
        (status = 429, description = "too many failed logins; see Retry-After", body = crate::admin::openapi::ErrorBody)
    )
)]
pub async fn login(
    State(state): State<AppState>,
    peer: Option<Extension<PeerAddr>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let body: LoginBody = json_body(&body)?;
    match attempt(&state, peer.as_deref(), &headers, &body.email, body.password).await? {
        Attempt::TooMany(wait) => Ok(too_many(wait)),
        Attempt::Wrong => Ok(wrong()),
        Attempt::LoggedIn(session) => {
            let body = json!({"user": crate::admin::views::user_json(&session.user), "expires_at": session.expires});
            let mut response = (StatusCode::OK, axum::Json(body)).into_response();
            response.headers_mut().insert(header::SET_COOKIE, session.cookie);
            Ok(response)
        }
    }
}

/// A new session: its cookie and whose it is.
pub struct NewSession {
    /// The `Set-Cookie` header that hands the session to the browser.
    pub cookie: HeaderValue,
    /// Whose session it is.
    pub user: frontdesk_store::model::User,
    /// When it ends.
    pub expires: Timestamp,
}

/// How a login went.
pub enum Attempt {
    /// A new session.
    LoggedIn(Box<NewSession>),
    /// Wrong e-mail address or password (or a disabled account: not told apart).
    Wrong,
    /// Locked or limited: try again after this long.
    TooMany(Duration),
}

/// Checks an e-mail address and password against the limits and the account, and on success
/// starts a session (ending the one the browser came with). The one way in for the API's login
/// and the dashboard's login form.
pub async fn attempt(
    state: &AppState,
    peer: Option<&PeerAddr>,
    headers: &HeaderMap,
    email: &str,
    given: String,
) -> Result<Attempt, ApiError> {
    let settings = state.settings();
    let address = settings.client_address.of(peer, headers);
    if let Some(wait) = address.and_then(|a| state.login_failures().blocked(a)) {
        return Ok(Attempt::TooMany(wait));
    }
    let now = Timestamp::now();
    let record = state.store().login_record(email).await?;
    if let Some(until) = record.as_ref().and_then(|r| r.locked_until).filter(|u| *u > now) {
        return Ok(Attempt::TooMany(Duration::try_from(until.duration_since(now)).unwrap_or_default()));
    }
    let right = password::verify(given, record.as_ref().map(|r| r.password_hash.clone())).await;
    let Some(record) = record else {
        if let Some(a) = address {
            state.login_failures().failed(a);
        }
        return Ok(Attempt::Wrong);
    };
    if !right {
        if let Some(a) = address {
            state.login_failures().failed(a);
        }
        let limits = settings.login_limits;
        let failures = record.failed_logins + 1;
        let locked_until = (limits.account_failures > 0 && failures % limits.account_failures == 0)
            .then(|| now + SignedDuration::try_from(limits.account_lock).unwrap_or_default());
        state.store().record_login(record.user.id, LoginOutcome::Failed { locked_until }, now).await?;
        tracing::info!(user = record.user.id.0, failures, locked = locked_until.is_some(), "failed login");
        return Ok(Attempt::Wrong);
    }
    if record.user.disabled_at.is_some() {
        return Ok(Attempt::Wrong);
    }
    state.store().record_login(record.user.id, LoginOutcome::Succeeded, now).await?;
    if let Some(old) = session_cookie(headers)
        && let Some((old, _)) = state.store().session_user(&secret::hash(old), now).await?
    {
        state.store().revoke_session(old, now).await?;
    }
    let cookie_value = secret::session_secret();
    let ttl = settings.session_ttl;
    let expires = now + SignedDuration::try_from(ttl).unwrap_or_default();
    state.store().create_session(record.user.id, &secret::hash(&cookie_value), expires, now).await?;
    tracing::info!(user = record.user.id.0, "login");
    let cookie = set_cookie(&cookie_value, ttl.as_secs(), settings.secure_cookies)?;
    Ok(Attempt::LoggedIn(Box::new(NewSession { cookie, user: record.user, expires })))
}

/// The session cookie: `HttpOnly` (no script reads it), `SameSite=Lax` (sent when the user
/// follows a link from elsewhere, such as a callback alert, but not with another site's form
/// posts or scripted requests), `Secure` unless configured for plain HTTP. Lax alone does not
/// protect changes: the dashboard's forms carry a CSRF token and the API's cookie requests must
/// come from this origin.
fn set_cookie(value: &str, max_age: u64, secure: bool) -> Result<HeaderValue, ApiError> {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .map_err(|_| ApiError::internal())
}

/// Ends a session and tells the browser to forget its cookie.
pub async fn end_session(state: &AppState, session: Option<SessionOf>) -> Result<HeaderValue, ApiError> {
    if let Some(SessionOf(id)) = session {
        state.store().revoke_session(id, Timestamp::now()).await?;
    }
    set_cookie("", 0, state.settings().secure_cookies)
}

/// `POST /api/v1/auth/logout`: ends the session the request came with (a token has none).
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "access",
    responses(
        (status = 204, description = "logged out"),
        (status = 401, description = "no valid credentials", body = crate::admin::openapi::ErrorBody)
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    session: Option<Extension<SessionOf>>,
) -> Result<Response, ApiError> {
    let clear = end_session(&state, session.map(|Extension(s)| s)).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, clear);
    Ok(response)
}

/// `GET /api/v1/me`: who the credentials belong to.
#[utoipa::path(
    get,
    path = "/me",
    tag = "access",
    responses(
        (status = 200, description = "the principal", body = crate::admin::openapi::Me),
        (status = 401, description = "no valid credentials", body = crate::admin::openapi::ErrorBody)
    )
)]
pub async fn me(State(state): State<AppState>, Operator(principal): Operator) -> axum::Json<serde_json::Value> {
    axum::Json(principal_json(&state, &principal))
}

fn principal_json(state: &AppState, p: &Principal) -> serde_json::Value {
    let company = p.scope.company().and_then(|c| state.directory().company(c).map(|e| e.company.def.key.to_string()));
    json!({
        "actor": p.actor,
        "label": p.actor.label(),
        "role": p.role,
        "company": company,
    })
}
