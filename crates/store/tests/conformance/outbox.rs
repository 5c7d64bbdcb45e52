use frontdesk_domain::access::Scope;
use std::collections::HashSet;

use frontdesk_domain::ids::{AppointmentId, CompanyId};
use frontdesk_domain::records::{AppointmentSource, OutboxKind, OutboxStatus};
use frontdesk_domain::tenant_file::{self, DEMO_TENANTS};
use frontdesk_store::SharedStore;
use frontdesk_store::backend_tests;
use frontdesk_store::model::{
    JobClaim, JobOutcome, NewAppointment, NewCustomer, NewOutboxJob, OutboxFilter, PageRequest,
};
use frontdesk_store::test_support::TestDb;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

pub(crate) fn t0() -> Timestamp {
    "2026-03-09T08:00:00Z".parse().unwrap()
}

/// Books `n` appointments (one per hour on Tuesday, for Anna) and returns their ids.
pub(crate) async fn appointments(store: &SharedStore, n: i64) -> (CompanyId, Vec<AppointmentId>) {
    store.import_tenants(&tenant_file::parse(DEMO_TENANTS).unwrap(), t0()).await.unwrap();
    let dir = store.load_directory().await.unwrap();
    let f = dir.company_by_key("friseur1").unwrap();
    let anna = f.staff.iter().find(|s| s.def.key.as_str() == "anna").unwrap();
    let engine = frontdesk_domain::availability::Engine::new(f, &f.branches[0], &f.services[0], t0());
    let mut ids = Vec::new();
    let mut tx = store.begin().await.unwrap();
    let customer = tx
        .upsert_customer(f.company.id, &NewCustomer { name: Some("X".into()), ..Default::default() }, t0())
        .await
        .unwrap();
    for i in 0..n {
        let start = "2026-03-10T08:00:00Z".parse::<Timestamp>().unwrap() + SignedDuration::from_hours(i);
        let slot = engine.slot(start, anna.id);
        let a = tx
            .book(&NewAppointment {
                company_id: f.company.id,
                branch_id: f.branches[0].id,
                service_id: f.services[0].id,
                customer_id: customer.id,
                slot: &slot,
                source: AppointmentSource::Admin,
                call_id: None,
                notes: None,
                at: t0(),
            })
            .await
            .unwrap()
            .unwrap();
        ids.push(a.id);
    }
    tx.commit().await.unwrap();
    (f.company.id, ids)
}

async fn enqueue(store: &SharedStore, company: CompanyId, appointment: AppointmentId, kind: OutboxKind) {
    let mut tx = store.begin().await.unwrap();
    let job =
        NewOutboxJob { company_id: company, appointment_id: appointment, kind, payload: json!({"k": 1}), at: t0() };
    tx.enqueue_outbox(&job).await.unwrap();
    tx.commit().await.unwrap();
}

/// Four workers claim at once: every job goes to exactly one of them.
async fn concurrent_claims_never_share_a_job(db: TestDb) {
    let store = db.open().await;
    let (company, ids) = appointments(&store, 8).await;
    for id in &ids {
        enqueue(&store, company, *id, OutboxKind::CalcomCreate).await;
    }
    let now = t0() + SignedDuration::from_mins(1);
    let mut tasks = Vec::new();
    for owner in ["w1", "w2", "w3", "w4"] {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let claim =
                JobClaim { owner, now, lease_until: now + SignedDuration::from_mins(1), limit: 3, skip_companies: &[] };
            store.claim_jobs(&claim).await.unwrap().into_iter().map(|j| (owner, j.id)).collect::<Vec<_>>()
        }));
    }
    let mut claimed = Vec::new();
    for t in tasks {
        claimed.extend(t.await.unwrap());
    }
    let unique: HashSet<_> = claimed.iter().map(|(_, id)| *id).collect();
    assert_eq!(unique.len(), claimed.len(), "a job was claimed twice: {claimed:?}");
    assert_eq!(claimed.len(), 8);
    // Only the owner can finish a job.
    let (owner, id) = claimed[0];
    assert!(!store.finish_job(id, "someone-else", &JobOutcome::Done, now).await.unwrap());
    assert!(store.finish_job(id, owner, &JobOutcome::Done, now).await.unwrap());
    let done = store
        .list_jobs(
            Scope::Platform,
            &OutboxFilter { status: Some(OutboxStatus::Done), ..Default::default() },
            &PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(done.items.len(), 1);
}

/// One appointment's jobs run in order; an expired lease frees a job; failed jobs can be retried.
async fn jobs_run_in_order_and_leases_expire(db: TestDb) {
    let store = db.open().await;
    let (company, ids) = appointments(&store, 1).await;
    enqueue(&store, company, ids[0], OutboxKind::CalcomCreate).await;
    enqueue(&store, company, ids[0], OutboxKind::CalcomCancel).await;
    let now = t0() + SignedDuration::from_mins(1);
    let claim = |owner, now: Timestamp| JobClaim {
        owner,
        now,
        lease_until: now + SignedDuration::from_mins(1),
        limit: 10,
        skip_companies: &[],
    };
    let first = store.claim_jobs(&claim("w1", now)).await.unwrap();
    assert_eq!(first.len(), 1, "the cancellation waits for the creation");
    assert_eq!(first[0].kind, OutboxKind::CalcomCreate);
    assert!(store.claim_jobs(&claim("w2", now)).await.unwrap().is_empty());
    // w1 dies; after its lease another worker takes the job over.
    let later = now + SignedDuration::from_mins(2);
    let again = store.claim_jobs(&claim("w2", later)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    assert!(!store.finish_job(again[0].id, "w1", &JobOutcome::Done, later).await.unwrap(), "w1's lease is gone");
    let fail = JobOutcome::Failed { error: "refused".into() };
    assert!(store.finish_job(again[0].id, "w2", &fail, later).await.unwrap());
    let next = store.claim_jobs(&claim("w2", later)).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].kind, OutboxKind::CalcomCancel, "a failed job does not block the queue");
    let retry = JobOutcome::Retry { run_after: later + SignedDuration::from_mins(5), error: "429".into() };
    assert!(store.finish_job(next[0].id, "w2", &retry, later).await.unwrap());
    assert!(store.claim_jobs(&claim("w3", later)).await.unwrap().is_empty(), "not before its retry time");
    let stats = store.outbox_stats().await.unwrap();
    assert_eq!((stats.pending, stats.failed, stats.running), (1, 1, 0));
    assert_eq!(stats.oldest_pending, Some(t0()));
    assert!(store.retry_job(Scope::Platform, again[0].id, later).await.unwrap());
    assert!(!store.retry_job(Scope::Platform, again[0].id, later).await.unwrap(), "only failed jobs");
    let requeued = store.claim_jobs(&claim("w3", later)).await.unwrap();
    assert_eq!(requeued.iter().map(|j| j.attempts).collect::<Vec<_>>(), [1]);
}

backend_tests!(concurrent_claims_never_share_a_job, jobs_run_in_order_and_leases_expire);
