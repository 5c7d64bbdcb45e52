//! I7 for calls: a call belongs to the company of its first sighting. The store refuses a later
//! sighting through another company (also when both race), and the database refuses any row that
//! refers to a call of another company — on both backends, and for data written before the
//! composite keys existed (the migration repairs it).

use frontdesk_domain::call::{CallFacts, CallLinks, CallStatus};
use frontdesk_domain::ids::{CallId, CompanyId, ExternalCallId};
use frontdesk_store::model::{CallUpdate, Record, Recorded};
use frontdesk_store::test_support::TestDb;
use frontdesk_store::{BackendKind, SharedStore, StoreError, backend_tests};
use jiff::Timestamp;

fn update(call: &str, company: i64) -> CallUpdate {
    CallUpdate {
        external: ExternalCallId::parse(call).unwrap(),
        facts: CallFacts { status: Some(CallStatus::Ongoing), ..Default::default() },
        links: CallLinks { company_id: Some(CompanyId(company)), branch_id: None, customer_id: None },
        caller: None,
        at: Timestamp::now(),
    }
}

async fn companies(db: &TestDb) -> (i64, i64) {
    (db.scalar("SELECT MIN(id) FROM companies").await, db.scalar("SELECT MAX(id) FROM companies").await)
}

async fn record_call(store: &SharedStore, call: &str, company: i64) -> Result<CallId, StoreError> {
    match store.record(Record::Call(update(call, company))).await? {
        Recorded::Call(id) => Ok(id),
        other => panic!("a call record answered {other:?}"),
    }
}

/// An instant literal for raw SQL on either backend.
fn now(db: &TestDb) -> &'static str {
    match db.kind {
        BackendKind::Sqlite => "1773129600000000",
        BackendKind::Postgres => "now()",
    }
}

/// Inserts, by hand, one row of each kind that refers to `call`, as company `company`; the
/// database's answer for each.
async fn refer(db: &TestDb, call: i64, company: i64) -> Vec<(&'static str, Result<u64, String>)> {
    let at = now(db);
    let (yes, no) = if db.kind == BackendKind::Sqlite { ("1", "0") } else { ("true", "false") };
    let appointment = format!(
        "INSERT INTO appointments (company_id, branch_id, service_id, staff_id, customer_id, starts_at, ends_at, \
         status, source, call_id, created_at, updated_at) SELECT {company}, b.id, sv.id, st.id, cu.id, {}, \
         'cancelled', 'phone', {call}, {at}, {at} FROM branches b, services sv, staff st, customers cu \
         WHERE b.company_id = {company} AND sv.company_id = {company} AND st.company_id = {company} \
         AND cu.company_id = {company} LIMIT 1",
        ends(db)
    );
    let change = format!(
        "INSERT INTO appointment_changes (appointment_id, company_id, kind, call_id, at) \
         SELECT id, company_id, 'cancelled', {call}, {at} FROM appointments WHERE company_id = {company} LIMIT 1"
    );
    let trace = format!(
        "INSERT INTO function_traces (call_id, company_id, name_sent, arguments, response, status, success, replayed, \
         duration_us, created_at) VALUES ({call}, {company}, 'x', '{{}}', '{{}}', 'ok', {yes}, {no}, 1, {at})"
    );
    let key = format!(
        "INSERT INTO idempotency_keys (key, call_id, company_id, function, response, created_at) \
         VALUES ('k-{call}-{company}', {call}, {company}, 'book_appointment', '', {at})"
    );
    let callback = format!(
        "INSERT INTO callback_requests (company_id, call_id, status, created_at) VALUES ({company}, {call}, 'open', {at})"
    );
    let mut answers = Vec::new();
    for (table, sql) in [
        ("callback_requests", callback),
        ("function_traces", trace),
        ("idempotency_keys", key),
        ("appointments", appointment),
    ] {
        answers.push((table, db.execute(&sql).await));
    }
    // A change needs an appointment of the company to refer to; one that refers to no call is
    // always allowed, so the call is what is tested.
    let own = db
        .execute(&format!(
            "INSERT INTO appointments (company_id, branch_id, service_id, staff_id, customer_id, starts_at, ends_at, \
             status, source, created_at, updated_at) SELECT {company}, b.id, sv.id, st.id, cu.id, {}, 'cancelled', \
             'admin', {at}, {at} FROM branches b, services sv, staff st, customers cu WHERE b.company_id = {company} \
             AND sv.company_id = {company} AND st.company_id = {company} AND cu.company_id = {company} LIMIT 1",
            ends(db)
        ))
        .await;
    assert_eq!(own, Ok(1), "an appointment without a call");
    answers.push(("appointment_changes", db.execute(&change).await));
    answers
}

fn ends(db: &TestDb) -> String {
    match db.kind {
        BackendKind::Sqlite => "1773129600000000, 1773131400000000".into(),
        BackendKind::Postgres => "now(), now() + interval '30 minutes'".into(),
    }
}

