//! The one write path of calls, function traces and webhook deliveries ([`Record`]): many of
//! them recorded in one transaction with a handful of statements, whatever the batch size — by
//! the group commit, or inside a side effect's transaction.
//!
//! Why: each statement is a round trip to the database (on SQLite, to the connection's thread),
//! and SQLite has one writer. Recording every request in its own transaction of five or six
//! statements made that writer the bottleneck; a batch costs about seven statements in all.
//!
//! The rules: a dedupe key already stored makes a delivery a
//! duplicate, kept as `ignored` without its key (I3); each call is read (locked, on PostgreSQL),
//! joined in Rust with everything the batch says about it — the join is commutative, so the order
//! within a batch does not matter — and written back (I6). Rows are inserted and locked in key
//! order, so concurrent batches of several processes wait on each other in one order and never
//! deadlock.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};

use frontdesk_domain::call::{CallFacts, CallLinks, CallStatus};
use frontdesk_domain::ids::{CallId, CustomerId, WebhookEventId};
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::Trace;
use frontdesk_domain::records::WebhookStatus;
use jiff::Timestamp;
use sqlx::{QueryBuilder, Type};

use super::call_rows::{CALL_COLUMNS, call_from_row};
use super::{Conn, RowExt, db};
use crate::backend::{Backend, Jsonb, Stamp};
use crate::model::{CallUpdate, NewWebhookEvent, Record, Recorded};
use crate::{Result, StoreError};

const EVENT_INSERT_COLUMNS: &str = "provider, event_type, dedupe_key, external_call_id, company_id, payload, status, \
    error, attempts, received_at, processed_at";

const TRACE_INSERT_COLUMNS: &str = "call_id, company_id, name_sent, function, arguments, response, status, success, \
    replayed, duration_us, created_at";

/// Everything a batch says about one call.
struct Joined<'a> {
    facts: CallFacts,
    links: CallLinks,
    caller: Option<&'a str>,
    first: Timestamp,
    last: Timestamp,
    external: &'a str,
}

impl<'a> Joined<'a> {
    fn new(u: &'a CallUpdate) -> Self {
        Joined {
            facts: u.facts.clone(),
            links: u.links,
            caller: u.caller.as_ref().map(E164::as_str),
            first: u.at,
            last: u.at,
            external: u.external.as_str(),
        }
    }

    fn add(&mut self, u: &'a CallUpdate) -> Result<()> {
        if self.links.conflicts_with(&u.links) {
            // Which sighting came first is decided by committing them one by one.
            return Err(StoreError::CallOfAnotherTenant { call: None, company: None });
        }
        self.facts = self.facts.join(&u.facts);
        self.links = self.links.join(&u.links);
        self.caller = self.caller.or(u.caller.as_ref().map(E164::as_str));
        self.first = self.first.min(u.at);
        self.last = self.last.max(u.at);
        Ok(())
    }
}

