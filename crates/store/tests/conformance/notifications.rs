//! The notification outbox: claims never shared, reminders wait for the business clock, one live
//! reminder per appointment, withdrawal and unsubscribing.

use std::collections::HashSet;

use frontdesk_domain::access::Scope;
use frontdesk_domain::ids::{AppointmentId, CompanyId, CustomerId};
use frontdesk_domain::notification::{AppointmentFacts, Channel, Facts, NotificationKind, NotificationStatus};
use frontdesk_store::SharedStore;
use frontdesk_store::backend_tests;
use frontdesk_store::model::{
    NewNotification, NotificationClaim, NotificationFilter, NotificationOutcome, PageRequest,
};
use frontdesk_store::test_support::TestDb;
use jiff::{SignedDuration, Timestamp};

use super::outbox::{appointments, t0};

backend_tests!(
    concurrent_claims_never_share_a_notification,
    reminders_wait_for_the_business_clock_and_one_lives_per_appointment,
    unsubscribing_withdraws_reminders_and_refuses_new_ones,
);

fn new(
    company: CompanyId,
    appointment: AppointmentId,
    customer: CustomerId,
    kind: NotificationKind,
    due: Timestamp,
) -> NewNotification {
    let facts = AppointmentFacts {
        appointment_id: appointment,
        branch_id: frontdesk_domain::ids::BranchId(1),
        service_id: frontdesk_domain::ids::ServiceId(1),
        staff_id: frontdesk_domain::ids::StaffId(1),
        start: due,
        end: due,
        previous_start: None,
        customer_name: None,
    };
    let unique = format!("{}-{}-{}", appointment.0, kind.as_str(), due.as_second());
    NewNotification {
        company_id: company,
        kind,
        channel: Channel::Email,
        recipient: "x@example.com".into(),
        appointment_id: Some(appointment),
        customer_id: Some(customer),
        callback_id: None,
        sequence: 0,
        message_id: format!("m-{unique}"),
        token: (kind == NotificationKind::Reminder).then(|| format!("t-{unique}")),
        facts: Facts::Appointment(facts),
        due_at: due,
        at: t0(),
    }
}

async fn enqueue(store: &SharedStore, n: NewNotification) -> bool {
    let mut tx = store.begin().await.unwrap();
    let written = tx.enqueue_notification(&n).await.unwrap().is_some();
    tx.commit().await.unwrap();
    written
}

async fn customer_of(store: &SharedStore, company: CompanyId, appointment: AppointmentId) -> CustomerId {
    store.appointment(company, appointment).await.unwrap().unwrap().customer_id
}

fn claim(owner: &str, now: Timestamp, business_now: Timestamp) -> NotificationClaim<'_> {
    NotificationClaim { owner, now, business_now, lease_until: now + SignedDuration::from_mins(2), limit: 5 }
}

/// Four workers claim at once: every notification goes to exactly one of them.
async fn concurrent_claims_never_share_a_notification(db: TestDb) {
    let store = db.open().await;
    let (company, ids) = appointments(&store, 8).await;
    let customer = customer_of(&store, company, ids[0]).await;
    for id in &ids {
        assert!(enqueue(&store, new(company, *id, customer, NotificationKind::Confirmation, t0())).await);
    }
    let now = t0() + SignedDuration::from_secs(1);
    let mut tasks = Vec::new();
    for owner in ["w1", "w2", "w3", "w4"] {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let claimed = store.claim_notifications(&claim(owner, now, now)).await.unwrap();
            claimed.into_iter().map(|n| (owner, n.id)).collect::<Vec<_>>()
        }));
    }
    let mut claimed = Vec::new();
    for t in tasks {
        claimed.extend(t.await.unwrap());
    }
    let unique: HashSet<_> = claimed.iter().map(|(_, id)| *id).collect();
    assert_eq!(unique.len(), claimed.len(), "a notification was claimed twice: {claimed:?}");
    assert_eq!(claimed.len(), 8);
    let (owner, id) = claimed[0];
    assert!(!store.finish_notification(id, "someone-else", &NotificationOutcome::Sent, now).await.unwrap());
    assert!(store.finish_notification(id, owner, &NotificationOutcome::Sent, now).await.unwrap());
    // A lease that ended lets another worker take the rest over.
    let later = now + SignedDuration::from_mins(3);
    let retaken =
        store.claim_notifications(&NotificationClaim { limit: 20, ..claim("w5", later, later) }).await.unwrap();
    assert_eq!(retaken.len(), 7, "the sent one is not claimed again");
    let sent = store
        .list_notifications(
            Scope::Platform,
            &NotificationFilter { status: Some(NotificationStatus::Sent), ..Default::default() },
            &PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(sent.items.len(), 1);
    assert!(sent.items[0].sent_at.is_some());
    // Another company's scope sees none of them, and cannot retry them.
    let other = Scope::Company(CompanyId(company.0 + 1));
    let seen = store.list_notifications(other, &NotificationFilter::default(), &PageRequest::default()).await.unwrap();
    assert!(seen.items.is_empty());
}

