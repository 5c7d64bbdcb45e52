use frontdesk_domain::access::Scope;
use std::sync::Arc;

use frontdesk_domain::availability::{Engine, Slot};
use frontdesk_domain::directory::{CompanyEntry, Directory};
use frontdesk_domain::ids::{AppointmentId, CompanyId, CustomerId};
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::{AppointmentSource, AppointmentStatus, CallbackStatus, Segment};
use frontdesk_domain::time::TimeRange;
use frontdesk_store::model::{
    AppointmentFilter, CallbackChange, CallbackFilter, Cancellation, CustomerFilter, NewAppointment, NewCallback,
    NewCustomer, PageRequest, SlotTaken,
};
use frontdesk_store::test_support::TestDb;
use frontdesk_store::{SharedStore, backend_tests};
use jiff::{SignedDuration, Timestamp};

fn now() -> Timestamp {
    "2026-03-09T08:00:00Z".parse().unwrap()
}

/// Tuesday 2026-03-10 at `h:m` in Berlin.
fn tuesday(h: i64, m: i64) -> Timestamp {
    "2026-03-10T00:00:00+01:00[Europe/Berlin]".parse::<jiff::Zoned>().unwrap().timestamp()
        + SignedDuration::from_mins(h * 60 + m)
}

async fn setup(db: &TestDb) -> (SharedStore, Arc<Directory>) {
    db.with_demo(now()).await
}

fn friseur(dir: &Directory) -> &CompanyEntry {
    dir.company_by_key("friseur1").unwrap()
}

/// A one-segment slot for Anna of `minutes` from `start`.
fn simple_slot(dir: &Directory, start: Timestamp, minutes: u32) -> Slot {
    let f = friseur(dir);
    let anna = f.staff.iter().find(|s| s.def.key.as_str() == "anna").unwrap();
    let range = TimeRange::starting_at(start, minutes).unwrap();
    Slot {
        start,
        end: range.end(),
        staff_id: anna.id,
        segments: vec![Segment { name: "Test".into(), range, staff_busy: true, block: Some(range) }],
    }
}

/// The engine's slot for a service by Anna at `start` (unchecked).
fn service_slot(dir: &Directory, service: &str, start: Timestamp) -> Slot {
    let f = friseur(dir);
    let svc = f.services.iter().find(|s| s.def.key.as_str() == service).unwrap();
    let anna = f.staff.iter().find(|s| s.def.key.as_str() == "anna").unwrap();
    Engine::new(f, &f.branches[0], svc, now()).slot(start, anna.id)
}

async fn customer(store: &SharedStore, company: CompanyId, phone: Option<&str>) -> CustomerId {
    let mut tx = store.begin().await.unwrap();
    let new = NewCustomer {
        name: Some("Test Kunde".into()),
        salutation: None,
        phone: phone.map(|p| E164::parse_strict(p).unwrap()),
        email: None,
    };
    let c = tx.upsert_customer(company, &new, now()).await.unwrap();
    tx.commit().await.unwrap();
    c.id
}

