use frontdesk_domain::access::Scope;
use std::collections::HashSet;

use frontdesk_domain::call::{CallFacts, CallLinks, CallRecord, CallStatus};
use frontdesk_domain::ids::ExternalCallId;
use frontdesk_domain::money::Cents;
use frontdesk_domain::phone::E164;
use frontdesk_domain::records::{Provider, Trace, WebhookStatus};
use frontdesk_store::model::{
    CallFilter, CallUpdate, Delivery, NewWebhookEvent, PageRequest, Record, Recorded, StaleClaim, WebhookFilter,
};
use frontdesk_store::test_support::TestDb;
use frontdesk_store::{SharedStore, backend_tests};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn id(s: &str) -> ExternalCallId {
    ExternalCallId::parse(s).unwrap()
}

/// What the four lifecycle sources say about one call.
fn events() -> Vec<CallFacts> {
    let base = CallFacts {
        agent_id: Some("agent_1".into()),
        from_number: Some("+491604366218".into()),
        to_number: Some("+493033081738".into()),
        direction: Some("inbound".into()),
        started_at: Some(t("2026-03-10T09:00:00Z")),
        ..Default::default()
    };
    let started = CallFacts { status: Some(CallStatus::Ongoing), ..base.clone() };
    let function =
        CallFacts { status: Some(CallStatus::Ongoing), transcript: Some("Agent: Hallo".into()), ..base.clone() };
    let ended = CallFacts {
        status: Some(CallStatus::Ended),
        ended_at: Some(t("2026-03-10T09:03:00Z")),
        duration_ms: Some(180_000),
        disconnection_reason: Some("user_hangup".into()),
        transcript: Some("Agent: Hallo\nUser: Tschüss".into()),
        cost: Some(Cents(24)),
        ..base.clone()
    };
    let analyzed = CallFacts { analysis: Some(r#"{"call_successful":true}"#.into()), ..ended.clone() };
    vec![started, function, ended, analyzed]
}

fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, first.clone());
            out.push(p);
        }
    }
    out
}

/// Merges `facts` into `call` in a transaction of its own, as a side effect does.
async fn upsert(store: &SharedStore, call: &str, facts: &CallFacts, at: Timestamp) -> CallRecord {
    let mut tx = store.begin().await.unwrap();
    let recorded = tx.record(&[Record::Call(update(call, facts, at))]).await.unwrap();
    tx.commit().await.unwrap();
    let stored = store.call(call).await.unwrap().unwrap();
    assert_eq!(recorded, [Recorded::Call(stored.id)]);
    stored
}

/// I6 in the store: every ordering of the events, each delivered twice, gives the same record.
async fn every_event_order_gives_the_same_call(db: TestDb) {
    let store = db.open().await;
    let mut finals = HashSet::new();
    for (n, order) in permutations(&events()).into_iter().enumerate() {
        let call = format!("call_{n}");
        let mut at = t("2026-03-10T10:00:00Z");
        for facts in order.iter().chain(order.iter()) {
            at += SignedDuration::from_secs(1);
            upsert(&store, &call, facts, at).await;
        }
        let stored = store.call(&call).await.unwrap().unwrap();
        assert_eq!(stored.status, CallStatus::Ended);
        finals.insert(format!("{:?}", stored.facts));
    }
    assert_eq!(finals.len(), 1, "24 orderings, one outcome: {finals:#?}");
}

async fn concurrent_first_events_create_one_call(db: TestDb) {
    let store = db.open().await;
    let mut tasks = Vec::new();
    for (i, facts) in events().into_iter().cycle().take(16).enumerate() {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            upsert(&store, "call_race", &facts, t("2026-03-10T10:00:00Z") + SignedDuration::from_secs(i as i64))
                .await
                .id
        }));
    }
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap());
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM calls").await, 1);
    let stored = store.call("call_race").await.unwrap().unwrap();
    assert_eq!(stored.status, CallStatus::Ended);
    assert!(stored.facts.analysis.is_some());
}

fn delivery(key: Option<&str>, at: Timestamp) -> NewWebhookEvent {
    NewWebhookEvent {
        provider: Provider::Retell,
        event_type: "call_ended".into(),
        dedupe_key: key.map(str::to_owned),
        external_call_id: Some("call_1".into()),
        company_id: None,
        payload: "{\"event\":\"call_ended\"}".into(),
        status: WebhookStatus::Processed,
        error: None,
        at,
    }
}

