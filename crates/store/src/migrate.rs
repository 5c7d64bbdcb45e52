//! Embedded migrations, one set per backend (`migrations/sqlite`, `migrations/postgres`).
//!
//! They are compiled into the binary, applied at start and by `frontdesk migrate`. sqlx records
//! them in `_sqlx_migrations` with a checksum, so an edited migration is detected, and on
//! PostgreSQL takes an advisory lock so that several processes starting at once migrate once.

use std::sync::LazyLock;

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

macro_rules! migrations {
    ($dir:literal: $($version:literal $name:literal),* $(,)?) => {
        vec![$({
            let sql = include_str!(concat!("../migrations/", $dir, "/", $name, ".sql"));
            // sqlx's marker for a migration that manages its own transaction.
            let no_tx = sql.starts_with("-- no-transaction");
            Migration::new($version, $name.into(), MigrationType::Simple, sql.into_sql_str(), no_tx)
        }),*]
    };
}

pub(crate) static SQLITE: LazyLock<Migrator> = LazyLock::new(|| {
    Migrator::with_migrations(migrations![
        "sqlite": 1 "0001_foundation", 2 "0002_calcom", 3 "0003_customer_index", 4 "0004_call_tenancy",
        5 "0005_customer_salutation",
        6 "0006_calcom_staff_event_types",
        7 "0007_call_reference_indexes",
        8 "0008_operators",
        9 "0009_days_off",
        10 "0010_dashboard",
        11 "0011_notifications",
        12 "0012_trace_summary_index",
    ])
});

pub(crate) static POSTGRES: LazyLock<Migrator> = LazyLock::new(|| {
    Migrator::with_migrations(migrations![
        "postgres": 1 "0001_foundation", 2 "0002_calcom", 3 "0003_customer_index", 4 "0004_call_tenancy",
        5 "0005_customer_salutation",
        6 "0006_calcom_staff_event_types",
        7 "0007_call_reference_indexes",
        8 "0008_operators",
        9 "0009_days_off",
        10 "0010_dashboard",
        11 "0011_notifications",
        12 "0012_trace_summary_index",
    ])
});
