//! The login page, logging out, and the two preferences in the page header: the language and,
//! for a platform admin, the company shown.

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::locale::Language;
use frontdesk_store::model::UserChange;
use jiff::Timestamp;
use serde::Deserialize;

use super::assets::AssetUrls;
use super::csrf;
use super::page::{PageError, render, see};
use super::text::{self, Ui};
use super::viewer::{COMPANY_COOKIE, Viewer};
use crate::access::login::{self, Attempt};
use crate::access::{authenticate, secret};
use crate::listener::PeerAddr;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: &'static Ui,
    assets: AssetUrls,
    csrf: String,
    next: String,
    email: String,
    error: Option<&'static str>,
    logged_out: bool,
}

#[derive(Deserialize)]
pub(super) struct LoginQuery {
    next: Option<String>,
    #[serde(default)]
    logged_out: bool,
}

/// Where to go after logging in: only a dashboard path of this site (never another host).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/admin") && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/admin".to_owned(),
    }
}

/// The login page's language: the browser's first choice among ours.
fn language(headers: &HeaderMap) -> Language {
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    accepted
        .split(',')
        .filter_map(|tag| tag.split(';').next()?.trim().get(..2).and_then(Language::parse))
        .next()
        .unwrap_or(Language::En)
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    next: String,
    email: String,
    error: Option<&'static str>,
    logged_out: bool,
) -> Result<Response, PageError> {
    // The form's token proves it came from this site. The browser's secret is kept when it has
    // one, so that a second tab with the login page does not invalidate the first.
    let secret = authenticate::cookie(headers, csrf::LOGIN_COOKIE)
        .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(secret::session_secret, str::to_owned);
    let t = text::ui(language(headers));
    let page = LoginPage { t, assets: AssetUrls, csrf: csrf::token(&secret), next, email, error, logged_out };
    let mut response = render(&page)?;
    response.headers_mut().insert(header::SET_COOKIE, csrf::login_cookie(&secret, state.settings().secure_cookies));
    Ok(response)
}

/// `GET /admin/login`.
pub(super) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Result<Response, PageError> {
    login_page(&state, &headers, safe_next(q.next.as_deref()), String::new(), None, q.logged_out)
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// `POST /admin/login`: the same checks and limits as the API's login.
pub(super) async fn submit(
    State(state): State<AppState>,
    peer: Option<Extension<PeerAddr>>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_next(form.next.as_deref());
    let t = text::ui(language(&headers));
    match login::attempt(&state, peer.as_deref(), &headers, &form.email, form.password).await? {
        Attempt::LoggedIn(session) => {
            let mut response = see(&next);
            response.headers_mut().append(header::SET_COOKIE, session.cookie);
            Ok(response)
        }
        Attempt::Wrong => {
            let mut response = login_page(&state, &headers, next, form.email, Some(t.wrong_login), false)?;
            *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            Ok(response)
        }
        Attempt::TooMany(_) => {
            let mut response = login_page(&state, &headers, next, form.email, Some(t.too_many_logins), false)?;
            *response.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            Ok(response)
        }
    }
}

/// `POST /admin/logout`: ends the session.
pub(super) async fn logout(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let clear = login::end_session(&state, Some(viewer.session)).await?;
    let mut response = see("/admin/login?logged_out=true");
    response.headers_mut().insert(header::SET_COOKIE, clear);
    Ok(response)
}

#[derive(Deserialize)]
pub(super) struct LanguageForm {
    language: String,
    back: Option<String>,
}

/// `POST /admin/language`: the user's interface language, kept with the account.
pub(super) async fn set_language(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::Form(form): axum::Form<LanguageForm>,
) -> Result<Response, PageError> {
    let language = Language::parse(&form.language).ok_or_else(|| PageError::bad_request("unknown language"))?;
    let change = UserChange { language: Some(language), ..UserChange::default() };
    let (scope, id) = (viewer.principal.scope, viewer.user.id);
    state
        .store()
        .write(move |tx| Box::pin(async move { tx.update_user(scope, id, &change, Timestamp::now()).await }))
        .await?;
    Ok(see(&safe_next(form.back.as_deref())))
}

#[derive(Deserialize)]
pub(super) struct CompanyForm {
    company: String,
}

/// `POST /admin/company`: the company a platform admin works on. Only a company in the user's
/// scope is accepted; for a company's user there is nothing to choose.
pub(super) async fn set_company(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::Form(form): axum::Form<CompanyForm>,
) -> Result<Response, PageError> {
    let chosen = viewer
        .companies()
        .into_iter()
        .find(|c| c.company.def.key.to_string() == form.company)
        .ok_or_else(PageError::not_found)?;
    let secure = if state.settings().secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{COMPANY_COOKIE}={}; Path=/admin; HttpOnly; SameSite=Lax{secure}", chosen.company.def.key);
    let mut response = see("/admin");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response.into_response())
}