/// A delivery's provider and dedupe key.
type Key = (&'static str, String);

fn key_of(record: &Record) -> Option<Key> {
    match record {
        Record::Delivery { event, .. } => event.dedupe_key.clone().map(|k| (event.provider.as_str(), k)),
        Record::Function { .. } | Record::Call(_) | Record::Trace { .. } => None,
    }
}

/// The key of a stored row, if its provider is one we know.
fn stored_key(provider: &str, key: String) -> Option<Key> {
    frontdesk_domain::records::Provider::parse(provider).map(|p| (p.as_str(), key))
}

for_backends! {
impl [Conn<'_, DB>] {
    /// Records `batch` in this transaction (the rules are in the module docs).
    pub(crate) async fn record(&mut self, batch: &[Record]) -> Result<Vec<Recorded>> {
        let conn = &mut *self.0;
        let mut outcome: Vec<Option<Recorded>> = vec![None; batch.len()];

        // 1. Deliveries. A key met again within the batch is a duplicate of its first delivery.
        let mut first_with_key: HashMap<Key, usize> = HashMap::new();
        let mut fresh: Vec<usize> = Vec::new();
        let mut repeats: Vec<usize> = Vec::new();
        for (i, record) in batch.iter().enumerate() {
            if !matches!(record, Record::Delivery { .. }) {
                continue;
            }
            match key_of(record).map(|k| first_with_key.entry(k)) {
                Some(Entry::Occupied(_)) => repeats.push(i),
                Some(Entry::Vacant(slot)) => {
                    slot.insert(i);
                    fresh.push(i);
                }
                None => fresh.push(i),
            }
        }
        fresh.sort_by_key(|i| key_of(&batch[*i]));
        let mut ids: HashMap<Key, WebhookEventId> = HashMap::new();
        if !fresh.is_empty() {
            let mut q = QueryBuilder::<DB>::new(format!("INSERT INTO webhook_events ({EVENT_INSERT_COLUMNS}) "));
            q.push_values(fresh.iter().filter_map(|i| event_of(&batch[*i])), |mut b, e| {
                push_event(&mut b, e, e.dedupe_key.clone(), e.status, e.error.clone());
            });
            q.push(" ON CONFLICT (provider, dedupe_key) DO NOTHING RETURNING id, provider, dedupe_key");
            for row in q.build().fetch_all(&mut *conn).await.map_err(db::<DB>)? {
                let Some(key) = row.col::<Option<String>>("dedupe_key")? else { continue };
                if let Some(k) = stored_key(&row.col::<String>("provider")?, key) {
                    ids.insert(k, WebhookEventId(row.col("id")?));
                }
            }
        }
        // Keys the insert skipped were stored before this batch (looked up per provider, so that
        // the unique index on (provider, dedupe_key) serves the lookup).
        let mut earlier: HashMap<Key, WebhookEventId> = HashMap::new();
        let mut unseen: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
        for (provider, key) in first_with_key.keys().filter(|k| !ids.contains_key(*k)) {
            unseen.entry(provider).or_default().push(key);
        }
        for (provider, keys) in unseen {
            let mut q = QueryBuilder::<DB>::new("SELECT id, dedupe_key FROM webhook_events WHERE provider = ");
            q.push_bind(provider).push(" AND dedupe_key");
            push_in_list(&mut q, keys);
            for row in q.build().fetch_all(&mut *conn).await.map_err(db::<DB>)? {
                let key = (provider, row.col::<String>("dedupe_key")?);
                if first_with_key.contains_key(&key) {
                    earlier.insert(key, WebhookEventId(row.col("id")?));
                }
            }
        }
        let mut duplicates: Vec<(usize, WebhookEventId)> = Vec::new();
        for &i in &fresh {
            outcome[i] = Some(match key_of(&batch[i]).and_then(|k| earlier.get(&k).copied()) {
                Some(first) => {
                    duplicates.push((i, first));
                    Recorded::Duplicate(first)
                }
                None => Recorded::Stored,
            });
        }
        for &i in &repeats {
            let first = key_of(&batch[i])
                .and_then(|k| earlier.get(&k).or_else(|| ids.get(&k)))
                .copied()
                .ok_or_else(|| StoreError::Corrupt("a repeated dedupe key has no stored delivery".into()))?;
            duplicates.push((i, first));
            outcome[i] = Some(Recorded::Duplicate(first));
        }
        // Duplicates are kept as `ignored`, without their key, so an operator sees every delivery.
        if !duplicates.is_empty() {
            let mut q = QueryBuilder::<DB>::new(format!("INSERT INTO webhook_events ({EVENT_INSERT_COLUMNS}) "));
            q.push_values(
                duplicates.iter().filter_map(|(i, first)| Some((event_of(&batch[*i])?, first))),
                |mut b, (e, first)| {
                    push_event(&mut b, e, None, WebhookStatus::Ignored, Some(format!("duplicate of event {first}")));
                },
            );
            q.build().execute(&mut *conn).await.map_err(db::<DB>)?;
        }

        // 2. Calls: what every stored delivery and every function call says, joined per call.
        let mut joined: BTreeMap<&str, Joined<'_>> = BTreeMap::new();
        for (i, record) in batch.iter().enumerate() {
            let update = match record {
                Record::Delivery { call: Some(update), .. } if outcome[i] == Some(Recorded::Stored) => update,
                Record::Function { call, .. } | Record::Call(call) => call,
                Record::Delivery { .. } | Record::Trace { .. } => continue,
            };
            match joined.entry(update.external.as_str()) {
                std::collections::btree_map::Entry::Occupied(mut j) => j.get_mut().add(update)?,
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(Joined::new(update));
                }
            }
        }
        // Callers not yet linked to a customer: one lookup per company for the whole batch.
        let mut unlinked: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
        for j in joined.values().filter(|j| j.links.customer_id.is_none()) {
            if let (Some(company), Some(caller)) = (j.links.company_id, j.caller) {
                unlinked.entry(company.0).or_default().push(caller);
            }
        }
        for (company, phones) in unlinked {
            let mut q = QueryBuilder::<DB>::new("SELECT id, phone FROM customers WHERE company_id = ");
            q.push_bind(company).push(" AND phone");
            push_in_list(&mut q, phones);
            let found: HashMap<String, i64> = q
                .build()
                .fetch_all(&mut *conn)
                .await
                .map_err(db::<DB>)?
                .iter()
                .map(|r| Ok((r.col::<String>("phone")?, r.col::<i64>("id")?)))
                .collect::<Result<_>>()?;
            for j in joined.values_mut().filter(|j| j.links.company_id.map(|c| c.0) == Some(company)) {
                if j.links.customer_id.is_none() {
                    j.links.customer_id = j.caller.and_then(|p| found.get(p)).map(|id| CustomerId(*id));
                }
            }
        }

        let mut call_ids: HashMap<&str, CallId> = HashMap::new();
        if !joined.is_empty() {
            // Every call is read under a lock, in key order (so concurrent batches never
            // deadlock). Calls not stored yet are inserted, and the insert hands back the new rows
            // (locked: they are ours); only a call another process inserted meanwhile is read
            // again. Most records are about calls already stored: for them this is one statement.
            let locked = |keys: Vec<&str>| {
                let mut q = QueryBuilder::<DB>::new(format!("SELECT {CALL_COLUMNS} FROM calls WHERE external_id"));
                push_in_list(&mut q, keys);
                q.push(format!(" ORDER BY external_id{}", DB::FOR_UPDATE));
                q
            };
            let mut rows =
                locked(joined.keys().copied().collect()).build().fetch_all(&mut *conn).await.map_err(db::<DB>)?;
            let mut stored: HashSet<String> =
                rows.iter().map(|r| r.col::<String>("external_id")).collect::<Result<_>>()?;
            let missing: Vec<&Joined<'_>> = joined.values().filter(|j| !stored.contains(j.external)).collect();
            if !missing.is_empty() {
                let mut q =
                    QueryBuilder::<DB>::new("INSERT INTO calls (external_id, status, first_seen_at, last_event_at) ");
                q.push_values(&missing, |mut b, j| {
                    b.push_bind(j.external.to_owned())
                        .push_bind(j.facts.status.unwrap_or(CallStatus::Registered).as_str())
                        .push_bind(Stamp(j.first))
                        .push_bind(Stamp(j.first));
                });
                q.push(format!(" ON CONFLICT (external_id) DO NOTHING RETURNING {CALL_COLUMNS}"));
                let inserted = q.build().fetch_all(&mut *conn).await.map_err(db::<DB>)?;
                for row in &inserted {
                    stored.insert(row.col::<String>("external_id")?);
                }
                rows.extend(inserted);
                let raced: Vec<&str> = missing.iter().map(|j| j.external).filter(|e| !stored.contains(*e)).collect();
                if !raced.is_empty() {
                    rows.extend(locked(raced).build().fetch_all(&mut *conn).await.map_err(db::<DB>)?);
                }
            }
            let mut merged = Vec::with_capacity(rows.len());
            for row in &rows {
                let current = call_from_row(row)?;
                let Some(j) = joined.get(current.external_id.as_str()) else { continue };
                if current.links.conflicts_with(&j.links) {
                    return Err(StoreError::CallOfAnotherTenant {
                        call: Some(current.id),
                        company: current.links.company_id,
                    });
                }
                call_ids.insert(j.external, current.id);
                let facts = current.facts.join(&j.facts);
                let links = current.links.join(&j.links);
                let company_changes = links.company_id != current.links.company_id;
                merged.push((
                    company_changes,
                    (j.external, facts, links, current.first_seen_at, current.last_event_at.max(j.last)),
                ));
            }
            if merged.len() != joined.len() {
                return Err(StoreError::Corrupt("a call inserted in this transaction cannot be read back".into()));
            }
            // A call's company is part of the key every row about it refers to (I7): rewriting it
            // makes the database look for those rows (SQLite does so whenever the column is in
            // the SET list, changed or not). So it is written only for the calls it changes for
            // — each call once, at its first routed sighting.
            let (moving, staying): (Vec<_>, Vec<_>) = merged.into_iter().partition(|(changes, _)| *changes);
            for (with_company, rows) in [(true, moving), (false, staying)] {
                if rows.is_empty() {
                    continue;
                }
                let rows: Vec<_> = rows.into_iter().map(|(_, row)| row).collect();
                Conn::<DB>(&mut *conn).upsert_calls(rows, with_company).await?;
            }
        }

        // 3. Traces.
        let mut traces: Vec<(CallId, &Trace)> = Vec::new();
        for (i, record) in batch.iter().enumerate() {
            match record {
                Record::Function { call, trace } => {
                    let id = *call_ids.get(call.external.as_str()).ok_or(StoreError::NotFound("call"))?;
                    traces.push((id, trace));
                    outcome[i] = Some(Recorded::Traced(id));
                }
                Record::Call(call) => {
                    let id = *call_ids.get(call.external.as_str()).ok_or(StoreError::NotFound("call"))?;
                    outcome[i] = Some(Recorded::Call(id));
                }
                Record::Trace { call, trace } => {
                    traces.push((*call, trace));
                    outcome[i] = Some(Recorded::Traced(*call));
                }
                Record::Delivery { .. } => {}
            }
        }
        if !traces.is_empty() {
            let mut q = QueryBuilder::<DB>::new(format!("INSERT INTO function_traces ({TRACE_INSERT_COLUMNS}) "));
            q.push_values(traces, |mut b, (call, t)| {
                b.push_bind(call.0)
                    .push_bind(t.company_id.map(|c| c.0))
                    .push_bind(t.name_sent.clone())
                    .push_bind(t.function.clone())
                    .push_bind(Jsonb::of(&t.arguments))
                    .push_bind(Jsonb::of(&t.response))
                    .push_bind(t.status.clone())
                    .push_bind(t.success)
                    .push_bind(t.replayed)
                    .push_bind(t.duration_us)
                    .push_bind(Stamp(t.at));
            });
            q.build().execute(&mut *conn).await.map_err(db::<DB>)?;
        }
        Ok(outcome.into_iter().map(|o| o.unwrap_or(Recorded::Stored)).collect())
    }

    /// Writes merged calls back in one statement; their company only `with_company`.
    async fn upsert_calls(&mut self, rows: Vec<MergedCall<'_>>, with_company: bool) -> Result<()> {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO calls (external_id, company_id, branch_id, customer_id, status, agent_id, direction, \
             from_number, to_number, started_at, ended_at, duration_ms, disconnection_reason, transcript, \
             recording_url, public_log_url, analysis, cost_cents, first_seen_at, last_event_at) ",
        );
        q.push_values(rows, |mut b, (external, f, l, first, last)| {
            b.push_bind(external.to_owned())
                .push_bind(l.company_id.map(|c| c.0))
                .push_bind(l.branch_id.map(|c| c.0))
                .push_bind(l.customer_id.map(|c| c.0))
                .push_bind(f.status.unwrap_or(CallStatus::Registered).as_str())
                .push_bind(f.agent_id)
                .push_bind(f.direction)
                .push_bind(f.from_number)
                .push_bind(f.to_number)
                .push_bind(f.started_at.map(Stamp))
                .push_bind(f.ended_at.map(Stamp))
                .push_bind(f.duration_ms)
                .push_bind(f.disconnection_reason)
                .push_bind(f.transcript)
                .push_bind(f.recording_url)
                .push_bind(f.public_log_url)
                .push_bind(f.analysis)
                .push_bind(f.cost.map(|c| c.0))
                .push_bind(Stamp(first))
                .push_bind(Stamp(last));
        });
        q.push(" ON CONFLICT (external_id) DO UPDATE SET ");
        if with_company {
            q.push("company_id = excluded.company_id, ");
        }
        q.push(
            "branch_id = excluded.branch_id, customer_id = excluded.customer_id, status = excluded.status, \
             agent_id = excluded.agent_id, direction = excluded.direction, from_number = excluded.from_number, \
             to_number = excluded.to_number, started_at = excluded.started_at, ended_at = excluded.ended_at, \
             duration_ms = excluded.duration_ms, disconnection_reason = excluded.disconnection_reason, \
             transcript = excluded.transcript, recording_url = excluded.recording_url, \
             public_log_url = excluded.public_log_url, analysis = excluded.analysis, \
             cost_cents = excluded.cost_cents, last_event_at = excluded.last_event_at",
        );
        q.build().execute(&mut *self.0).await.map_err(db::<DB>)?;
        Ok(())
    }
}
}

