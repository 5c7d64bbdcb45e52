//! What `serve --demo` puts in a fresh database so that the dashboard has something to show: the
//! demo operator logins and a week ahead of appointments booked by the team (the command then
//! plays a few simulated phone calls through the real endpoints). The browser tests seed the
//! same way, so they check the dashboard against what a newcomer sees.

use std::sync::Arc;

use crate::booking::{self, BookOutcome, BookRequest};
use frontdesk_domain::access::Role;
use frontdesk_domain::call::{CallFacts, CallLinks, CallStatus};
use frontdesk_domain::directory::Directory;
use frontdesk_domain::ids::{BranchId, CompanyId, ExternalCallId};
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::AppointmentSource;
use frontdesk_domain::records::{Provider, Trace, WebhookStatus};
use frontdesk_store::SharedStore;
use frontdesk_store::model::{CallUpdate, NewCustomer, NewUser, NewWebhookEvent, Record};
use jiff::civil::Time;
use jiff::{Timestamp, ToSpan};

/// Every demo login's password (a demo: printed at every start).
pub const PASSWORD: &str = "demo-password";

/// The demo logins: `(e-mail, company key or none for the platform, role)`.
pub const LOGINS: [(&str, Option<&str>, Role); 4] = [
    ("owner@friseur1.example", Some("friseur1"), Role::Owner),
    ("staff@friseur1.example", Some("friseur1"), Role::Staff),
    ("owner@brightsmile.example", Some("brightsmile"), Role::Owner),
    ("admin@frontdesk.example", None, Role::PlatformAdmin),
];

/// Creates the demo logins that do not exist yet.
pub async fn logins(store: &SharedStore) -> anyhow::Result<()> {
    let dir = store.load_directory().await?;
    let hash = crate::access::password::hash(PASSWORD.to_owned()).await?;
    for (email, company, role) in LOGINS {
        if store.login_record(email).await?.is_some() {
            continue;
        }
        let company_id = match company {
            Some(key) => match dir.company_by_key(key) {
                Some(c) => Some(c.company.id),
                None => continue,
            },
            None => None,
        };
        let new = NewUser { company_id, email: email.to_owned(), name: None, role, password_hash: hash.clone() };
        store
            .write(move |tx| Box::pin(async move { tx.create_user(&new, Timestamp::now()).await.map(|_| ()) }))
            .await?;
    }
    Ok(())
}

const GERMAN_NAMES: [&str; 16] = [
    "Julia Becker",
    "Thomas Wagner",
    "Laura Hoffmann",
    "Stefan Schulz",
    "Katrin Fischer",
    "Markus Braun",
    "Nina Zimmermann",
    "Jan Richter",
    "Sophie Klein",
    "Florian Wolf",
    "Miriam Neumann",
    "Tobias Schröder",
    "Eva Lange",
    "David Krüger",
    "Carla Hartmann",
    "Paul Meier",
];

const ENGLISH_NAMES: [&str; 16] = [
    "Emily Carter",
    "James Miller",
    "Olivia Brooks",
    "Daniel Hughes",
    "Grace Foster",
    "Michael Reed",
    "Chloe Bennett",
    "Ryan Cooper",
    "Hannah Price",
    "Lucas Ward",
    "Ava Sullivan",
    "Noah Griffin",
    "Mia Russell",
    "Ethan Hayes",
    "Zoe Porter",
    "Caleb Jenkins",
];

/// Books a week ahead of the team's appointments at every branch: each staff member gets a few
/// appointments a day at times the engine accepts, for the company's demo customers.
pub async fn week(store: &SharedStore, dir: Arc<Directory>, now: Timestamp) -> anyhow::Result<u32> {
    book_days(store, dir, now, 0, 7, u32::MAX).await
}

/// Books the team's appointments on `days` days from `first` days after today (negative: in the
/// past, booked as an operator would have that morning), at most `limit` of them.
pub async fn book_days(
    store: &SharedStore,
    dir: Arc<Directory>,
    now: Timestamp,
    first: i64,
    days: i64,
    limit: u32,
) -> anyhow::Result<u32> {
    let mut booked = 0;
    let mut turn: u64 = 7;
    for offset in first..first + days {
        for entry in Arc::clone(&dir).companies() {
            let german = entry.company.def.locale.language() == frontdesk_domain::locale::Language::De;
            let names = if german { GERMAN_NAMES } else { ENGLISH_NAMES };
            let region = entry.company.def.locale.phone_region().to_owned();
            for branch in &entry.branches {
                let tz = branch.def.time_zone.clone();
                let date = now.to_zoned(tz.clone()).date().checked_add(offset.days())?;
                // A day in the past is booked as of its midnight: the engine refuses past times.
                let booked_at = match date.to_zoned(tz.clone()) {
                    Ok(midnight) if offset < 0 => midnight.timestamp(),
                    Ok(_) => now,
                    Err(_) => continue,
                };
                for staff in entry.staff.iter().filter(|s| s.branch_id == branch.id) {
                    let services: Vec<_> = entry.services.iter().filter(|s| staff.performs(s.id)).collect();
                    if services.is_empty() {
                        continue;
                    }
                    // Half-hourly candidate times; roughly every third is tried.
                    for half_hour in 16..40 {
                        if booked >= limit {
                            return Ok(booked);
                        }
                        turn = turn.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        if !(turn >> 33).is_multiple_of(3) {
                            continue;
                        }
                        let time = Time::new((half_hour / 2) as i8, (half_hour % 2 * 30) as i8, 0, 0)?;
                        let Ok(start) = date.to_datetime(time).to_zoned(tz.clone()) else { continue };
                        let service = services[((turn >> 40) as usize) % services.len()];
                        let who = ((turn >> 20) as usize) % names.len();
                        let phone = E164::parse_lenient(&demo_number(german, who), Some(&region)).ok();
                        let request = BookRequest {
                            branch: branch.id,
                            service: service.id,
                            staff: Some(staff.id),
                            start: start.timestamp(),
                            customer: NewCustomer {
                                name: Some(names[who].to_owned()),
                                salutation: None,
                                phone,
                                email: None,
                            },
                            source: AppointmentSource::Admin,
                            call_id: None,
                            notes: None,
                            window: None,
                            another_person: false,
                        };
                        let company = entry.company.id;
                        let dir = Arc::clone(&dir);
                        let outcome = store
                            .write(move |tx| {
                                Box::pin(async move {
                                    let entry = dir.company(company).expect("the company being seeded");
                                    booking::book(tx, entry, &request, booked_at).await
                                })
                            })
                            .await?;
                        if matches!(outcome, BookOutcome::Booked { .. }) {
                            booked += 1;
                        }
                    }
                }
            }
        }
    }
    Ok(booked)
}