async fn book(
    store: &SharedStore,
    dir: &Directory,
    customer: CustomerId,
    service: &str,
    slot: &Slot,
) -> Result<AppointmentId, SlotTaken> {
    let f = friseur(dir);
    let svc = f.services.iter().find(|s| s.def.key.as_str() == service).unwrap();
    let mut tx = store.begin().await.unwrap();
    let outcome = tx
        .book(&NewAppointment {
            company_id: f.company.id,
            branch_id: f.branches[0].id,
            service_id: svc.id,
            customer_id: customer,
            slot,
            source: AppointmentSource::Phone,
            call_id: None,
            notes: None,
            at: now(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    outcome.map(|a| a.id)
}

/// A deterministic pseudo-random sequence, so a failure can be replayed.
fn lcg(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |bound| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % bound
    }
}

/// I1: 64 concurrent bookings of randomly overlapping intervals for one staff member.
async fn no_double_booking_under_concurrency(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let who = customer(&store, friseur(&dir).company.id, Some("+491701234567")).await;
    let mut random = lcg(7);
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let slot = simple_slot(
            &dir,
            tuesday(10, 0) + SignedDuration::from_mins(5 * random(48) as i64),
            15 + 5 * random(10) as u32,
        );
        let (store, dir) = (store.clone(), dir.clone());
        tasks.push(tokio::spawn(async move { book(&store, &dir, who, "herrenhaarschnitt", &slot).await }));
    }
    let mut booked = 0;
    for t in tasks {
        // Every task gets an answer: a booking or "slot taken", never an error.
        if t.await.unwrap().is_ok() {
            booked += 1;
        }
    }
    assert!(booked >= 4, "some bookings must succeed ({booked})");
    assert!(booked < 64, "overlapping requests cannot all succeed");
    assert_eq!(db.overlapping_segments().await, 0);
    let stored = db.scalar("SELECT COUNT(*) FROM appointments WHERE status = 'booked'").await;
    assert_eq!(stored, booked);
}

/// I1 for composite services: the processing gaps may be filled, the busy parts never overlap.
async fn no_double_booking_of_composite_services(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let who = customer(&store, friseur(&dir).company.id, None).await;
    let mut random = lcg(11);
    let mut tasks = Vec::new();
    for i in 0..64 {
        let service = if i % 2 == 0 { "faerben" } else { "kinderhaarschnitt" };
        let slot = service_slot(&dir, service, tuesday(9, 0) + SignedDuration::from_mins(5 * random(72) as i64));
        let (store, dir) = (store.clone(), dir.clone());
        tasks.push(tokio::spawn(async move { book(&store, &dir, who, service, &slot).await.is_ok() }));
    }
    let mut booked = 0;
    for t in tasks {
        booked += i64::from(t.await.unwrap());
    }
    assert!(booked >= 3, "some bookings must succeed ({booked})");
    assert_eq!(db.overlapping_segments().await, 0);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM appointments").await, booked);
}

/// The processing gap of a colouring can be booked by another customer, deterministically.
async fn a_processing_gap_can_be_booked(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let company = friseur(&dir).company.id;
    let a = customer(&store, company, Some("+491701111111")).await;
    let b = customer(&store, company, Some("+491702222222")).await;
    assert!(book(&store, &dir, a, "faerben", &service_slot(&dir, "faerben", tuesday(10, 0))).await.is_ok());
    let kids = service_slot(&dir, "kinderhaarschnitt", tuesday(10, 30));
    assert!(book(&store, &dir, b, "kinderhaarschnitt", &kids).await.is_ok(), "10:30-10:50 is processing time");
    let clash = service_slot(&dir, "kinderhaarschnitt", tuesday(10, 45));
    assert_eq!(book(&store, &dir, b, "kinderhaarschnitt", &clash).await, Err(SlotTaken), "10:45-11:05 hits the wash");
    assert_eq!(db.overlapping_segments().await, 0);
}

/// I1 does not depend on the store's own check: a raw write of an overlapping segment is refused
/// by the database (trigger on SQLite, exclusion constraint on PostgreSQL), and a non-overlapping
/// or inactive one is not.
async fn the_database_itself_refuses_overlaps(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let who = customer(&store, friseur(&dir).company.id, None).await;
    let id = book(&store, &dir, who, "herrenhaarschnitt", &simple_slot(&dir, tuesday(10, 0), 30)).await.unwrap();
    let (from, until) = match db.kind {
        frontdesk_store::BackendKind::Sqlite => {
            (tuesday(10, 15).as_microsecond().to_string(), tuesday(10, 45).as_microsecond().to_string())
        }
        frontdesk_store::BackendKind::Postgres => (format!("'{}'", tuesday(10, 15)), format!("'{}'", tuesday(10, 45))),
    };
    let insert = |position: i64, active: bool| {
        format!(
            "INSERT INTO appointment_segments (appointment_id, company_id, staff_id, position, name, starts_at, ends_at,
                staff_busy, blocks_from, blocks_until, active)
             SELECT id, company_id, staff_id, {position}, 'raw', {from}, {until}, TRUE, {from}, {until}, {active}
               FROM appointments WHERE id = {}",
            id.0
        )
    };
    let refused = db.execute(&insert(5, true)).await.unwrap_err();
    assert!(refused.contains("slot taken") || refused.contains("segments_no_overlap"), "{refused}");
    assert_eq!(db.execute(&insert(6, false)).await, Ok(1), "inactive segments do not block");
    assert_eq!(db.overlapping_segments().await, 0);
}

