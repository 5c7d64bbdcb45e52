//! `frontdesk outbox list|retry`: what is waiting for Cal.com, and what gave up.

use anyhow::Context;
use frontdesk_domain::access::Scope;
use frontdesk_domain::ids::OutboxJobId;
use frontdesk_domain::records::OutboxStatus;
use frontdesk_store::model::{OutboxFilter, PageRequest};

use crate::config::Resolved;

/// Lists outbox jobs, oldest first.
pub async fn list(config: &Resolved, status: Option<String>, limit: u32) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let status =
        status.map(|s| OutboxStatus::parse(&s).with_context(|| format!("unknown status `{s}`"))).transpose()?;
    let page = store
        .list_jobs(Scope::Platform, &OutboxFilter { status, ..OutboxFilter::default() }, &PageRequest::first(limit))
        .await?;
    println!(
        "{:<8} {:<18} {:<12} {:<8} {:<9} {:<19} ERROR",
        "ID", "KIND", "APPOINTMENT", "STATUS", "ATTEMPTS", "NEXT ATTEMPT"
    );
    for j in &page.items {
        println!(
            "{:<8} {:<18} {:<12} {:<8} {:<9} {:<19} {}",
            j.id,
            j.kind,
            j.appointment_id,
            j.status,
            j.attempts,
            j.run_after.strftime("%Y-%m-%d %H:%M:%S"),
            j.last_error.as_deref().unwrap_or("")
        );
    }
    if page.items.is_empty() {
        println!("(no outbox jobs)");
    }
    let stats = store.outbox_stats().await?;
    println!("\n{} pending, {} running, {} done, {} failed", stats.pending, stats.running, stats.done, stats.failed);
    store.close().await;
    Ok(())
}

/// Puts failed jobs back in the queue.
pub async fn retry(config: &Resolved, ids: &[i64]) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let mut refused = 0;
    for id in ids {
        if store.retry_job(Scope::Platform, OutboxJobId(*id), jiff::Timestamp::now()).await? {
            println!("#{id}: queued again");
        } else {
            println!("#{id}: not a failed job");
            refused += 1;
        }
    }
    store.close().await;
    anyhow::ensure!(refused == 0, "{refused} of {} jobs were not failed", ids.len());
    Ok(())
}
