//! The store conformance suite: every test runs on SQLite and, when configured, PostgreSQL.

mod bookings;
mod calls;
mod notifications;
mod outbox;
mod tenancy;
mod tenants;
