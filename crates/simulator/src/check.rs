//! The invariant check after a run, through the admin API only (what an operator could check):
//! no double bookings, no duplicate customers, no lost webhooks or traces, every announced booking
//! and cancellation real, and no call left ongoing once the reconciler has run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

use crate::client::{SendError, Sender};
use crate::ledger::Expected;
use crate::mail_sink::MailSink;

/// How many examples a failed check lists.
const EXAMPLES: usize = 10;

/// One invariant and whether it held.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// What must hold.
    pub name: String,
    /// Whether it did.
    pub ok: bool,
    /// What was counted.
    pub detail: String,
    /// The first few offenders.
    pub examples: Vec<String>,
}

impl Check {
    /// A check that held when `offenders` is empty.
    pub fn new(name: &str, detail: String, offenders: Vec<String>) -> Check {
        let ok = offenders.is_empty();
        let detail = if ok { detail } else { format!("{detail}; {} violation(s)", offenders.len()) };
        Check { name: name.to_owned(), ok, detail, examples: offenders.into_iter().take(EXAMPLES).collect() }
    }
}

/// What the run did, to be checked against what the server stored.
pub struct RunFacts<'a> {
    /// Prefix of the run's call ids.
    pub run_id: &'a str,
    /// When the run began (webhook deliveries after it belong to it).
    pub started: Timestamp,
    /// Function requests sent per call id.
    pub sent: &'a BTreeMap<String, u32>,
    /// Every announced appointment.
    pub expected: &'a BTreeMap<i64, Expected>,
    /// The companies called.
    pub companies: Vec<String>,
    /// How long to wait for the reconciler to finish calls whose end was lost.
    pub settle: Duration,
}

