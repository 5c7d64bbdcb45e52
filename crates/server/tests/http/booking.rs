//! The booking service (book, cancel, reschedule with the demo tenants' policies) against a real
//! database. The Retell functions and the admin API are thin layers over it.

use std::sync::Arc;

use frontdesk_domain::availability::Refusal;
use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::ids::AppointmentId;
use frontdesk_domain::money::Cents;
use frontdesk_domain::phone::E164;
use frontdesk_domain::policy::DenialReason;
use frontdesk_domain::records::{Appointment, AppointmentSource};
use frontdesk_server::booking::{
    self, Authority, BookOutcome, BookRequest, CancelOutcome, CancelRequest, RescheduleOutcome, RescheduleRequest,
};
use frontdesk_store::SharedStore;
use frontdesk_store::backend_tests;
use frontdesk_store::model::NewCustomer;
use frontdesk_store::test_support::TestDb;
use jiff::{Timestamp, Zoned};

fn berlin(s: &str) -> Timestamp {
    format!("{s}[Europe/Berlin]").parse::<Zoned>().unwrap().timestamp()
}

async fn setup(db: &TestDb) -> (SharedStore, Arc<Directory>) {
    db.with_demo(Timestamp::now()).await
}

fn request(company: &CompanyEntry, service: &str, start: Timestamp, phone: &str) -> BookRequest {
    BookRequest {
        branch: company.branches[0].id,
        service: company.services.iter().find(|s| s.def.key.as_str() == service).unwrap().id,
        staff: None,
        start,
        customer: NewCustomer {
            name: Some("Test".into()),
            salutation: None,
            phone: Some(E164::parse_strict(phone).unwrap()),
            email: None,
        },
        source: AppointmentSource::Phone,
        call_id: None,
        notes: None,
        window: None,
        another_person: false,
    }
}

async fn book(store: &SharedStore, company: &CompanyEntry, req: &BookRequest, now: Timestamp) -> BookOutcome {
    let mut tx = store.begin().await.unwrap();
    let outcome = booking::book(tx.as_mut(), company, req, now).await.unwrap();
    tx.commit().await.unwrap();
    outcome
}

async fn booked(store: &SharedStore, company: &CompanyEntry, req: &BookRequest, now: Timestamp) -> Appointment {
    match book(store, company, req, now).await {
        BookOutcome::Booked { appointment, .. } => *appointment,
        other => panic!("not booked: {other:?}"),
    }
}

async fn cancel(
    store: &SharedStore,
    company: &CompanyEntry,
    id: AppointmentId,
    fee_accepted: bool,
    now: Timestamp,
) -> CancelOutcome {
    let mut tx = store.begin().await.unwrap();
    let request = CancelRequest { id, reason: None, fee_accepted, call_id: None, authority: Authority::Caller };
    let outcome = booking::cancel(tx.as_mut(), company, request, |_| true, now).await.unwrap();
    tx.commit().await.unwrap();
    outcome
}

async fn reschedule(
    store: &SharedStore,
    company: &CompanyEntry,
    id: AppointmentId,
    to: Timestamp,
    now: Timestamp,
) -> RescheduleOutcome {
    let mut tx = store.begin().await.unwrap();
    let request =
        RescheduleRequest { id, new_start: to, window: None, call_id: None, authority: Authority::Caller, staff: None };
    let outcome = booking::reschedule(tx.as_mut(), company, request, |_| true, now).await.unwrap();
    tx.commit().await.unwrap();
    outcome
}