/// I3: a dedupe key is stored once; events without a key are never duplicates.
async fn webhook_deliveries_are_deduplicated(db: TestDb) {
    let store = db.open().await;
    let at = t("2026-03-10T10:00:00Z");
    let mut tx = store.begin().await.unwrap();
    let first = tx.insert_webhook_event(&delivery(Some("call_ended:call_1"), at)).await.unwrap();
    let Delivery::New(first_id) = first else { panic!("{first:?}") };
    assert_eq!(
        tx.insert_webhook_event(&delivery(Some("call_ended:call_1"), at)).await.unwrap(),
        Delivery::Duplicate(first_id)
    );
    assert!(matches!(tx.insert_webhook_event(&delivery(None, at)).await.unwrap(), Delivery::New(_)));
    assert!(matches!(tx.insert_webhook_event(&delivery(None, at)).await.unwrap(), Delivery::New(_)));
    tx.set_webhook_status(first_id, WebhookStatus::Failed, Some("boom"), at).await.unwrap();
    tx.commit().await.unwrap();

    let failed = store
        .webhook_events(
            Scope::Platform,
            &WebhookFilter { status: Some(WebhookStatus::Failed), ..Default::default() },
            &PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(failed.items.len(), 1);
    assert_eq!(failed.items[0].error.as_deref(), Some("boom"));
    assert_eq!(failed.items[0].attempts, 2);
    let all = store.webhook_events(Scope::Platform, &WebhookFilter::default(), &PageRequest::first(2)).await.unwrap();
    assert_eq!(all.items.len(), 2);
    assert!(all.next_cursor.is_some());
    assert_eq!(store.webhook_event(first_id).await.unwrap().unwrap().payload, "{\"event\":\"call_ended\"}");
}

/// I4: concurrent requests with one key — exactly one does the work, the others get its answer.
async fn idempotency_keys_are_claimed_once(db: TestDb) {
    let store = db.open().await;
    let call = upsert(&store, "call_idem", &events()[0], t("2026-03-10T10:00:00Z")).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            let outcome =
                match tx.claim_idempotency("key-1", call.id, "book_appointment", Timestamp::now()).await.unwrap() {
                    Some(previous) => previous,
                    None => {
                        let answer = format!("answer from task {i}");
                        tx.store_idempotent_response("key-1", &answer).await.unwrap();
                        answer
                    }
                };
            tx.commit().await.unwrap();
            outcome
        }));
    }
    let mut answers = HashSet::new();
    for task in tasks {
        answers.insert(task.await.unwrap());
    }
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(db.scalar("SELECT COUNT(*) FROM idempotency_keys").await, 1);

    // A claim rolled back leaves nothing behind.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.claim_idempotency("key-2", call.id, "cancel_appointment", Timestamp::now()).await.unwrap(), None);
    tx.rollback().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.claim_idempotency("key-2", call.id, "cancel_appointment", Timestamp::now()).await.unwrap(), None);
    tx.commit().await.unwrap();
}

async fn traces_are_recorded_per_call(db: TestDb) {
    let store = db.open().await;
    let call = upsert(&store, "call_traced", &events()[0], t("2026-03-10T10:00:00Z")).await;
    let args = json!({"dienstleistung": "Herrenhaarschnitt"});
    let response = json!({"success": true, "status": "available", "message": "Frei."});
    let mut tx = store.begin().await.unwrap();
    for replayed in [false, true] {
        let trace = Trace {
            company_id: None,
            name_sent: "check_availability_v17".into(),
            function: Some("check_availability".into()),
            arguments: args.clone(),
            response: response.clone(),
            status: "available".into(),
            success: true,
            replayed,
            duration_us: 1234,
            at: t("2026-03-10T10:00:01Z"),
        };
        // The first merges the call and traces; the replay traces a call already merged.
        let record = if replayed {
            Record::Trace { call: call.id, trace }
        } else {
            Record::Function { call: update("call_traced", &events()[1], trace.at), trace }
        };
        assert_eq!(tx.record(&[record]).await.unwrap(), [Recorded::Traced(call.id)]);
    }
    tx.commit().await.unwrap();
    let traces = store.traces_of_call(call.id).await.unwrap();
    assert_eq!(traces.len(), 2);
    assert_eq!(traces[0].trace.arguments, args);
    assert_eq!(traces[1].trace.response, response);
    assert_eq!((traces[0].trace.replayed, traces[1].trace.replayed), (false, true));
    assert_eq!(traces[0].trace.name_sent, "check_availability_v17");
}

