//! The one-click unsubscribe of reminders (RFC 8058). Mail scanners open every link in a
//! message, so opening the link only shows a page with a button; the `POST` (from that button,
//! or from the mail program's own unsubscribe command) is what stops the reminders.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use frontdesk_domain::locale::Language;
use jiff::Timestamp;

use crate::state::AppState;

#[derive(Template)]
#[template(path = "notify/unsubscribe.html")]
struct Page<'a> {
    lang: &'a str,
    business: &'a str,
    /// `None`: the form; `Some(true)`: done; `Some(false)`: an unknown link.
    done: Option<bool>,
    de: bool,
}

fn page(lang: Language, business: &str, done: Option<bool>) -> Response {
    let status = if done == Some(false) { StatusCode::NOT_FOUND } else { StatusCode::OK };
    let html = Page { lang: lang.code(), business, done, de: lang == Language::De }.render().unwrap_or_default();
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// The company's language and name for the notification with `token`.
async fn owner(state: &AppState, token: &str) -> Option<(Language, String)> {
    let n = state.store().notification_by_token(token).await.ok()??;
    let directory = state.directory();
    let company = directory.company(n.company_id)?;
    Some((company.company.def.locale.language(), company.company.def.name.clone()))
}

/// `GET /unsubscribe/{token}`: the page with the button.
pub async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match owner(&state, &token).await {
        Some((lang, business)) => page(lang, &business, None),
        None => page(Language::En, "", Some(false)),
    }
}

/// `POST /unsubscribe/{token}`: stops the customer's reminders.
pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some((lang, business)) = owner(&state, &token).await else { return page(Language::En, "", Some(false)) };
    let stopped =
        state.store().write(move |tx| Box::pin(async move { tx.unsubscribe(&token, Timestamp::now()).await })).await;
    match stopped {
        Ok(Some(customer)) => {
            tracing::info!(%customer, "a customer unsubscribed from reminders");
            page(lang, &business, Some(true))
        }
        Ok(None) => page(lang, &business, Some(false)),
        Err(error) => {
            tracing::error!(%error, "could not record an unsubscribe");
            (StatusCode::SERVICE_UNAVAILABLE, "try again in a moment").into_response()
        }
    }
}