async fn late_cancellations_quote_the_fee(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let f = dir.company_by_key("friseur1").unwrap();
    let now = berlin("2026-03-09T08:00");
    let a = booked(&store, f, &request(f, "herrenhaarschnitt", berlin("2026-03-10T10:00"), "+491701000001"), now).await;
    // 24 hours before is the deadline: at 10:30 the day before it is late.
    let late = berlin("2026-03-09T10:30");
    match cancel(&store, f, a.id, false, late).await {
        CancelOutcome::Denied { reason, fee, .. } => {
            assert_eq!(reason, DenialReason::DeadlineMissed);
            assert_eq!(fee, Some(Cents(1500)));
        }
        other => panic!("{other:?}"),
    }
    match cancel(&store, f, a.id, true, late).await {
        CancelOutcome::Cancelled { appointment, fee, .. } => {
            assert_eq!(fee, Some(Cents(1500)));
            assert_eq!(appointment.cancellation_fee, Some(Cents(1500)));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(cancel(&store, f, a.id, false, late).await, CancelOutcome::NotFound), "already cancelled");
}

async fn the_monthly_quota_is_enforced(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let smile = dir.company_by_key("brightsmile").unwrap(); // 2 per month, 48 hours notice
    let now = "2026-03-02T13:00:00Z".parse().unwrap();
    let mut ids = Vec::new();
    for day in 9..12 {
        let start = format!("2026-03-{day:02}T10:00:00[America/New_York]").parse::<Zoned>().unwrap().timestamp();
        ids.push(booked(&store, smile, &request(smile, "consultation", start, "+12125550155"), now).await.id);
    }
    assert!(matches!(cancel(&store, smile, ids[0], false, now).await, CancelOutcome::Cancelled { fee: None, .. }));
    assert!(matches!(cancel(&store, smile, ids[1], false, now).await, CancelOutcome::Cancelled { .. }));
    match cancel(&store, smile, ids[2], false, now).await {
        CancelOutcome::Denied { reason: DenialReason::QuotaExceeded, .. } => {}
        other => panic!("{other:?}"),
    }
}

async fn rescheduling_follows_policy_and_availability(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let f = dir.company_by_key("friseur1").unwrap(); // 12 hours notice, at most 2 moves
    let now = berlin("2026-03-09T08:00");
    let a = booked(&store, f, &request(f, "herrenhaarschnitt", berlin("2026-03-11T10:00"), "+491701000002"), now).await;
    let other =
        booked(&store, f, &request(f, "herrenhaarschnitt", berlin("2026-03-11T11:00"), "+491701000003"), now).await;
    assert_ne!(other.staff_id, a.staff_id, "the second booking goes to the stylist with fewer bookings that day");

    match reschedule(&store, f, a.id, berlin("2026-03-11T10:15"), now).await {
        RescheduleOutcome::Rescheduled { appointment, previous_start, .. } => {
            assert_eq!(appointment.id, a.id);
            assert_eq!(previous_start, berlin("2026-03-11T10:00"));
            assert_eq!(appointment.staff_id, a.staff_id, "the same stylist is preferred");
        }
        other => panic!("{other:?}"),
    }
    // To the other appointment's time: its stylist is busy, this one is free.
    match reschedule(&store, f, a.id, berlin("2026-03-11T11:00"), now).await {
        RescheduleOutcome::Rescheduled { appointment, .. } => assert_eq!(appointment.staff_id, a.staff_id),
        other => panic!("{other:?}"),
    }
    match reschedule(&store, f, a.id, berlin("2026-03-12T10:00"), now).await {
        RescheduleOutcome::Denied { reason: DenialReason::MaxReschedulesReached, .. } => {}
        other => panic!("{other:?}"),
    }
    // Too close to the start for the other appointment.
    match reschedule(&store, f, other.id, berlin("2026-03-12T10:00"), berlin("2026-03-11T00:00")).await {
        RescheduleOutcome::Denied { reason: DenialReason::DeadlineMissed, .. } => {}
        other => panic!("{other:?}"),
    }
    // A closed day: no move, nearest alternatives.
    match reschedule(&store, f, other.id, berlin("2026-03-16T10:00"), now).await {
        RescheduleOutcome::Unavailable { refusal: Refusal::Closed, alternatives } => assert_eq!(alternatives.len(), 3),
        other => panic!("{other:?}"),
    }
    assert_eq!(db.overlapping_segments().await, 0);
}

async fn only_the_owner_may_cancel(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let f = dir.company_by_key("friseur1").unwrap();
    let now = berlin("2026-03-09T08:00");
    let a = booked(&store, f, &request(f, "herrenhaarschnitt", berlin("2026-03-12T10:00"), "+491701000004"), now).await;
    let mut tx = store.begin().await.unwrap();
    let request =
        CancelRequest { id: a.id, reason: None, fee_accepted: false, call_id: None, authority: Authority::Caller };
    let outcome = booking::cancel(tx.as_mut(), f, request, |_| false, now).await.unwrap();
    tx.commit().await.unwrap();
    assert!(matches!(outcome, CancelOutcome::NotFound));
    // Another tenant cannot even see it.
    let smile = dir.company_by_key("brightsmile").unwrap();
    assert!(matches!(cancel(&store, smile, a.id, false, now).await, CancelOutcome::NotFound));
    assert!(store.appointment(f.company.id, a.id).await.unwrap().is_some());
}

/// A slot lost to a concurrent writer is decided again with fresh busy time. Three callers ask
/// for the same men's haircut at once, with no preference: the engine gives each the stylist with
/// the fewest bookings — the same one — so on PostgreSQL, where transactions run in parallel, all
/// but one lose the race in the database. Deciding again puts the second on the other stylist;
/// only the third finds nobody free and gets alternatives. (On SQLite the writer runs one
/// transaction at a time, so the same outcome comes without a race.)
async fn a_booking_that_loses_a_race_is_decided_again(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let now = berlin("2026-03-09T08:00");
    for (round, start) in
        ["2026-03-10T13:00", "2026-03-10T15:00", "2026-03-11T10:00", "2026-03-11T11:00"].into_iter().enumerate()
    {
        let barrier = Arc::new(tokio::sync::Barrier::new(3));
        let mut tasks = Vec::new();
        for caller in 0..3 {
            let (store, dir, barrier) = (store.clone(), dir.clone(), barrier.clone());
            let phone = format!("+4917010{round:02}{caller:03}");
            tasks.push(tokio::spawn(async move {
                let f = dir.company_by_key("friseur1").unwrap();
                let req = request(f, "herrenhaarschnitt", berlin(start), &phone);
                barrier.wait().await;
                let dir = dir.clone();
                store
                    .write(move |tx| {
                        Box::pin(async move {
                            let f = dir.company_by_key("friseur1").unwrap();
                            booking::book(tx, f, &req, now).await
                        })
                    })
                    .await
                    .unwrap()
            }));
        }
        let mut staff = Vec::new();
        let mut refused = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                BookOutcome::Booked { appointment, .. } => staff.push(appointment.staff_id),
                BookOutcome::Unavailable { refusal, alternatives } => refused.push((refusal, alternatives)),
                BookOutcome::AlreadyBooked { .. } => panic!("three different callers"),
            }
        }
        staff.sort();
        staff.dedup();
        assert_eq!(staff.len(), 2, "{start}: both stylists booked, {refused:?}");
        assert_eq!(refused.len(), 1, "{start}");
        let (refusal, alternatives) = &refused[0];
        assert_eq!(*refusal, Refusal::Taken);
        assert_eq!(alternatives.len(), 3, "{start}: the one left over is offered other times");
        assert!(alternatives.iter().all(|a| a.start != berlin(start)));
    }
    assert_eq!(db.overlapping_segments().await, 0);
}

backend_tests!(
    late_cancellations_quote_the_fee,
    the_monthly_quota_is_enforced,
    rescheduling_follows_policy_and_availability,
    only_the_owner_may_cancel,
    a_booking_that_loses_a_race_is_decided_again,
);
