//! What `serve --demo` puts in a fresh database so that the dashboard has something to show: the
//! demo operator logins and a week ahead of appointments booked by the team (the command then
//! plays a few simulated phone calls through the real endpoints). The browser tests seed the
//! same way, so they check the dashboard against what a newcomer sees.

use std::sync::Arc;

use frontdesk_domain::access::Role;
use frontdesk_domain::directory::Directory;
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::AppointmentSource;
use crate::booking::{self, BookOutcome, BookRequest};
use frontdesk_store::SharedStore;
use frontdesk_store::model::{NewCustomer, NewUser};
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
        let new = NewUser {
            company_id,
            email: email.to_owned(),
            name: None,
            role,
            password_hash: hash.clone(),
        };
        store.write(move |tx| Box::pin(async move { tx.create_user(&new, Timestamp::now()).await.map(|_| ()) })).await?;
    }
    Ok(())
}

const GERMAN_NAMES: [&str; 16] = [
    "Julia Becker", "Thomas Wagner", "Laura Hoffmann", "Stefan Schulz", "Katrin Fischer", "Markus Braun",
    "Nina Zimmermann", "Jan Richter", "Sophie Klein", "Florian Wolf", "Miriam Neumann", "Tobias Schröder",
    "Eva Lange", "David Krüger", "Carla Hartmann", "Paul Meier",
];

const ENGLISH_NAMES: [&str; 16] = [
    "Emily Carter", "James Miller", "Olivia Brooks", "Daniel Hughes", "Grace Foster", "Michael Reed",
    "Chloe Bennett", "Ryan Cooper", "Hannah Price", "Lucas Ward", "Ava Sullivan", "Noah Griffin",
    "Mia Russell", "Ethan Hayes", "Zoe Porter", "Caleb Jenkins",
];

/// Books a week ahead of the team's appointments at every branch: each staff member gets a few
/// appointments a day at times the engine accepts, for the company's demo customers.
pub async fn week(store: &SharedStore, dir: Arc<Directory>, now: Timestamp) -> anyhow::Result<u32> {
    let mut booked = 0;
    let mut turn: u64 = 7;
    for entry in Arc::clone(&dir).companies() {
        let german = entry.company.def.locale.language() == frontdesk_domain::locale::Language::De;
        let names = if german { GERMAN_NAMES } else { ENGLISH_NAMES };
        let region = entry.company.def.locale.phone_region().to_owned();
        for branch in &entry.branches {
            let tz = branch.def.time_zone.clone();
            let today = now.to_zoned(tz.clone()).date();
            for offset in 0..7 {
                let date = today.checked_add(offset.days())?;
                for staff in entry.staff.iter().filter(|s| s.branch_id == branch.id) {
                    let services: Vec<_> = entry.services.iter().filter(|s| staff.performs(s.id)).collect();
                    if services.is_empty() {
                        continue;
                    }
                    // Half-hourly candidate times; roughly every third is tried.
                    for half_hour in 16..40 {
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
                                    booking::book(tx, entry, &request, now).await
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

/// A demo customer's number: German mobile numbers, New York numbers.
fn demo_number(german: bool, who: usize) -> String {
    if german { format!("+49151{:08}", 40_000_000 + who * 1_311) } else { format!("+1212{:07}", 5_550_100 + who) }
}
