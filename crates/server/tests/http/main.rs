//! End-to-end tests of the server over real HTTP, on SQLite and (when configured) PostgreSQL.

mod admin;
mod booking;
mod calcom;
mod caller;
mod dashboard;
mod functions;
mod fuzz;
mod golden;
mod hostile;
mod notifications;
mod openapi;
mod operators;
mod reconciler;
mod robustness;
mod skeleton;
mod webhooks;
