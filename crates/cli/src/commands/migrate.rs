//! `frontdesk migrate`.

use crate::config::Resolved;

/// Applies pending migrations.
pub async fn run(config: &Resolved) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    println!("{} database is up to date", store.kind());
    store.close().await;
    Ok(())
}