/// A call as merged for writing back: external id, facts, links, first seen, last event.
type MergedCall<'a> = (&'a str, CallFacts, CallLinks, Timestamp, Timestamp);

/// Appends ` IN ($1, $2, …)` binding each text in `items` (never empty here: every caller has at
/// least one).
fn push_in_list<'i, DB: Backend>(q: &mut QueryBuilder<DB>, items: impl IntoIterator<Item = &'i str>)
where
    for<'q> String: sqlx::Encode<'q, DB> + Type<DB>,
{
    q.push(" IN (");
    let mut list = q.separated(", ");
    for item in items {
        list.push_bind(item.to_owned());
    }
    q.push(")");
}

fn event_of(record: &Record) -> Option<&NewWebhookEvent> {
    match record {
        Record::Delivery { event, .. } => Some(event),
        Record::Function { .. } | Record::Call(_) | Record::Trace { .. } => None,
    }
}

fn push_event<DB: Backend, Sep: std::fmt::Display>(
    b: &mut sqlx::query_builder::Separated<'_, DB, Sep>,
    e: &NewWebhookEvent,
    dedupe_key: Option<String>,
    status: WebhookStatus,
    error: Option<String>,
) where
    for<'q> i64: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Stamp: sqlx::Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB>,
    for<'q> Option<Stamp>: sqlx::Encode<'q, DB>,
{
    let processed_at = (status != WebhookStatus::Pending).then_some(Stamp(e.at));
    b.push_bind(e.provider.as_str())
        .push_bind(e.event_type.clone())
        .push_bind(dedupe_key)
        .push_bind(e.external_call_id.clone())
        .push_bind(e.company_id.map(|c| c.0))
        .push_bind(e.payload.clone())
        .push_bind(status.as_str())
        .push_bind(error)
        .push_bind(1_i64)
        .push_bind(Stamp(e.at))
        .push_bind(processed_at);
}