/// Every table that refers to a call accepts a row of the call's company and refuses a row of
/// another company, whatever the application does.
async fn the_database_refuses_references_to_another_companys_call(db: TestDb) {
    let (store, _) = db.with_demo(Timestamp::now()).await;
    let (a, b) = companies(&db).await;
    let call = record_call(&store, "call_of_a", a).await.unwrap();
    for (table, answer) in refer(&db, call.0, a).await {
        assert_eq!(answer, Ok(1), "{table}: a row of the call's own company is accepted");
    }
    for (table, answer) in refer(&db, call.0, b).await {
        let error = answer.expect_err(&format!("{table}: a row of another company must be refused"));
        assert!(error.to_lowercase().contains("foreign key"), "{table}: {error}");
    }
}

/// A call id first seen at one company is refused at another; the call keeps its company.
async fn a_call_keeps_the_company_of_its_first_sighting(db: TestDb) {
    let (store, _) = db.with_demo(Timestamp::now()).await;
    let (a, b) = companies(&db).await;
    let call = record_call(&store, "call_shared", a).await.unwrap();
    match record_call(&store, "call_shared", b).await {
        Err(StoreError::CallOfAnotherTenant { call: Some(id), company }) => {
            assert_eq!((id, company), (call, Some(CompanyId(a))));
        }
        other => panic!("a sighting through another company must be refused, got {other:?}"),
    }
    assert_eq!(record_call(&store, "call_shared", a).await.unwrap(), call, "its own company still records");
    assert_eq!(db.scalar("SELECT company_id FROM calls WHERE external_id = 'call_shared'").await, a);
}

/// Sightings of one new call id through two companies at once: exactly one company wins, every
/// sighting of the other is refused, and nothing of the loser is linked to the call.
async fn racing_first_sightings_leave_one_company(db: TestDb) {
    let (store, _) = db.with_demo(Timestamp::now()).await;
    let (a, b) = companies(&db).await;
    for round in 0..8 {
        let call = format!("call_race_{round}");
        let mut tasks = Vec::new();
        for i in 0..16 {
            let (store, call) = (store.clone(), call.clone());
            let company = if i % 2 == 0 { a } else { b };
            tasks.push(tokio::spawn(async move { (company, record_call(&store, &call, company).await) }));
        }
        let mut accepted = std::collections::HashSet::new();
        for task in tasks {
            match task.await.unwrap() {
                (company, Ok(_)) => {
                    accepted.insert(company);
                }
                (_, Err(StoreError::CallOfAnotherTenant { .. })) => {}
                (_, Err(other)) => panic!("unexpected error {other}"),
            }
        }
        assert_eq!(accepted.len(), 1, "round {round}: one company only, got {accepted:?}");
        let owner = db.scalar(&format!("SELECT company_id FROM calls WHERE external_id = '{call}'")).await;
        assert!(accepted.contains(&owner), "round {round}");
    }
}

/// Rows an earlier version linked to another company's call are repaired by the migration that
/// brings the composite keys, instead of failing it.
async fn the_migration_repairs_references_across_companies(db: TestDb) {
    let store = db.open_at_version(3).await;
    // The tenants as a version-3 database held them: this import writes no customers (their
    // columns have grown since); they follow once the database is current.
    let demo = frontdesk_domain::tenant_file::DEMO_TENANTS;
    let without_customers: String =
        demo.split("[[company").filter(|part| !part.starts_with(".customer]]")).collect::<Vec<_>>().join("[[company");
    let spec = frontdesk_domain::tenant_file::parse(&without_customers).unwrap();
    // Today's import also writes columns added later (migration 0011): lent for the import only.
    let later = [("companies", "notifications TEXT NOT NULL DEFAULT '{}'"), ("branches", "email TEXT")];
    for (table, column) in later {
        db.execute(&format!("ALTER TABLE {table} ADD COLUMN {column}")).await.unwrap();
    }
    store.import_tenants(&spec, Timestamp::now()).await.unwrap();
    for (table, column) in later {
        let name = column.split(' ').next().unwrap();
        db.execute(&format!("ALTER TABLE {table} DROP COLUMN {name}")).await.unwrap();
    }
    let (a, b) = companies(&db).await;
    let at = now(&db);
    db.execute(&format!(
        "INSERT INTO calls (external_id, company_id, status, first_seen_at, last_event_at) \
         VALUES ('call_of_b', {b}, 'ongoing', {at}, {at})"
    ))
    .await
    .unwrap();
    let call = db.scalar("SELECT id FROM calls WHERE external_id = 'call_of_b'").await;
    // What the old version could write: company A's rows pointing at company B's call.
    let old = format!(
        "INSERT INTO callback_requests (company_id, call_id, status, created_at) VALUES ({a}, {call}, 'open', {at})"
    );
    assert_eq!(db.execute(&old).await, Ok(1));
    drop(store);
    let store = db.open().await;
    let spec = frontdesk_domain::tenant_file::parse(demo).unwrap();
    store.import_tenants(&spec, Timestamp::now()).await.unwrap();
    assert_eq!(db.scalar("SELECT COUNT(*) FROM callback_requests WHERE call_id IS NULL").await, 1);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM callback_requests").await, 1, "the request itself is kept");
    let refused = refer(&db, call, a).await;
    assert!(refused.iter().all(|(_, answer)| answer.is_err()), "{refused:?}");
}

backend_tests!(
    the_database_refuses_references_to_another_companys_call,
    a_call_keeps_the_company_of_its_first_sighting,
    racing_first_sightings_leave_one_company,
    the_migration_repairs_references_across_companies,
);
