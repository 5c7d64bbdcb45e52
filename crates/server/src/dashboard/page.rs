//! What every page shares: the frame around it ([`Chrome`]), turning a template into an answer,
//! the headers every dashboard answer carries, and error pages.

use askama::Template;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use frontdesk_domain::access::Action;

use super::assets::AssetUrls;
use super::text::Ui;
use super::viewer::Viewer;
use crate::error::ApiError;

/// The sections of the navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// The day and week views, appointments.
    Calendar,
    /// Calls.
    Calls,
    /// Callbacks.
    Callbacks,
    /// Customers.
    Customers,
    /// Health.
    Health,
    /// Settings.
    Settings,
}

/// A company in the switcher.
pub struct CompanyOption {
    /// Its key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Whether it is the one shown.
    pub selected: bool,
}

/// The frame of every logged-in page: navigation, company, user, language, the form token.
pub struct Chrome {
    /// Texts.
    pub t: &'static Ui,
    /// `de` or `en`, for `<html lang>`.
    pub lang: &'static str,
    /// The page's title.
    pub title: String,
    /// The form token.
    pub csrf: String,
    /// The active section.
    pub section: Section,
    /// Who is logged in.
    pub user: String,
    /// The company shown.
    pub company: String,
    /// The switcher (empty unless there is a choice).
    pub companies: Vec<CompanyOption>,
    /// Whether the settings are open to the user.
    pub settings: bool,
    /// Static files.
    pub assets: AssetUrls,
    /// A message about what was just done.
    pub notice: Option<String>,
    /// The path of the page (the language switch returns here).
    pub here: String,
}

impl Chrome {
    /// The frame for `viewer`'s page.
    pub fn new(viewer: &Viewer, section: Section, title: impl Into<String>) -> Self {
        let companies = viewer.companies();
        let companies = if companies.len() > 1 {
            companies
                .iter()
                .map(|c| CompanyOption {
                    key: c.company.def.key.to_string(),
                    name: c.company.def.name.clone(),
                    selected: c.company.id == viewer.company,
                })
                .collect()
        } else {
            Vec::new()
        };
        Self {
            t: viewer.ui(),
            lang: viewer.lang.code(),
            title: title.into(),
            csrf: viewer.csrf.clone(),
            section,
            user: viewer.user.name.clone().unwrap_or_else(|| viewer.user.email.clone()),
            company: viewer.entry().company.def.name.clone(),
            companies,
            settings: viewer.may(Action::ManageAccess),
            assets: AssetUrls,
            notice: None,
            here: viewer.path.clone().unwrap_or_else(|| String::from("/admin")),
        }
    }

    /// With a notice.
    pub fn notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }

    /// Whether the section named `name` is the active one (for `aria-current`).
    pub fn active(&self, name: &str) -> bool {
        let active = match self.section {
            Section::Calendar => "calendar",
            Section::Calls => "calls",
            Section::Callbacks => "callbacks",
            Section::Customers => "customers",
            Section::Health => "health",
            Section::Settings => "settings",
        };
        active == name
    }
}

/// A rendered page.
pub fn render<T: Template>(template: &T) -> Result<Response, PageError> {
    let body = template.render().map_err(|error| {
        tracing::error!(%error, "rendering a page failed");
        PageError::from(ApiError::internal())
    })?;
    Ok(Html(body).into_response())
}

/// After a change: to the page that shows it (303, so that reloading does not post again).
pub fn see(location: &str) -> Response {
    Redirect::to(location).into_response()
}

/// The headers of every dashboard answer: no script from elsewhere, not framed, not cached
/// (pages show personal data), no MIME sniffing.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A page that cannot be shown: an HTML answer with the status.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    message: String,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    heading: &'a str,
    message: &'a str,
    assets: AssetUrls,
}

impl PageError {
    /// Any status.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }

    /// 404: also what another company's things answer.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "There is nothing here, or it is not yours to see.")
    }

    /// 403: the role does not allow it.
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "Your role does not allow this.")
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 403: a change without the form token of the session.
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from this site. Go back, reload the page and try again.",
        )
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        Self::new(error.status, error.message)
    }
}

impl From<frontdesk_store::StoreError> for PageError {
    fn from(error: frontdesk_store::StoreError) -> Self {
        ApiError::from(error).into()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        // The error page cannot know the user's language (it may not even know the user): its
        // heading is in both.
        let heading = match self.status {
            StatusCode::NOT_FOUND => "Nicht gefunden · Not found",
            StatusCode::FORBIDDEN => "Nicht erlaubt · Not allowed",
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "Ungültige Anfrage · Invalid request",
            s if s.is_server_error() => "Fehler · Something went wrong",
            _ => "Nicht möglich · Not possible",
        };
        let page = ErrorPage { status: self.status.as_u16(), heading, message: &self.message, assets: AssetUrls };
        let body = page.render().unwrap_or_else(|_| self.message.clone());
        (self.status, Html(body)).into_response()
    }
}
