//! Cross-site request forgery: every form the dashboard serves carries a token that only a page
//! of this site can know, and every request that changes something must return it.
//!
//! The token is an HMAC of a fixed label keyed by a secret the browser holds in an `HttpOnly`
//! cookie: the session cookie once logged in, a short-lived random cookie on the login page
//! (so that another site cannot log a browser into the attacker's account either). Nothing is
//! stored; another site can neither read the cookie nor compute the token, and the token does
//! not reveal the cookie.

use axum::body::Body;
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::page::PageError;
use crate::access::authenticate::{cookie, session_cookie};
use crate::state::AppState;

/// The form field carrying the token.
pub const FIELD: &str = "_csrf";

/// The header htmx sends the token in (`hx-headers` on the page's body).
pub const HEADER: &str = "x-csrf-token";

/// The login page's cookie.
pub const LOGIN_COOKIE: &str = "frontdesk_login";

/// The token for a cookie's secret.
pub fn token(secret: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(b"frontdesk dashboard form");
    hex::encode(mac.finalize().into_bytes())
}

/// The `Set-Cookie` for a fresh login-page secret (ten minutes to fill in the form).
pub fn login_cookie(value: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{LOGIN_COOKIE}={value}; Path=/admin/login; HttpOnly; SameSite=Lax; Max-Age=600{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Refuses a request that changes something without the token of the secret it came with.
/// Reads (GET, HEAD) pass; a form body is read here and handed on unchanged.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    // Inside the nested router the path has lost its `/admin` prefix.
    let path = parts.extensions.get::<OriginalUri>().map_or_else(|| parts.uri.path(), |u| u.0.path());
    let secret =
        if path == "/admin/login" { cookie(&parts.headers, LOGIN_COOKIE) } else { session_cookie(&parts.headers) }
            .map(str::to_owned);
    let Ok(bytes) = axum::body::to_bytes(body, state.settings().body_limit).await else {
        return PageError::bad_request("the form is too large").into_response();
    };
    let given =
        parts.headers.get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned).or_else(|| field(&bytes, FIELD));
    let valid = match (secret, given) {
        (Some(secret), Some(given)) => bool::from(token(&secret).as_bytes().ct_eq(given.as_bytes())),
        _ => false,
    };
    if !valid {
        return PageError::csrf().into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// A field of a form body (`application/x-www-form-urlencoded`).
fn field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}