/// Two reconcilers claiming at once never get the same call; a released call waits.
async fn stale_calls_are_leased_to_one_reconciler(db: TestDb) {
    let store = db.open().await;
    let old = t("2026-03-10T09:00:00Z");
    for i in 0..20 {
        upsert(&store, &format!("call_stale_{i}"), &events()[0], old).await;
    }
    upsert(&store, "call_fresh", &events()[0], t("2026-03-10T10:59:00Z")).await;
    upsert(&store, "call_done", &events()[2], old).await;
    let now = t("2026-03-10T11:00:00Z");
    let mut tasks = Vec::new();
    for owner in ["a", "b", "c", "d"] {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let claim = StaleClaim {
                owner,
                last_event_before: now - SignedDuration::from_mins(10),
                now,
                lease_until: now + SignedDuration::from_mins(1),
                limit: 8,
            };
            store.claim_stale_calls(&claim).await.unwrap()
        }));
    }
    let mut seen = Vec::new();
    for task in tasks {
        seen.extend(task.await.unwrap().into_iter().map(|c| (c.call.external_id.to_string(), c.attempts)));
    }
    let unique: HashSet<&String> = seen.iter().map(|(id, _)| id).collect();
    assert_eq!(unique.len(), seen.len(), "a call was leased twice: {seen:?}");
    assert_eq!(seen.len(), 20, "every stale call, neither the fresh nor the ended one");
    assert!(seen.iter().all(|(_, attempts)| *attempts == 1));

    let stale = store
        .list_calls(
            Scope::Platform,
            &CallFilter { stale_before: Some(now - SignedDuration::from_mins(10)), ..Default::default() },
            &PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(stale.items.len(), 20);

    // Leased calls are not claimed again until released; released ones wait for not_before.
    let again = StaleClaim {
        owner: "e",
        last_event_before: now,
        now,
        lease_until: now + SignedDuration::from_mins(1),
        limit: 50,
    };
    assert_eq!(store.claim_stale_calls(&again).await.unwrap().len(), 1, "only the fresh call is left");
    let first = store.call("call_stale_0").await.unwrap().unwrap();
    let owner = seen.iter().find(|(id, _)| id == "call_stale_0").map(|_| ()).is_some();
    assert!(owner);
    for o in ["a", "b", "c", "d"] {
        store.release_call(first.id, o, Some(now + SignedDuration::from_mins(5))).await.unwrap();
    }
    let later = now + SignedDuration::from_mins(2);
    let claim = StaleClaim { owner: "f", last_event_before: later, now: later, lease_until: later, limit: 50 };
    assert!(store.claim_stale_calls(&claim).await.unwrap().iter().all(|c| c.call.id != first.id), "not before 11:05");
    let after = now + SignedDuration::from_mins(6);
    let claim = StaleClaim { owner: "g", last_event_before: after, now: after, lease_until: after, limit: 50 };
    let claimed = store.claim_stale_calls(&claim).await.unwrap();
    let again = claimed.iter().find(|c| c.call.id == first.id).unwrap();
    assert_eq!(again.attempts, 2);
}

fn update(call: &str, facts: &CallFacts, at: Timestamp) -> CallUpdate {
    CallUpdate { external: id(call), facts: facts.clone(), links: CallLinks::default(), caller: None, at }
}

fn trace(name: &str, at: Timestamp) -> Trace {
    Trace {
        company_id: None,
        name_sent: name.into(),
        function: Some(name.into()),
        arguments: json!({"service": "Herren"}),
        response: json!({"success": true, "status": "ok", "message": "Gern."}),
        status: "ok".into(),
        success: true,
        replayed: false,
        duration_us: 42,
        at,
    }
}

/// Event `n` of `events()` about `call` as a record: a function call for the second, webhook
/// deliveries (deduplicated by event and call) for the others.
fn record_of(call: &str, n: usize, at: Timestamp) -> Record {
    let facts = &events()[n];
    if n == 1 {
        return Record::Function { call: update(call, facts, at), trace: trace("check_availability", at) };
    }
    let mut event = delivery(Some(&format!("{n}:{call}")), at);
    event.external_call_id = Some(call.into());
    Record::Delivery { event, call: Some(update(call, facts, at)) }
}

