//! One module per command.

pub mod calls;
pub mod import;
pub mod migrate;
pub mod notifications;
pub mod outbox;
pub mod retell;
pub mod seed;
pub mod serve;
pub mod simulate;
pub mod tokens;
pub mod users;
pub mod webhooks;

use frontdesk_store::{SharedStore, StoreOptions};

use crate::config::Resolved;

/// Opens the configured database and applies migrations.
pub async fn open_store(config: &Resolved) -> anyhow::Result<SharedStore> {
    let store = frontdesk_store::open(&config.database_url, &StoreOptions::default()).await?;
    store.migrate().await?;
    Ok(store)
}