/// A reminder is claimed only once the business clock reaches it, however late the real clock
/// is; an appointment has at most one live reminder; withdrawn ones are never claimed.
async fn reminders_wait_for_the_business_clock_and_one_lives_per_appointment(db: TestDb) {
    let store = db.open().await;
    let (company, ids) = appointments(&store, 1).await;
    let customer = customer_of(&store, company, ids[0]).await;
    let due = t0() + SignedDuration::from_hours(24);
    assert!(enqueue(&store, new(company, ids[0], customer, NotificationKind::Reminder, due)).await);
    let real_now = t0() + SignedDuration::from_hours(48);
    let early = store.claim_notifications(&claim("w1", real_now, due - SignedDuration::from_secs(1))).await.unwrap();
    assert!(early.is_empty(), "the business clock decides when a reminder is due");

    // A second live reminder for the same appointment is refused by the database.
    let mut tx = store.begin().await.unwrap();
    let second = new(company, ids[0], customer, NotificationKind::Reminder, due + SignedDuration::from_hours(1));
    assert!(tx.enqueue_notification(&second).await.is_err(), "two live reminders for one appointment");
    tx.rollback().await.unwrap();

    // A move withdraws it; the new time's reminder may then be written.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.withdraw_reminders(company, ids[0], t0()).await.unwrap(), 1);
    assert!(tx.enqueue_notification(&second).await.unwrap().is_some());
    tx.commit().await.unwrap();
    let claimed = store.claim_notifications(&claim("w1", real_now, due + SignedDuration::from_hours(2))).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].due_at, second.due_at, "only the new time's reminder");

    // A transient failure waits for its backoff by the real clock; a failed one can be retried.
    let retry_at = real_now + SignedDuration::from_mins(5);
    let outcome = NotificationOutcome::Retry { run_after: retry_at, error: "421 try later".into() };
    assert!(store.finish_notification(claimed[0].id, "w1", &outcome, real_now).await.unwrap());
    let business = due + SignedDuration::from_hours(3);
    assert!(store.claim_notifications(&claim("w1", real_now, business)).await.unwrap().is_empty());
    let again = store.claim_notifications(&claim("w1", retry_at, business)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    let failed = NotificationOutcome::Failed { error: "550 no such user".into() };
    assert!(store.finish_notification(again[0].id, "w1", &failed, retry_at).await.unwrap());
    assert_eq!(store.notification_stats(business).await.unwrap().failed, 1);
    assert!(!store.retry_notification(Scope::Company(CompanyId(company.0 + 1)), again[0].id, retry_at).await.unwrap());
    assert!(store.retry_notification(Scope::Company(company), again[0].id, retry_at).await.unwrap());
    assert_eq!(store.claim_notifications(&claim("w2", retry_at, business)).await.unwrap().len(), 1);
}

/// The unsubscribe link withdraws the customer's waiting reminders, and no new one is written.
async fn unsubscribing_withdraws_reminders_and_refuses_new_ones(db: TestDb) {
    let store = db.open().await;
    let (company, ids) = appointments(&store, 3).await;
    let customer = customer_of(&store, company, ids[0]).await;
    let due = t0() + SignedDuration::from_hours(24);
    let first = new(company, ids[0], customer, NotificationKind::Reminder, due);
    let token = first.token.clone().unwrap();
    assert!(enqueue(&store, first).await);
    assert!(enqueue(&store, new(company, ids[1], customer, NotificationKind::Reminder, due)).await);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.unsubscribe("no-such-token", t0()).await.unwrap(), None);
    assert_eq!(tx.unsubscribe(&token, t0()).await.unwrap(), Some(customer));
    tx.commit().await.unwrap();
    let live = store.claim_notifications(&claim("w1", due, due)).await.unwrap();
    assert!(live.is_empty(), "both reminders were withdrawn: {live:?}");

    assert!(!enqueue(&store, new(company, ids[2], customer, NotificationKind::Reminder, due)).await);
    assert!(enqueue(&store, new(company, ids[2], customer, NotificationKind::Confirmation, t0())).await);
    assert!(store.notification_by_token(&token).await.unwrap().is_some());
}