/// I6 through the group commit: every ordering, delivered twice, in batches of every size, gives
/// the same call as the single-record path — and repeated deliveries are duplicates.
async fn group_commits_give_the_same_call_as_single_records(db: TestDb) {
    let store = db.open().await;
    let reference = {
        for (n, facts) in events().iter().enumerate() {
            upsert(&store, "call_reference", facts, t("2026-03-10T10:00:00Z") + SignedDuration::from_secs(n as i64))
                .await;
        }
        format!("{:?}", store.call("call_reference").await.unwrap().unwrap().facts)
    };
    for (p, order) in permutations(&[0, 1, 2, 3]).into_iter().enumerate() {
        for size in [1, 3, 8] {
            let call = format!("call_{p}_{size}");
            let at = t("2026-03-10T10:00:00Z");
            let records: Vec<Record> = order.iter().chain(order.iter()).map(|n| record_of(&call, *n, at)).collect();
            let mut outcomes = Vec::new();
            for batch in records.chunks(size) {
                outcomes.extend(store.record_batch(batch).await.unwrap());
            }
            let stored = store.call(&call).await.unwrap().unwrap();
            assert_eq!(format!("{:?}", stored.facts), reference, "order {order:?} in batches of {size}");
            let duplicates = outcomes.iter().filter(|o| matches!(o, Recorded::Duplicate(_))).count();
            assert_eq!(duplicates, 3, "the second delivery of each webhook: {outcomes:?}");
            assert_eq!(store.traces_of_call(stored.id).await.unwrap().len(), 2, "both function calls are traced");
            let traced: Vec<_> = outcomes.iter().filter(|o| matches!(o, Recorded::Traced(_))).collect();
            assert!(traced.iter().all(|o| **o == Recorded::Traced(stored.id)));
        }
    }
}

/// I3 through the group commit: a key met again in the batch or stored before is a duplicate of
/// the first delivery, stored as ignored, and what it says about the call is not applied.
async fn group_commits_deduplicate_within_and_across_batches(db: TestDb) {
    let store = db.open().await;
    let at = t("2026-03-10T10:00:00Z");
    let ongoing = &events()[0];
    let ended = &events()[2];
    let with = |key: Option<&str>, facts: &CallFacts| Record::Delivery {
        event: delivery(key, at),
        call: Some(update("call_1", facts, at)),
    };
    let first = store
        .record_batch(&[
            with(Some("a"), ongoing),
            with(Some("a"), ended),
            with(Some("b"), ongoing),
            with(None, ongoing),
        ])
        .await
        .unwrap();
    let Recorded::Duplicate(a) = first[1] else { panic!("{first:?}") };
    assert_eq!(first, [Recorded::Stored, Recorded::Duplicate(a), Recorded::Stored, Recorded::Stored]);
    let second = store.record_batch(&[with(Some("a"), ended), with(Some("c"), ongoing)]).await.unwrap();
    assert_eq!(second, [Recorded::Duplicate(a), Recorded::Stored]);
    assert_eq!(store.call("call_1").await.unwrap().unwrap().status, CallStatus::Ongoing, "duplicates change nothing");
    let all =
        store.webhook_events(Scope::Platform, &WebhookFilter::default(), &PageRequest::default()).await.unwrap().items;
    assert_eq!(all.len(), 6, "every delivery is kept");
    let ignored: Vec<_> = all.iter().filter(|e| e.status == WebhookStatus::Ignored).collect();
    assert_eq!(ignored.len(), 2);
    assert!(ignored.iter().all(|e| e.dedupe_key.is_none() && e.error == Some(format!("duplicate of event {a}"))));
    assert_eq!(store.webhook_event(a).await.unwrap().unwrap().dedupe_key.as_deref(), Some("a"));
}

