//! `frontdesk calls list|show`: what happened on a call.

use frontdesk_domain::access::Scope;
use std::time::Duration;

use anyhow::Context;
use frontdesk_domain::call::{CallRecord, CallStatus};
use frontdesk_domain::phone::E164;
use frontdesk_store::model::{CallFilter, PageRequest, WebhookFilter};
use jiff::{SignedDuration, Timestamp};

use crate::config::Resolved;

fn masked(raw: &Option<String>) -> String {
    match raw.as_deref() {
        Some(n) => E164::parse_strict(n).map_or_else(|_| n.to_owned(), |e| e.masked()),
        None => "-".to_owned(),
    }
}

fn time(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "-".to_owned(), |t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
}

/// Lists recent calls, or (`stale`) those still ongoing longer than `reconcile_after`.
pub async fn list(
    config: &Resolved,
    status: Option<String>,
    stale: bool,
    reconcile_after: Duration,
    limit: u32,
) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let status = status.map(|s| CallStatus::parse(&s).with_context(|| format!("unknown status `{s}`"))).transpose()?;
    let stale_before = stale.then(|| Timestamp::now() - SignedDuration::try_from(reconcile_after).unwrap_or_default());
    let filter = CallFilter { status, stale_before, ..CallFilter::default() };
    let page = store.list_calls(Scope::Platform, &filter, &PageRequest::first(limit)).await?;
    println!(
        "{:<44} {:<13} {:<9} {:<16} {:<19} {:<19}",
        "CALL", "STATUS", "TENANT", "FROM", "FIRST SEEN", "LAST EVENT"
    );
    let directory = store.load_directory().await?;
    for c in &page.items {
        let tenant =
            c.links.company_id.and_then(|id| directory.company(id)).map_or("-", |e| e.company.def.key.as_str());
        println!(
            "{:<44} {:<13} {:<9} {:<16} {:<19} {:<19}",
            c.external_id,
            c.status,
            tenant,
            masked(&c.facts.from_number),
            time(Some(c.first_seen_at)),
            time(Some(c.last_event_at))
        );
    }
    if page.items.is_empty() {
        println!("(no calls)");
    }
    store.close().await;
    Ok(())
}

/// Everything about one call: numbers, tenant, timeline, webhook events and function traces.
pub async fn show(config: &Resolved, call_id: &str) -> anyhow::Result<()> {
    let store = super::open_store(config).await?;
    let call: CallRecord = store.call(call_id).await?.with_context(|| format!("no call `{call_id}`"))?;
    let directory = store.load_directory().await?;
    let company = call.links.company_id.and_then(|id| directory.company(id));
    println!("call      {}", call.external_id);
    println!("status    {}", call.status);
    println!(
        "tenant    {}",
        company.map_or("(unrouted number)".to_owned(), |e| format!("{} ({})", e.company.def.name, e.company.def.key))
    );
    println!("from      {}", call.facts.from_number.as_deref().unwrap_or("-"));
    println!("to        {}", call.facts.to_number.as_deref().unwrap_or("-"));
    println!("customer  {}", call.links.customer_id.map_or("-".to_owned(), |c| c.to_string()));
    println!();
    println!("timeline");
    println!("  first seen   {}", time(Some(call.first_seen_at)));
    println!("  started      {}", time(call.facts.started_at));
    println!("  ended        {}", time(call.facts.ended_at));
    println!("  last event   {}", time(Some(call.last_event_at)));
    if let Some(reason) = &call.facts.disconnection_reason {
        println!("  ended by     {reason}");
    }
    if let Some(cost) = call.facts.cost {
        println!("  cost         {} cents", cost.0);
    }
    let events = store
        .webhook_events(
            Scope::Platform,
            &WebhookFilter { external_call_id: Some(call_id.to_owned()), ..WebhookFilter::default() },
            &PageRequest::first(500),
        )
        .await?;
    println!();
    println!("webhook events ({})", events.items.len());
    for e in &events.items {
        let error = e.error.as_deref().map(|e| format!("  ({e})")).unwrap_or_default();
        println!("  #{:<6} {} {:<20} {}{error}", e.id, time(Some(e.received_at)), e.event_type, e.status);
    }
    let traces = store.traces_of_call(call.id).await?;
    println!();
    println!("function calls ({})", traces.len());
    for t in traces.iter().map(|t| &t.trace) {
        let replay = if t.replayed { " replayed" } else { "" };
        println!("  {} {:<26} {:<24} {:>8} µs{replay}", time(Some(t.at)), t.name_sent, t.status, t.duration_us);
        println!("      args    {}", t.arguments);
        println!("      answer  {}", t.response);
    }
    if let Some(transcript) = &call.facts.transcript {
        println!();
        println!("transcript");
        for line in transcript.lines() {
            println!("  {line}");
        }
    }
    store.close().await;
    Ok(())
}
