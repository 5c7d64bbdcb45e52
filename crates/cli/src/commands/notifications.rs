//! `frontdesk notifications list|retry`: what was sent, what waits, what gave up.

use anyhow::Context;
use frontdesk_domain::access::Scope;
use frontdesk_domain::ids::NotificationId;
use frontdesk_domain::notification::{NotificationKind, NotificationStatus};
use frontdesk_store::model::{NotificationFilter, PageRequest};

use crate::config::Resolved;

/// Lists notifications, newest first. Recipients are shown masked: this is a terminal, and its
/// output ends up in tickets.
pub async fn list(config: &Resolved, status: Option<String>, kind: Option<String>, limit: u32) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let status =
        status.map(|s| NotificationStatus::parse(&s).with_context(|| format!("unknown status `{s}`"))).transpose()?;
    let kind = kind.map(|k| NotificationKind::parse(&k).with_context(|| format!("unknown kind `{k}`"))).transpose()?;
    let filter = NotificationFilter { status, kind, ..NotificationFilter::default() };
    let page = store.list_notifications(Scope::Platform, &filter, &PageRequest::first(limit)).await?;
    println!(
        "{:<8} {:<15} {:<6} {:<24} {:<10} {:<9} {:<19} ERROR",
        "ID", "KIND", "VIA", "TO", "STATUS", "ATTEMPTS", "DUE"
    );
    for n in &page.items {
        println!(
            "{:<8} {:<15} {:<6} {:<24} {:<10} {:<9} {:<19} {}",
            n.id,
            n.kind,
            n.channel,
            masked(&n.recipient),
            n.status,
            n.attempts,
            n.due_at.strftime("%Y-%m-%d %H:%M:%S"),
            n.last_error.as_deref().unwrap_or("")
        );
    }
    if page.items.is_empty() {
        println!("(no notifications)");
    }
    let stats = store.notification_stats(jiff::Timestamp::now()).await?;
    println!("\n{} due now, {} failed", stats.due, stats.failed);
    store.close().await;
    Ok(())
}

/// `m***@example.com`, `+4915*****678`.
fn masked(recipient: &str) -> String {
    match recipient.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('?')),
        None => {
            frontdesk_domain::phone::E164::parse_strict(recipient).map_or_else(|_| "***".to_owned(), |p| p.masked())
        }
    }
}

/// Puts failed or skipped notifications back in the queue.
pub async fn retry(config: &Resolved, ids: &[i64]) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let mut refused = 0;
    for id in ids {
        if store.retry_notification(Scope::Platform, NotificationId(*id), jiff::Timestamp::now()).await? {
            println!("#{id}: queued again");
        } else {
            println!("#{id}: not a failed or skipped notification");
            refused += 1;
        }
    }
    store.close().await;
    anyhow::ensure!(refused == 0, "{refused} of {} notifications were not failed or skipped", ids.len());
    Ok(())
}