/// Many group commits at once over the same calls and keys (several processes on PostgreSQL):
/// nothing lost, nothing doubled, no deadlock.
async fn concurrent_group_commits_lose_nothing(db: TestDb) {
    let store = db.open().await;
    let mut tasks = Vec::new();
    for task in 0..12 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let at = t("2026-03-10T10:00:00Z") + SignedDuration::from_secs(task);
            // Each task touches the calls in a different order, and repeats the others' deliveries.
            let records: Vec<Record> = (0..16)
                .map(|i| {
                    let call = format!("call_shared_{}", (i + task as usize) % 5);
                    record_of(&call, (i + task as usize) % 4, at)
                })
                .collect();
            let mut outcomes = Vec::new();
            for batch in records.chunks(4 + task as usize % 5) {
                outcomes.extend(store.record_batch(batch).await.unwrap());
            }
            outcomes
        }));
    }
    let mut stored = 0;
    let mut traced = 0;
    for task in tasks {
        for outcome in task.await.unwrap() {
            match outcome {
                Recorded::Stored => stored += 1,
                Recorded::Traced(_) => traced += 1,
                Recorded::Duplicate(_) | Recorded::Call(_) => {}
            }
        }
    }
    // Five calls × three keyed events: each key is stored once, whoever came first.
    assert_eq!(stored, 15);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM webhook_events WHERE dedupe_key IS NOT NULL").await, 15);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM webhook_events").await, 12 * 16 - traced);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM function_traces").await, traced);
    assert_eq!(db.scalar("SELECT COUNT(*) FROM calls").await, 5);
    for i in 0..5 {
        let call = store.call(&format!("call_shared_{i}")).await.unwrap().unwrap();
        assert_eq!(call.status, CallStatus::Ended);
        assert!(call.facts.analysis.is_some());
    }
}

/// The group commit links a call to the customer with the caller's number, in the dialled
/// company only, and never unlinks.
async fn group_commits_link_callers_to_customers(db: TestDb) {
    let (store, directory) = db.with_demo(t("2026-03-01T00:00:00Z")).await;
    let company = |key: &str| directory.companies().find(|c| c.company.def.key.as_str() == key).unwrap().company.id;
    let (friseur, smile) = (company("friseur1"), company("brightsmile"));
    let hans = E164::parse_strict("+491604366218").unwrap();
    let hans_id = store.customer_by_phone(friseur, &hans).await.unwrap().unwrap().id;
    let at = t("2026-03-10T10:00:00Z");
    let started = |call: &str, company, caller: &E164| {
        let links = CallLinks { company_id: Some(company), ..CallLinks::default() };
        let mut event = delivery(Some(&format!("started:{call}")), at);
        event.external_call_id = Some(call.into());
        let call = CallUpdate { caller: Some(caller.clone()), links, ..update(call, &events()[0], at) };
        Record::Delivery { event, call: Some(call) }
    };
    let stranger = E164::parse_strict("+4915112345679").unwrap();
    store
        .record_batch(&[
            started("call_hans", friseur, &hans),
            started("call_elsewhere", smile, &hans),
            started("call_new", friseur, &stranger),
        ])
        .await
        .unwrap();
    let linked = |call: &'static str| {
        let store = store.clone();
        async move { store.call(call).await.unwrap().unwrap().links.customer_id }
    };
    assert_eq!(linked("call_hans").await, Some(hans_id));
    assert_eq!(linked("call_elsewhere").await, None, "Hans is a customer of Friseur 1 only");
    assert_eq!(linked("call_new").await, None);
}

