//! `frontdesk webhooks list|replay`.

use anyhow::Context;
use frontdesk_domain::access::Scope;
use frontdesk_domain::ids::WebhookEventId;
use frontdesk_domain::records::{Provider, WebhookStatus};
use frontdesk_store::model::{PageRequest, WebhookFilter};

use crate::config::Resolved;

/// Lists stored deliveries, oldest first.
pub async fn list(
    config: &Resolved,
    status: Option<String>,
    provider: Option<String>,
    limit: u32,
) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let filter = WebhookFilter {
        status: status
            .map(|s| WebhookStatus::parse(&s).with_context(|| format!("unknown status `{s}`")))
            .transpose()?,
        provider: provider
            .map(|p| Provider::parse(&p).with_context(|| format!("unknown provider `{p}`")))
            .transpose()?,
        external_call_id: None,
    };
    let page = store.webhook_events(Scope::Platform, &filter, &PageRequest::first(limit)).await?;
    println!("{:<8} {:<8} {:<20} {:<10} {:<19} {:<44} ERROR", "ID", "FROM", "EVENT", "STATUS", "RECEIVED", "CALL");
    for e in &page.items {
        println!(
            "{:<8} {:<8} {:<20} {:<10} {:<19} {:<44} {}",
            e.id,
            e.provider,
            e.event_type,
            e.status,
            e.received_at.strftime("%Y-%m-%d %H:%M:%S"),
            e.external_call_id.as_deref().unwrap_or("-"),
            e.error.as_deref().unwrap_or("")
        );
    }
    if page.items.is_empty() {
        println!("(no webhook events)");
    }
    store.close().await;
    Ok(())
}

/// Applies stored deliveries again; applying is idempotent, so processed events stay as they are.
pub async fn replay(config: &Resolved, ids: &[i64]) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let directory = std::sync::Arc::new(store.load_directory().await?);
    let mut failed = 0;
    for id in ids {
        let Some(event) = store.webhook_event(WebhookEventId(*id)).await? else {
            println!("#{id}: no such event");
            failed += 1;
            continue;
        };
        let status = match event.provider {
            Provider::Retell => frontdesk_server::retell::webhooks::replay(&store, &directory, &event).await?,
            Provider::Calcom => frontdesk_server::calcom::webhooks::replay(&store, directory.clone(), &event).await?,
        };
        println!("#{id} {} {}: {status}", event.provider, event.event_type);
        if status == WebhookStatus::Failed {
            failed += 1;
        }
    }
    store.close().await;
    anyhow::ensure!(failed == 0, "{failed} of {} events could not be applied", ids.len());
    Ok(())
}