/// I2: 32 concurrent first contacts from one new number create one customer.
async fn one_customer_per_phone_under_concurrency(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let company = friseur(&dir).company.id;
    let mut tasks = Vec::new();
    for i in 0..32 {
        let (store, dir) = (store.clone(), dir.clone());
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            let new = NewCustomer {
                name: Some(format!("Anrufer {i}")),
                salutation: None,
                phone: Some(E164::parse_strict("+4915799999999").unwrap()),
                email: None,
            };
            let c = tx.upsert_customer(company, &new, now()).await.unwrap();
            // Each first contact also books, at its own time, in the same transaction.
            let slot = simple_slot(&dir, tuesday(9, 0) + SignedDuration::from_mins(15 * i), 15);
            let f = friseur(&dir);
            let booked = tx
                .book(&NewAppointment {
                    company_id: company,
                    branch_id: f.branches[0].id,
                    service_id: f.services[0].id,
                    customer_id: c.id,
                    slot: &slot,
                    source: AppointmentSource::Phone,
                    call_id: None,
                    notes: None,
                    at: now(),
                })
                .await
                .unwrap();
            tx.commit().await.unwrap();
            (c.id, booked.is_ok())
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let (id, booked) = t.await.unwrap();
        assert!(booked);
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every task saw the same customer");
    assert_eq!(db.scalar("SELECT COUNT(*) FROM customers WHERE phone = '+4915799999999'").await, 1);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM appointments").await, 32);
}

async fn a_known_customer_keeps_their_name(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let company = friseur(&dir).company.id;
    let mut tx = store.begin().await.unwrap();
    let hans = E164::parse_strict("+491604366218").unwrap();
    let new =
        NewCustomer { name: Some("Jemand Anders".into()), salutation: None, phone: Some(hans.clone()), email: None };
    let c = tx.upsert_customer(company, &new, now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(c.name.as_deref(), Some("Hans Müller"));
    let found = store.customer_by_phone(company, &hans).await.unwrap().unwrap();
    assert_eq!(found.id, c.id);
    // Tenant isolation: the same number is nobody at the other company.
    let smile = dir.company_by_key("brightsmile").unwrap().company.id;
    assert!(store.customer_by_phone(smile, &hans).await.unwrap().is_none());
}

async fn cancelling_frees_the_time(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let company = friseur(&dir).company.id;
    let who = customer(&store, company, Some("+491703333333")).await;
    let slot = simple_slot(&dir, tuesday(11, 0), 30);
    let id = book(&store, &dir, who, "herrenhaarschnitt", &slot).await.unwrap();
    assert_eq!(book(&store, &dir, who, "herrenhaarschnitt", &slot).await, Err(SlotTaken));

    let mut tx = store.begin().await.unwrap();
    let locked = tx.lock_appointment(company, id).await.unwrap().unwrap();
    assert_eq!(locked.status, AppointmentStatus::Booked);
    tx.lock_customer(company, who).await.unwrap();
    let change = Cancellation { at: now(), reason: Some("krank".into()), fee: None, call_id: None };
    let cancelled = tx.cancel(company, id, &change).await.unwrap();
    assert_eq!(tx.count_cancellations(company, who, now() - SignedDuration::from_hours(1)).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    assert_eq!(cancelled.cancelled_at, Some(now()));

    assert!(book(&store, &dir, who, "herrenhaarschnitt", &slot).await.is_ok(), "the time is free again");
    // Cancelling twice finds nothing to cancel.
    let mut tx = store.begin().await.unwrap();
    assert!(tx.cancel(company, id, &change).await.is_err());
    tx.rollback().await.unwrap();
}

async fn rescheduling_is_atomic(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let company = friseur(&dir).company.id;
    let who = customer(&store, company, Some("+491704444444")).await;
    let a = book(&store, &dir, who, "herrenhaarschnitt", &simple_slot(&dir, tuesday(10, 0), 30)).await.unwrap();
    book(&store, &dir, who, "herrenhaarschnitt", &simple_slot(&dir, tuesday(11, 0), 30)).await.unwrap();

    // Onto the other appointment: refused, and nothing changed.
    let mut tx = store.begin().await.unwrap();
    let refused = tx.reschedule(company, a, &simple_slot(&dir, tuesday(11, 0), 30), now(), None).await.unwrap();
    assert_eq!(refused, Err(SlotTaken));
    tx.commit().await.unwrap();
    let unchanged = store.appointment(company, a).await.unwrap().unwrap();
    assert_eq!(unchanged.range.start(), tuesday(10, 0));
    assert_eq!(unchanged.segments.len(), 1);
    assert_eq!(unchanged.reschedule_count, 0);

    // By a quarter of an hour, overlapping its own old time: fine.
    let mut tx = store.begin().await.unwrap();
    let moved = tx.reschedule(company, a, &simple_slot(&dir, tuesday(10, 15), 30), now(), None).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(moved.id, a);
    assert_eq!(moved.range.start(), tuesday(10, 15));
    assert_eq!(moved.reschedule_count, 1);
    assert_eq!(db.overlapping_segments().await, 0);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM appointment_changes WHERE kind = 'rescheduled'").await, 1);
    // The new time is held, the freed quarter of the old time is free.
    assert!(book(&store, &dir, who, "kinderhaarschnitt", &simple_slot(&dir, tuesday(10, 30), 15)).await.is_err());
    assert!(book(&store, &dir, who, "kinderhaarschnitt", &simple_slot(&dir, tuesday(10, 0), 15)).await.is_ok());
}

async fn busy_times_cover_a_window(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let company = friseur(&dir).company.id;
    let who = customer(&store, company, None).await;
    let slot = service_slot(&dir, "faerben", tuesday(10, 0));
    let booked = book(&store, &dir, who, "faerben", &slot).await.unwrap();
    let window = TimeRange::new(tuesday(0, 0), tuesday(24, 0)).unwrap();
    let busy = store.busy_times(company, window).await.unwrap();
    assert_eq!(busy.len(), 2, "two busy segments, the processing time is free");
    // Exactly what was booked comes back: staff, the blocks and the appointment (SQLite reads
    // it packed into one value, PostgreSQL row by row).
    let mut got: Vec<_> = busy.iter().map(|b| (b.staff_id, b.range, b.appointment_id)).collect();
    got.sort_by_key(|(_, range, _)| range.start());
    let expected: Vec<_> = slot.blocks().map(|range| (slot.staff_id, range, Some(booked))).collect();
    assert_eq!(got, expected);
    // A booking made directly in Cal.com blocks time without an appointment.
    let bert = friseur(&dir).staff.iter().find(|s| s.def.key.as_str() != "anna").unwrap().id;
    let held = TimeRange::new(tuesday(15, 0), tuesday(16, 0)).unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.upsert_busy_block(company, bert, held, "calcom-uid-1", now()).await.unwrap();
    tx.commit().await.unwrap();
    let busy = store.busy_times(company, window).await.unwrap();
    let block: Vec<_> = busy.iter().filter(|b| b.appointment_id.is_none()).map(|b| (b.staff_id, b.range)).collect();
    assert_eq!(block, vec![(bert, held)]);
    let other = dir.company_by_key("brightsmile").unwrap().company.id;
    assert!(store.busy_times(other, window).await.unwrap().is_empty(), "tenant isolation");
    let outside = TimeRange::new(tuesday(12, 0), tuesday(13, 0)).unwrap();
    assert!(store.busy_times(company, outside).await.unwrap().is_empty());
}

async fn lists_page_through_everything(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let company = friseur(&dir).company.id;
    let who = customer(&store, company, Some("+491705555555")).await;
    for i in 0..7 {
        book(
            &store,
            &dir,
            who,
            "herrenhaarschnitt",
            &simple_slot(&dir, tuesday(9, 0) + SignedDuration::from_mins(30 * i), 30),
        )
        .await
        .unwrap();
    }
    let filter = AppointmentFilter { company: Some(company), ..Default::default() };
    let mut page = PageRequest::first(3);
    let mut seen = Vec::new();
    loop {
        let result = store.list_appointments(Scope::Platform, &filter, &page).await.unwrap();
        seen.extend(result.items.iter().map(|a| a.range.start()));
        match result.next_cursor {
            Some(c) => page.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "ordered by start");
    let other =
        AppointmentFilter { company: dir.company_by_key("brightsmile").map(|c| c.company.id), ..Default::default() };
    assert!(store.list_appointments(Scope::Platform, &other, &PageRequest::default()).await.unwrap().items.is_empty());
    assert!(
        store
            .list_appointments(Scope::Platform, &filter, &PageRequest { limit: 3, cursor: Some("nonsense".into()) })
            .await
            .is_err()
    );

    let customers = store
        .list_customers(
            Scope::Platform,
            &CustomerFilter { company: Some(company), ..CustomerFilter::default() },
            &PageRequest::first(1),
        )
        .await
        .unwrap();
    assert_eq!(customers.items.len(), 1);
    assert!(customers.next_cursor.is_some(), "the demo's two customers and ours");
}

async fn callback_requests(db: TestDb) {
    let (store, dir) = setup(&db).await;
    let company = friseur(&dir).company.id;
    let mut tx = store.begin().await.unwrap();
    let cb = tx
        .insert_callback(&NewCallback {
            company_id: company,
            branch_id: Some(friseur(&dir).branches[0].id),
            call_id: None,
            customer_id: None,
            name: Some("Petra".into()),
            phone: Some(E164::parse_strict("+491706666666").unwrap()),
            reason: Some("Termin absagen".into()),
            preferred_time: Some("nachmittags".into()),
            at: now(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let open = CallbackFilter { company: Some(company), status: Some(CallbackStatus::Open), customer: None };
    assert_eq!(
        store.list_callbacks(Scope::Platform, &open, &PageRequest::default()).await.unwrap().items,
        vec![cb.clone()]
    );
    let mut tx = store.begin().await.unwrap();
    let done = CallbackChange::Done { note: Some("Termin verschoben".into()) };
    let (before, after) = tx.update_callback(company, cb.id, &done, now()).await.unwrap().unwrap();
    assert_eq!((before.status, after.status), (CallbackStatus::Open, CallbackStatus::Done));
    assert_eq!(after.done_note.as_deref(), Some("Termin verschoben"));
    let other = dir.company_by_key("brightsmile").unwrap().company.id;
    assert!(tx.update_callback(other, cb.id, &CallbackChange::Reopen, now()).await.unwrap().is_none(), "not theirs");
    tx.commit().await.unwrap();
    assert!(store.list_callbacks(Scope::Platform, &open, &PageRequest::default()).await.unwrap().items.is_empty());
    assert!(
        store
            .list_callbacks(Scope::Company(other), &CallbackFilter::default(), &PageRequest::default())
            .await
            .unwrap()
            .items
            .is_empty(),
        "another company's scope sees nothing"
    );
    assert!(
        store
            .list_callbacks(
                Scope::Company(other),
                &CallbackFilter { company: Some(company), status: None, customer: None },
                &PageRequest::default()
            )
            .await
            .is_err(),
        "asking for another company within a company scope is refused"
    );
    let mut tx = store.begin().await.unwrap();
    let (_, reopened) = tx.update_callback(company, cb.id, &CallbackChange::Reopen, now()).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!((reopened.status, reopened.done_note), (CallbackStatus::Open, None));
}

backend_tests!(
    the_database_itself_refuses_overlaps,
    no_double_booking_under_concurrency,
    no_double_booking_of_composite_services,
    a_processing_gap_can_be_booked,
    one_customer_per_phone_under_concurrency,
    a_known_customer_keeps_their_name,
    cancelling_frees_the_time,
    rescheduling_is_atomic,
    busy_times_cover_a_window,
    lists_page_through_everything,
    callback_requests,
);
