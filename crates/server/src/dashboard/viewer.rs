//! Who is looking at a dashboard page: the logged-in user behind the session cookie, the company
//! they work on, their language and the form token of their session.
//!
//! The dashboard takes only the session cookie (no bearer tokens: a browser's credentials). A
//! platform admin picks the company from a switcher (kept in a cookie); a company's user always
//! works on their own. Pages query the store with [`Viewer::scope`], the user's scope narrowed to
//! that company, so that what a page shows is confined by the store, not by the template.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use frontdesk_domain::access::{Action, Actor, Principal, Scope};
use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::ids::CompanyId;
use frontdesk_domain::locale::Language;
use frontdesk_store::model::User;
use jiff::Timestamp;

use super::csrf;
use super::page::PageError;
use super::text::{self, Ui};
use crate::access::authenticate::{self, SessionOf, session_cookie};
use crate::access::secret;
use crate::state::AppState;

/// The cookie naming the company a platform admin works on.
pub const COMPANY_COOKIE: &str = "frontdesk_company";

/// The logged-in user of a page.
pub struct Viewer {
    /// The user's principal, with the user's own scope.
    pub principal: Principal,
    /// The user.
    pub user: User,
    /// The session.
    pub session: SessionOf,
    /// The token the page's forms carry.
    pub csrf: String,
    /// The company shown.
    pub company: CompanyId,
    /// The interface language.
    pub lang: Language,
    /// The tenant directory when the request came in.
    pub dir: Arc<Directory>,
    /// The page's path and query, for a GET (where the language switch returns to).
    pub path: Option<String>,
}

impl Viewer {
    /// What the page may see: the user's scope narrowed to the company shown.
    pub fn scope(&self) -> Scope {
        Scope::Company(self.company)
    }

    /// The principal a change is made as: the user, confined to the company shown.
    pub fn acting(&self, action: Action) -> Result<Principal, PageError> {
        if !self.principal.may(action) {
            return Err(PageError::forbidden());
        }
        Ok(Principal { scope: self.scope(), ..self.principal.clone() })
    }

    /// Whether the user's role allows `action`.
    pub fn may(&self, action: Action) -> bool {
        self.principal.may(action)
    }

    /// The company shown.
    pub fn entry(&self) -> &CompanyEntry {
        // The company was looked up in this very directory when the viewer was made.
        self.dir.company(self.company).expect("the viewer's company is in its directory")
    }

    /// The interface texts.
    pub fn ui(&self) -> &'static Ui {
        text::ui(self.lang)
    }

    /// The companies the user may switch between (only a platform admin has several).
    pub fn companies(&self) -> Vec<&CompanyEntry> {
        self.dir.companies().filter(|c| self.principal.scope.covers(c.company.id)).collect()
    }
}

/// Not logged in: to the login page, and back here afterwards.
fn to_login(parts: &Parts) -> Response {
    // Inside the nested router the path has lost its `/admin` prefix; the original has it.
    let uri = parts.extensions.get::<axum::extract::OriginalUri>().map_or(&parts.uri, |u| &u.0);
    let next = uri.path_and_query().map_or("/admin", |pq| pq.as_str());
    let next = if parts.method == axum::http::Method::GET { next } else { "/admin" };
    let target = format!("/admin/login?next={}", percent_encode(next));
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, target.clone())]).into_response();
    // htmx follows a redirect inside the page; this makes it load the login page as a whole.
    if parts.headers.contains_key("hx-request")
        && let Ok(v) = HeaderValue::from_str(&target)
    {
        response.headers_mut().insert("hx-redirect", v);
    }
    response
}

/// Percent-encodes a path for a query parameter.
pub fn percent_encode(raw: &str) -> String {
    serde_urlencoded::to_string([("", raw)]).map(|s| s.trim_start_matches('=').to_owned()).unwrap_or_default()
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(cookie) = session_cookie(&parts.headers).map(str::to_owned) else { return Err(to_login(parts)) };
        let found = state
            .store()
            .session_user(&secret::hash(&cookie), Timestamp::now())
            .await
            .map_err(|e| PageError::from(crate::error::ApiError::from(e)).into_response())?;
        let Some((session, user)) = found else { return Err(to_login(parts)) };
        let dir = state.directory();
        let scope = user.scope();
        let chosen = authenticate::cookie(&parts.headers, COMPANY_COOKIE).and_then(|key| dir.company_by_key(key));
        let company = match scope {
            Scope::Company(c) => dir.company(c),
            Scope::Platform => chosen.or_else(|| dir.companies().next()),
        };
        let Some(company) = company else {
            return Err(
                PageError::new(StatusCode::NOT_FOUND, "no company to show: import a tenant file first").into_response()
            );
        };
        let company_id = company.company.id;
        let lang = user.language.unwrap_or_else(|| company.company.def.locale.language());
        let principal =
            Principal { scope, role: user.role, actor: Actor::User { id: user.id, email: user.email.clone() } };
        let uri = parts.extensions.get::<axum::extract::OriginalUri>().map_or(&parts.uri, |u| &u.0);
        let path =
            (parts.method == axum::http::Method::GET).then(|| uri.path_and_query().map(|pq| pq.to_string())).flatten();
        Ok(Viewer {
            path,
            principal,
            user,
            session: SessionOf(session),
            csrf: csrf::token(&cookie),
            company: company_id,
            lang,
            dir,
        })
    }
}