/// Checks every invariant.
pub async fn verify(sender: &Sender, run: &RunFacts<'_>) -> Result<Vec<Check>, SendError> {
    let prefix = format!("{}-", run.run_id);
    let ours = |call: &Value| call["call_id"].as_str().is_some_and(|id| id.starts_with(&prefix));

    // Calls whose end was lost stay ongoing until the reconciler has fetched them from Retell.
    let waited = Instant::now();
    loop {
        let mut open = sender.admin_all("/calls?status=ongoing").await?;
        open.extend(sender.admin_all("/calls?status=registered").await?);
        if !open.iter().any(ours) || waited.elapsed() >= run.settle {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let settled_after = waited.elapsed();

    let calls: Vec<Value> = sender.admin_all("/calls").await?.into_iter().filter(ours).collect();
    let mut checks = vec![ended(&calls, run, settled_after)];

    let details: Vec<Result<Value, SendError>> =
        futures_util::stream::iter(calls.iter())
            .map(|call| async move {
                sender.admin(&format!("/calls/{}", call["call_id"].as_str().unwrap_or_default())).await
            })
            .buffer_unordered(16)
            .collect()
            .await;
    let details = details.into_iter().collect::<Result<Vec<_>, _>>()?;
    checks.push(traces(&details, run));
    checks.push(webhooks(sender, &details, run).await?);

    let mut appointments = Vec::new();
    for company in &run.companies {
        appointments.extend(sender.admin_all(&format!("/appointments?company={company}")).await?);
    }
    checks.push(overlaps(&appointments));
    let call_ids: HashSet<i64> = calls.iter().filter_map(|c| c["id"].as_i64()).collect();
    checks.extend(bookings(&appointments, &call_ids, run.expected));
    checks.push(customers(&sender.admin_all("/customers").await?));
    Ok(checks)
}

fn ended(calls: &[Value], run: &RunFacts<'_>, settled_after: Duration) -> Check {
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    let mut offenders = Vec::new();
    for call in calls {
        let status = call["status"].as_str().unwrap_or("?");
        *by_status.entry(status).or_default() += 1;
        if status != "ended" {
            offenders.push(format!("{} is {status}", call["call_id"].as_str().unwrap_or("?")));
        }
    }
    let seen: HashSet<&str> = calls.iter().filter_map(|c| c["call_id"].as_str()).collect();
    offenders
        .extend(run.sent.keys().filter(|id| !seen.contains(id.as_str())).map(|id| format!("{id} was never recorded")));
    let counts: Vec<String> = by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
    Check::new(
        "every call recorded and none left ongoing after the reconciler",
        format!("{} calls: {} (settled after {:.1}s)", calls.len(), counts.join(", "), settled_after.as_secs_f64()),
        offenders,
    )
}

fn traces(details: &[Value], run: &RunFacts<'_>) -> Check {
    let mut offenders = Vec::new();
    let mut total = 0;
    for call in details {
        let id = call["call_id"].as_str().unwrap_or("?");
        let stored = call["function_calls"].as_array().map_or(0, Vec::len);
        total += stored;
        let sent = run.sent.get(id).copied().unwrap_or(0) as usize;
        if stored != sent {
            offenders.push(format!("{id}: {sent} function calls sent, {stored} traces"));
        }
    }
    Check::new("one trace per function call sent", format!("{total} traces"), offenders)
}

async fn webhooks(sender: &Sender, details: &[Value], run: &RunFacts<'_>) -> Result<Check, SendError> {
    let mut offenders = Vec::new();
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    for call in details {
        for event in call["webhook_events"].as_array().into_iter().flatten() {
            let status = event["status"].as_str().unwrap_or("?");
            *by_status.entry(status.to_owned()).or_default() += 1;
            if !matches!(status, "processed" | "ignored") {
                offenders.push(format!(
                    "event {} ({} of {}) is {status}: {}",
                    event["id"],
                    event["event"].as_str().unwrap_or("?"),
                    call["call_id"].as_str().unwrap_or("?"),
                    event["error"].as_str().unwrap_or("")
                ));
            }
        }
    }
    // Deliveries without a call id (`call_inbound`) are found by when they arrived.
    for status in ["failed", "pending"] {
        for event in sender.admin_all(&format!("/webhook-events?provider=retell&status={status}")).await? {
            let received = event["received_at"].as_str().and_then(|t| t.parse::<Timestamp>().ok());
            if event["call_id"].is_null() && received.is_some_and(|t| t >= run.started) {
                offenders.push(format!(
                    "event {} ({}) is {status}",
                    event["id"],
                    event["event"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    let counts: Vec<String> = by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();
    Ok(Check::new("every webhook processed or ignored", counts.join(", "), offenders))
}

fn instant(v: &Value) -> Option<Timestamp> {
    v.as_str()?.parse().ok()
}

/// A staff member's blocked time: from, until, appointment.
type Block = (Timestamp, Timestamp, i64);

/// Active staff-busy blocks of one staff member never overlap (I1).
fn overlaps(appointments: &[Value]) -> Check {
    let mut blocks: HashMap<(String, String), Vec<Block>> = HashMap::new();
    let mut segments = 0;
    for a in appointments.iter().filter(|a| a["status"].as_str() != Some("cancelled")) {
        let staff = (a["company"].as_str().unwrap_or("?").to_owned(), a["staff"].as_str().unwrap_or("?").to_owned());
        for s in a["segments"].as_array().into_iter().flatten().filter(|s| s["staff_busy"] == Value::Bool(true)) {
            let from = instant(&s["blocks_from"]).or_else(|| instant(&s["start"]));
            let until = instant(&s["blocks_until"]).or_else(|| instant(&s["end"]));
            if let (Some(from), Some(until)) = (from, until) {
                segments += 1;
                blocks.entry(staff.clone()).or_default().push((from, until, a["id"].as_i64().unwrap_or(0)));
            }
        }
    }
    let mut offenders = Vec::new();
    for ((company, staff), mut list) in blocks {
        list.sort();
        let mut reach: Option<(Timestamp, i64)> = None;
        for (from, until, id) in list {
            if let Some((end, other)) = reach
                && from < end
                && other != id
            {
                offenders.push(format!("{company}/{staff}: appointments {other} and {id} overlap at {from}"));
            }
            if reach.is_none_or(|(end, _)| until > end) {
                reach = Some((until, id));
            }
        }
    }
    Check::new(
        "no overlapping active segments per staff member",
        format!("{} appointments, {segments} staff-busy segments", appointments.len()),
        offenders,
    )
}

/// Every booking the server announced exists exactly once, where it was last announced, and
/// every announced cancellation took effect.
fn bookings(appointments: &[Value], run_calls: &HashSet<i64>, expected: &BTreeMap<i64, Expected>) -> [Check; 2] {
    let stored: HashMap<i64, &Value> = appointments.iter().filter_map(|a| Some((a["id"].as_i64()?, a))).collect();
    let mut booked = Vec::new();
    let mut cancelled = Vec::new();
    let (mut active, mut gone) = (0, 0);
    for (id, e) in expected {
        if e.announced != 1 {
            booked.push(format!("appointment {id} was announced as new {} times", e.announced));
        }
        let Some(a) = stored.get(id) else {
            booked.push(format!("appointment {id} (booked in {}) does not exist", e.call_id));
            continue;
        };
        let status = a["status"].as_str().unwrap_or("?");
        if e.cancelled {
            gone += 1;
            if status != "cancelled" {
                cancelled.push(format!("appointment {id} was cancelled in a call but is {status}"));
            }
        } else {
            active += 1;
            let start = a["local_start"].as_str().unwrap_or("");
            if status != "booked" {
                booked.push(format!("appointment {id} was announced booked but is {status}"));
            } else if start.get(..16) != Some(e.start.as_str()) {
                booked.push(format!("appointment {id} was announced at {} but starts {start}", e.start));
            }
        }
    }
    for a in appointments {
        let from_run = a["call_id"].as_i64().is_some_and(|c| run_calls.contains(&c));
        if let Some(id) = a["id"].as_i64().filter(|id| from_run && !expected.contains_key(id)) {
            booked.push(format!("appointment {id} was booked in a call but never announced"));
        }
    }
    [
        Check::new(
            "every announced booking exists exactly once",
            format!("{} announced, {active} to be booked", expected.len()),
            booked,
        ),
        Check::new("every cancellation took effect", format!("{gone} cancelled"), cancelled),
    ]
}

/// One customer per phone number per company (I3).
fn customers(customers: &[Value]) -> Check {
    let mut seen: HashMap<(i64, &str), usize> = HashMap::new();
    for c in customers {
        if let (Some(company), Some(phone)) = (c["company_id"].as_i64(), c["phone"].as_str()) {
            *seen.entry((company, phone)).or_default() += 1;
        }
    }
    let offenders: Vec<String> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|((company, phone), n)| format!("company {company}: {n} customers with {}", mask(phone)))
        .collect();
    Check::new("no duplicate customers per phone", format!("{} customers", customers.len()), offenders)
}

/// A phone number with its middle hidden (reports get pasted into tickets).
fn mask(phone: &str) -> String {
    let keep = phone.len().min(4);
    format!("{}…{}", &phone[..keep], &phone[phone.len().saturating_sub(2)..])
}

/// Every notification sent once, counted at the simulator's own SMTP server: no `Message-ID`
/// arrived twice, each customer's address got one message per announced booking, move and
/// cancellation, and the branches one alert per callback request. Waits up to `settle` for the
/// servers' workers.
pub async fn mail(sink: &MailSink, expected: &BTreeMap<i64, Expected>, callbacks: u64, settle: Duration) -> Check {
    let mut want: BTreeMap<&str, u64> = BTreeMap::new();
    for e in expected.values() {
        if let Some(address) = &e.email {
            *want.entry(address.as_str()).or_default() += 1 + u64::from(e.moves) + u64::from(e.cancelled);
        }
    }
    let total = want.values().sum::<u64>() + callbacks;
    let waited = Instant::now();
    loop {
        let so_far = sink.arrived().iter().filter(|a| !a.reminder).count() as u64;
        if so_far >= total || waited.elapsed() >= settle {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Late duplicates would come within a worker round or two.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let arrived = sink.arrived();
    let mut offenders: Vec<String> = sink
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(id, n)| format!("Message-ID {id} arrived {n} times"))
        .collect();
    let mut got: BTreeMap<&str, u64> = BTreeMap::new();
    let mut alerts = 0;
    for a in arrived.iter().filter(|a| !a.reminder) {
        if want.contains_key(a.to.as_str()) {
            *got.entry(a.to.as_str()).or_default() += 1;
        } else {
            alerts += 1;
        }
    }
    for (address, n) in &want {
        let g = got.get(address).copied().unwrap_or(0);
        if g != *n {
            offenders.push(format!("{address}: {g} messages, {n} announced"));
        }
    }
    if alerts != callbacks {
        offenders.push(format!("{alerts} callback alerts for {callbacks} callback requests"));
    }
    let reminders = arrived.iter().filter(|a| a.reminder).count();
    Check::new(
        "every notification sent once",
        format!(
            "{} messages at the SMTP sink ({total} announced, {reminders} reminders), {} distinct Message-IDs",
            arrived.len(),
            sink.counts().len()
        ),
        offenders,
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn appointment(id: i64, staff: &str, from: &str, until: &str, status: &str) -> Value {
        json!({"id": id, "company": "c", "staff": staff, "status": status, "segments": [
            {"staff_busy": true, "blocks_from": from, "blocks_until": until},
        ]})
    }

    #[test]
    fn overlaps_are_found_per_staff_member() {
        let ok = [
            appointment(1, "anna", "2026-03-10T09:00:00Z", "2026-03-10T09:30:00Z", "booked"),
            appointment(2, "anna", "2026-03-10T09:30:00Z", "2026-03-10T10:00:00Z", "booked"),
            appointment(3, "lena", "2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z", "booked"),
            appointment(4, "anna", "2026-03-10T09:10:00Z", "2026-03-10T09:20:00Z", "cancelled"),
        ];
        assert!(overlaps(&ok).ok);
        let mut bad = ok.to_vec();
        bad.push(appointment(5, "anna", "2026-03-10T08:00:00Z", "2026-03-10T11:00:00Z", "booked"));
        let check = overlaps(&bad);
        assert!(!check.ok);
        assert_eq!(check.examples.len(), 2, "{:?}", check.examples);
    }

    #[test]
    fn announced_bookings_must_exist_once_and_cancellations_take_effect() {
        let stored = [
            json!({"id": 1, "status": "booked", "local_start": "2026-03-10T10:00:00+01:00", "call_id": 7}),
            json!({"id": 2, "status": "booked", "local_start": "2026-03-10T11:00:00+01:00", "call_id": 7}),
            json!({"id": 3, "status": "booked", "local_start": "2026-03-10T12:00:00+01:00", "call_id": 8}),
        ];
        let e = |start: &str, cancelled| Expected {
            start: start.into(),
            cancelled,
            call_id: "c".into(),
            announced: 1,
            email: None,
            moves: 0,
        };
        let mut expected = BTreeMap::from([(1, e("2026-03-10T10:00", false)), (2, e("2026-03-10T11:00", false))]);
        let calls = HashSet::from([7, 8]);
        let [booked, cancelled] = bookings(&stored, &calls, &expected);
        assert!(!booked.ok && cancelled.ok, "appointment 3 was never announced");
        expected.insert(3, e("2026-03-10T12:00", true));
        expected.insert(4, e("2026-03-10T12:00", false));
        let [booked, cancelled] = bookings(&stored, &calls, &expected);
        assert!(!booked.ok && !cancelled.ok);
        assert!(booked.examples[0].contains("4"), "{:?}", booked.examples);
    }

    #[test]
    fn duplicate_customers_are_found() {
        let list = [
            json!({"company_id": 1, "phone": "+491701234567"}),
            json!({"company_id": 2, "phone": "+491701234567"}),
            json!({"company_id": 1, "phone": null}),
            json!({"company_id": 1, "phone": null}),
        ];
        assert!(customers(&list).ok);
        let dup = [list[0].clone(), list[0].clone()];
        let check = customers(&dup);
        assert!(!check.ok && !check.examples[0].contains("1234567"));
    }

    #[tokio::test]
    async fn a_message_sent_twice_or_missing_is_found() {
        let sink = MailSink::start("127.0.0.1:0").await.unwrap();
        let mut expected = BTreeMap::new();
        let booked = |email: &str, moves| Expected {
            start: "2026-03-10T10:00".into(),
            cancelled: false,
            call_id: "c".into(),
            announced: 1,
            email: Some(email.into()),
            moves,
        };
        expected.insert(1, booked("a@example.com", 1));
        expected.insert(2, booked("b@example.com", 0));
        crate::mail_sink::send(&sink, "m1@x", "a@example.com").await;
        crate::mail_sink::send(&sink, "m2@x", "a@example.com").await;
        crate::mail_sink::send(&sink, "m3@x", "b@example.com").await;
        crate::mail_sink::send(&sink, "m4@x", "front@branch.example").await;
        let settle = Duration::from_millis(10);
        assert!(mail(&sink, &expected, 1, settle).await.ok);

        crate::mail_sink::send(&sink, "m3@x", "b@example.com").await;
        let twice = mail(&sink, &expected, 1, settle).await;
        assert!(!twice.ok);
        assert!(twice.examples.iter().any(|e| e.contains("m3@x arrived 2 times")), "{:?}", twice.examples);
        let missing = mail(&sink, &expected, 2, settle).await;
        assert!(missing.examples.iter().any(|e| e.contains("1 callback alerts for 2")), "{:?}", missing.examples);
    }
}