/// What the function calls of a seeded call answered: most calls ask and book, some only ask,
/// some want a call back.
const CALL_SHAPES: [&[(&str, &str)]; 4] = [
    &[("initialize_call", "ready"), ("check_availability", "slots_found"), ("book_appointment", "booked")],
    &[("initialize_call", "ready"), ("get_opening_hours", "ok")],
    &[("initialize_call", "ready"), ("check_availability", "unavailable"), ("request_callback", "callback_requested")],
    &[("initialize_call", "ready"), ("check_availability", "slots_found"), ("book_appointment", "booked")],
];

/// Records `calls` finished calls spread over the days before `now` (a benchmark's volume):
/// each with its function traces and its end webhook, through the store's one write path for
/// calls, in batches.
pub async fn calls(store: &SharedStore, dir: &Directory, now: Timestamp, calls: u32) -> anyhow::Result<u32> {
    let routes: Vec<(CompanyId, BranchId, E164)> = dir
        .companies()
        .flat_map(|c| {
            c.branches
                .iter()
                .flat_map(move |b| b.def.phone_numbers.iter().map(move |n| (c.company.id, b.id, n.clone())))
        })
        .collect();
    anyhow::ensure!(!routes.is_empty(), "no branch has a phone number");
    let mut batch = Vec::new();
    for n in 0..calls {
        let (company, branch, dialled) = &routes[n as usize % routes.len()];
        let started = now - jiff::SignedDuration::from_secs(i64::from(n) * 47 + 60);
        let duration = 40 + i64::from(n % 200);
        let external = ExternalCallId::parse(&format!("load-{n:07}")).ok_or_else(|| anyhow::anyhow!("call id"))?;
        let caller = E164::parse_strict(&format!("+49151{:08}", 10_000_000 + n % 5_000)).ok();
        let facts = CallFacts {
            status: Some(CallStatus::Ended),
            from_number: caller.as_ref().map(|c| c.as_str().to_owned()),
            to_number: Some(dialled.as_str().to_owned()),
            started_at: Some(started),
            ended_at: Some(started + jiff::SignedDuration::from_secs(duration)),
            duration_ms: Some(duration * 1000),
            transcript: Some("Agent: Guten Tag.\nUser: Ich hätte gern einen Termin.".to_owned()),
            ..CallFacts::default()
        };
        let links = CallLinks { company_id: Some(*company), branch_id: Some(*branch), customer_id: None };
        let update = |at: Timestamp| CallUpdate {
            external: external.clone(),
            facts: facts.clone(),
            links,
            caller: caller.clone(),
            at,
        };
        for (i, (function, status)) in CALL_SHAPES[n as usize % CALL_SHAPES.len()].iter().enumerate() {
            let at = started + jiff::SignedDuration::from_secs(5 + 10 * i as i64);
            let trace = Trace {
                company_id: Some(*company),
                name_sent: (*function).to_owned(),
                function: Some((*function).to_owned()),
                arguments: serde_json::json!({}),
                response: serde_json::json!({"success": true, "status": status, "message": "…"}),
                status: (*status).to_owned(),
                success: true,
                replayed: false,
                duration_us: 300 + i64::from(n % 900),
                at,
            };
            batch.push(Record::Function { call: update(at), trace });
        }
        let ended = started + jiff::SignedDuration::from_secs(duration);
        let event = NewWebhookEvent {
            provider: Provider::Retell,
            event_type: "call_ended".to_owned(),
            dedupe_key: Some(format!("call_ended:{}", external.as_str())),
            external_call_id: Some(external.as_str().to_owned()),
            company_id: Some(*company),
            payload: "{}".to_owned(),
            status: WebhookStatus::Processed,
            error: None,
            at: ended,
        };
        batch.push(Record::Delivery { event, call: Some(update(ended)) });
        if batch.len() >= 2_000 {
            store.record_batch(&batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        store.record_batch(&batch).await?;
    }
    Ok(calls)
}

/// A demo customer's number: German mobile numbers, New York numbers.
fn demo_number(german: bool, who: usize) -> String {
    if german { format!("+49151{:08}", 40_000_000 + who * 1_311) } else { format!("+1212{:07}", 5_550_100 + who) }
}