/// Retention prunes exactly what it should: traces, payloads and transcripts of finished calls
/// last heard of before the cutoff; never an ongoing call's, never anything newer.
async fn retention_prunes_finished_calls_only(db: TestDb) {
    let store = db.open().await;
    let at = t("2026-03-10T10:00:00Z");
    let mut ended = events()[3].clone();
    ended.transcript = Some("Guten Tag".into());
    let mut ongoing = events()[1].clone();
    ongoing.transcript = Some("Hallo".into());
    for (call, facts) in [("call_done", &ended), ("call_live", &ongoing)] {
        let mut event = delivery(Some(&format!("key:{call}")), at);
        event.external_call_id = Some(call.into());
        let batch = [
            Record::Delivery { event, call: Some(update(call, facts, at)) },
            Record::Function { call: update(call, facts, at), trace: trace("list_services", at) },
        ];
        store.record_batch(&batch).await.unwrap();
    }
    let done = store.call("call_done").await.unwrap().unwrap();
    let live = store.call("call_live").await.unwrap().unwrap();
    assert_ne!(done.status, live.status);
    assert!(matches!(live.status, CallStatus::Ongoing | CallStatus::Registered));

    // The records arrived at `at`: nothing is older than an hour before it.
    let hour_before = at - SignedDuration::from_hours(1);
    assert_eq!(store.prune(hour_before, 100).await.unwrap().total(), 0);
    // An hour after, everything is: the finished call's are pruned, one batch at a time.
    let later = at + SignedDuration::from_hours(1);
    let first = store.prune(later, 1).await.unwrap();
    assert_eq!((first.traces, first.payloads, first.transcripts), (1, 1, 1));
    assert_eq!(store.prune(later, 100).await.unwrap().total(), 0, "nothing left to prune");
    assert!(store.traces_of_call(done.id).await.unwrap().is_empty());
    assert_eq!(store.call("call_done").await.unwrap().unwrap().facts.transcript, None);
    let events = store
        .webhook_events(
            Scope::Platform,
            &WebhookFilter { external_call_id: Some("call_done".into()), ..Default::default() },
            &PageRequest::default(),
        )
        .await
        .unwrap();
    assert_eq!(events.items[0].payload, r#"{"pruned":true}"#);
    // The ongoing call is untouched.
    assert_eq!(store.traces_of_call(live.id).await.unwrap().len(), 1);
    assert_eq!(store.call("call_live").await.unwrap().unwrap().facts.transcript.as_deref(), Some("Hallo"));
    let events = store
        .webhook_events(
            Scope::Platform,
            &WebhookFilter { external_call_id: Some("call_live".into()), ..Default::default() },
            &PageRequest::default(),
        )
        .await
        .unwrap();
    assert_ne!(events.items[0].payload, r#"{"pruned":true}"#);
}

/// The health charts' daily figures are counted and ranked by the database: the day's function
/// traces of the company (not another day's, not another company's), the median and the 99th
/// percentile by nearest rank.
async fn daily_summaries_count_and_rank_the_days_traces(db: TestDb) {
    let (store, dir) = db.with_demo(t("2026-03-10T08:00:00Z")).await;
    let salon = dir.company_by_key("friseur1").unwrap().company.id;
    let smile = dir.company_by_key("brightsmile").unwrap().company.id;
    let traced = |company, call: &str, duration_us: i64, at: &str| {
        let at = t(at);
        let mut call = update(call, &events()[1], at);
        call.links = CallLinks { company_id: Some(company), branch_id: None, customer_id: None };
        let trace = Trace { company_id: Some(company), duration_us, ..trace("check_availability", at) };
        Record::Function { call, trace }
    };
    // 200 traces of 1..=200 µs, in an order that is not theirs.
    let mut records: Vec<Record> =
        (0..200).map(|i| traced(salon, "call_day", (i * 73) % 200 + 1, "2026-03-10T10:00:00Z")).collect();
    // Berlin's 10 March ends at 23:00Z: this one is the 11th's.
    records.push(traced(salon, "call_next_day", 999_999, "2026-03-10T23:30:00Z"));
    records.push(traced(smile, "call_other_company", 999_999, "2026-03-10T12:00:00Z"));
    let mut tx = store.begin().await.unwrap();
    tx.record(&records).await.unwrap();
    tx.commit().await.unwrap();

    let day = jiff::civil::date(2026, 3, 10);
    store.refresh_daily_summary(salon, day, t("2026-03-09T23:00:00Z"), t("2026-03-10T23:00:00Z")).await.unwrap();
    let rows = store.daily_summaries(Scope::Platform, salon, day, day).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].function_calls, 200);
    assert_eq!(rows[0].function_p50_us, Some(100), "the 100th of 200");
    assert_eq!(rows[0].function_p99_us, Some(198), "the 198th of 200");

    // A day without traces has neither.
    let empty = jiff::civil::date(2026, 3, 12);
    store.refresh_daily_summary(salon, empty, t("2026-03-11T23:00:00Z"), t("2026-03-12T23:00:00Z")).await.unwrap();
    let rows = store.daily_summaries(Scope::Platform, salon, empty, empty).await.unwrap();
    assert_eq!((rows[0].function_calls, rows[0].function_p50_us, rows[0].function_p99_us), (0, None, None));
}

backend_tests!(
    daily_summaries_count_and_rank_the_days_traces,
    retention_prunes_finished_calls_only,
    group_commits_link_callers_to_customers,
    group_commits_give_the_same_call_as_single_records,
    group_commits_deduplicate_within_and_across_batches,
    concurrent_group_commits_lose_nothing,
    every_event_order_gives_the_same_call,
    concurrent_first_events_create_one_call,
    webhook_deliveries_are_deduplicated,
    idempotency_keys_are_claimed_once,
    traces_are_recorded_per_call,
    stale_calls_are_leased_to_one_reconciler,
);
