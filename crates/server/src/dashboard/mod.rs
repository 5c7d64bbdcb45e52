//! The operator dashboard under `/admin`: the business's day, every call and what it changed,
//! callbacks, customers and the system's health, in a browser.
//!
//! Pages are rendered on the server from compile-checked templates (askama, `templates/`);
//! htmx (vendored, [`assets`]) turns links and forms into partial updates, and every page that
//! reads works without it. A page flows like an API request: the [`viewer::Viewer`] (the
//! session's user, confined to one company) → the same store queries and the same operations
//! as the admin API (`crate::admin`: one transaction, audit log, idempotency) → a template.
//!
//! - [`login`]: logging in and out, language and company.
//! - [`day`]: the day per staff member, the week.
//! - [`csrf`]: every change carries the session's form token.
//! - [`page`]: the frame, error pages, headers; [`text`]: the words in German and English;
//!   [`format`]: dates, times, phone numbers.

use axum::Router;
use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::state::AppState;

mod appointment;
mod assets;
mod callbacks;
mod calls;
mod charts;
mod csrf;
mod customers;
mod day;
pub(crate) mod format;
mod health;
mod login;
mod new;
mod outcome;
mod page;
mod settings;
mod slots;
mod text;
mod viewer;

/// The `/admin` routes.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/admin/day") }))
        .route("/login", get(login::page).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/language", post(login::set_language))
        .route("/company", post(login::set_company))
        .route("/day", get(day::day))
        .route("/week", get(day::week))
        .route("/appointments", post(new::book))
        .route("/appointments/new", get(new::show))
        .route("/appointments/{id}", get(appointment::show))
        .route("/appointments/{id}/move", post(appointment::move_to))
        .route("/appointments/{id}/cancel", post(appointment::cancel))
        .route("/appointments/{id}/edit", post(appointment::edit))
        .route("/calls", get(calls::list))
        .route("/calls/{id}", get(calls::show))
        .route("/callbacks", get(callbacks::list))
        .route("/callbacks/{id}", post(callbacks::change))
        .route("/customers", get(customers::list))
        .route("/customers/{id}", get(customers::show).post(customers::edit))
        .route("/customers/{id}/merge", post(customers::merge))
        .route("/health", get(health::show))
        .route("/health/webhooks/{id}/replay", post(health::replay))
        .route("/health/jobs/{id}/retry", post(health::retry))
        .route("/settings", get(settings::show))
        .route("/settings/users", post(settings::add_user))
        .route("/settings/users/{id}", post(settings::change_user))
        .route("/settings/tokens", post(settings::add_token))
        .route("/settings/tokens/{id}/revoke", post(settings::revoke_token))
        .route("/settings/closures", post(settings::add_closure))
        .route("/settings/closures/{id}/remove", post(settings::remove_closure))
        .route("/settings/absences", post(settings::add_absence))
        .route("/settings/absences/{id}/remove", post(settings::remove_absence))
        .route("/settings/tenant.toml", get(settings::download))
        .route("/settings/config", post(settings::upload))
        .route("/assets/{name}", get(assets::serve))
        .layer(middleware::from_fn_with_state(state, csrf::guard))
        .layer(middleware::from_fn(page::headers))
}
