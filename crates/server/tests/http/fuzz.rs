//! A bounded fuzz run over every public endpoint, on both backends: generated hostile requests —
//! signed webhooks and function calls with mutated fields, Cal.com deliveries, admin lookups and
//! writes, raw bytes — against a real server. Whatever is sent: no 5xx (the database is healthy,
//! so not even 503), every answer is well-formed for its endpoint, and every acknowledged webhook
//! is stored.
//!
//! `FRONTDESK_FUZZ_CASES` sets the number of requests per backend (default 160, which keeps CI
//! fast); `bench/` is the place for long runs.

use frontdesk_calcom::signature as calcom_signature;
use frontdesk_domain::tenant_file::DEMO_TENANTS;
use frontdesk_retell::status::Status;
use frontdesk_server::test_support::{ADMIN_TOKEN, FRISEUR, HANS, JOHN, SMILE, TestServer, call_object};
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value, json};

const CAL_SECRET: &str = "whsec_fuzz";

/// The demo tenants, with Friseur 1 connected to a Cal.com that is never reached.
fn tenants() -> String {
    let link = format!(
        "[company.calcom]\nbase_url = \"http://127.0.0.1:9\"\napi_key = \"cal_fuzz\"\n\
         webhook_secret = \"{CAL_SECRET}\"\nevent_types = {{ herrenhaarschnitt = 11 }}\nusers = {{ anna = 101 }}\n\n"
    );
    DEMO_TENANTS.replacen("[[company.service]]", &format!("{link}[[company.service]]"), 1)
}

/// A request to send.
#[derive(Clone, Debug)]
enum Request {
    Retell { path: String, body: Body },
    Calcom { path: String, body: Body, signed: bool },
    AdminGet(String),
    AdminPost(Body),
    Get(String),
}

/// A request body, shown as text in a failure report.
#[derive(Clone)]
struct Body(Vec<u8>);

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        2 => prop::sample::select(vec![
            "\0", "nul\0x", "'; DROP TABLE calls; --", "%00", "%", "_", "\u{202e}", "😀", "\u{FFFD}", "", " ",
            "9999-99-99", "25:61", "-1", "1e309", "null", "true", "+", "+49", "anonymous", "call_fuzz_1",
            "Herrenhaarschnitt", "morgen", "übermorgen um 14 Uhr", "friseur1", "brightsmile",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z_]{0,12}",
        1 => (1usize..3000).prop_map(|n| "ä\0".repeat(n / 2)),
    ]
}

fn hostile_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((hostile_text(), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// `(field, value)` changes to apply to an object; a `None` value removes the field.
fn mutations(fields: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, Option<Value>)>> {
    let field = prop_oneof![4 => prop::sample::select(fields).prop_map(str::to_owned), 1 => hostile_text()];
    prop::collection::vec((field, prop::option::weighted(0.85, hostile_value())), 0..4)
}

fn mutate(target: &mut Value, changes: Vec<(String, Option<Value>)>) {
    if let Value::Object(map) = target {
        for (field, value) in changes {
            match value {
                Some(v) => map.insert(field, v),
                None => map.remove(&field),
            };
        }
    }
}

const CALL_FIELDS: &[&str] = &[
    "call_id",
    "from_number",
    "to_number",
    "call_status",
    "transcript",
    "start_timestamp",
    "end_timestamp",
    "disconnection_reason",
    "call_analysis",
    "agent_id",
    "direction",
    "call_cost",
    "duration_ms",
];

fn call() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["call_fuzz_1", "call_fuzz_2", "call_fuzz_3"]),
        prop::sample::select(vec![HANS, JOHN, "anonymous", "+4915100000000"]),
        prop::sample::select(vec![FRISEUR, SMILE, "+4930999999"]),
        prop::sample::select(vec!["registered", "ongoing", "ended", "error"]),
        mutations(CALL_FIELDS),
    )
        .prop_map(|(id, from, to, status, changes)| {
            let mut call = call_object(id, from, to, status);
            mutate(&mut call, changes);
            call
        })
}

fn retell_webhook() -> impl Strategy<Value = Request> {
    let event = prop_oneof![
        4 => prop::sample::select(vec![
            "call_inbound", "call_started", "call_ended", "call_analyzed", "transcript_updated", "transfer_started",
        ])
        .prop_map(str::to_owned),
        1 => hostile_text(),
    ];
    (event, call(), any::<bool>(), mutations(&["event", "call", "data", "call_inbound"])).prop_map(
        |(event, call, as_inbound, changes)| {
            let mut body = if event == "call_inbound" && as_inbound {
                json!({"event": event, "call_inbound": {"from_number": call["from_number"], "to_number": call["to_number"]}})
            } else {
                json!({"event": event, "call": call})
            };
            mutate(&mut body, changes);
            Request::Retell { path: "/webhooks/retell".into(), body: Body(serde_json::to_vec(&body).unwrap()) }
        },
    )
}

const ARGS: &[&str] = &[
    "service",
    "dienstleistung",
    "date",
    "datum",
    "time",
    "uhrzeit",
    "datetime",
    "staff",
    "customer_name",
    "name",
    "customer_phone",
    "customer_email",
    "notes",
    "confirm",
    "appointment_id",
    "reason",
    "phone",
    "new_date",
    "new_time",
    "old_date",
    "old_time",
    "after",
    "count",
    "time_window",
    "category",
    "preferred_time",
];

fn function_call() -> impl Strategy<Value = Request> {
    let name = prop_oneof![
        5 => prop::sample::select(vec![
            "initialize_call", "check_customer", "list_services", "get_service_info", "get_opening_hours",
            "check_availability", "find_next_available", "book_appointment", "get_customer_appointments",
            "cancel_appointment", "reschedule_appointment", "request_callback", "check_availability_v17",
        ])
        .prop_map(str::to_owned),
        1 => hostile_text(),
    ];
    let args = prop::collection::vec((prop::sample::select(ARGS).prop_map(str::to_owned), hostile_value()), 0..6)
        .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>()));
    (name, args, call(), any::<bool>(), any::<bool>(), mutations(&["name", "args", "call"])).prop_map(
        |(name, args, call, in_path, args_as_text, changes)| {
            let args = if args_as_text { Value::String(args.to_string()) } else { args };
            let mut body = json!({"name": name, "args": args, "call": call});
            mutate(&mut body, changes);
            let path = if in_path {
                let encoded: String = url_encode(&name);
                format!("/retell/functions/{encoded}")
            } else {
                "/retell/functions".into()
            };
            Request::Retell { path, body: Body(serde_json::to_vec(&body).unwrap()) }
        },
    )
}

fn calcom_webhook() -> impl Strategy<Value = Request> {
    let trigger = prop_oneof![
        4 => prop::sample::select(vec!["BOOKING_CREATED", "BOOKING_RESCHEDULED", "BOOKING_CANCELLED", "MEETING_ENDED"])
            .prop_map(str::to_owned),
        1 => hostile_text(),
    ];
    let payload = (
        prop::sample::select(vec!["ext_1", "ext_2", "ext_3"]),
        prop::sample::select(vec!["2026-03-10T13:00:00Z", "2026-03-10T14:00:00Z", "2026-03-10T12:00:00Z"]),
        mutations(&["uid", "startTime", "endTime", "organizer", "eventTypeId", "metadata", "rescheduleUid", "status"]),
    )
        .prop_map(|(uid, start, changes)| {
            let mut payload = json!({"uid": uid, "startTime": start, "endTime": "2026-03-10T13:30:00Z",
                "organizer": {"id": 101}, "eventTypeId": 11, "metadata": {}});
            mutate(&mut payload, changes);
            payload
        });
    (trigger, payload, any::<bool>(), prop::bool::weighted(0.9), mutations(&["triggerEvent", "createdAt", "payload"]))
        .prop_map(|(trigger, payload, named, signed, changes)| {
            let mut body = json!({"triggerEvent": trigger, "createdAt": "2026-03-09T08:00:00Z", "payload": payload});
            mutate(&mut body, changes);
            let path = if named { "/webhooks/calcom/friseur1" } else { "/webhooks/calcom" };
            Request::Calcom { path: path.into(), body: Body(serde_json::to_vec(&body).unwrap()), signed }
        })
}

fn admin() -> impl Strategy<Value = Request> {
    let list = prop::sample::select(vec![
        "/api/v1/companies",
        "/api/v1/appointments",
        "/api/v1/customers",
        "/api/v1/callbacks",
        "/api/v1/calls",
        "/api/v1/webhook-events",
        "/api/v1/outbox",
        "/api/v1/calls/",
    ]);
    let params = prop::collection::vec(
        (
            prop::sample::select(vec![
                "company", "branch", "staff", "from", "to", "status", "phone", "provider", "call", "limit", "cursor",
            ]),
            hostile_text(),
        ),
        0..4,
    );
    let get = (list, params, hostile_text()).prop_map(|(path, params, tail)| {
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", url_encode(v))).collect();
        let path = if path.ends_with('/') { format!("{path}{}", url_encode(&tail)) } else { path.to_owned() };
        Request::AdminGet(format!("{path}?{}", query.join("&")))
    });
    let post = (
        mutations(&["company", "branch", "service", "staff", "start", "customer", "name", "phone", "email", "notes"]),
        any::<bool>(),
    )
        .prop_map(|(changes, valid_start)| {
            let mut body = json!({"company": "friseur1", "service": "herrenhaarschnitt",
                "start": if valid_start { "2026-03-12T09:00:00+01:00" } else { "soon" },
                "customer": {"name": "Fuzz", "phone": "+4915100000001"}});
            mutate(&mut body, changes);
            Request::AdminPost(Body(serde_json::to_vec(&body).unwrap()))
        });
    prop_oneof![3 => get, 1 => post]
}

fn raw() -> impl Strategy<Value = Request> {
    let path = prop::sample::select(vec!["/webhooks/retell", "/retell/functions", "/retell/functions/x"]);
    let bytes = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        Just(b"{\"event\": \"call_ended\", \"call\": {\"call_id\": \"x\"".to_vec()),
        Just(b"{\"event\": \"call_ended\", \"call\": {\"call_id\": \"\\ud800\"}}".to_vec()),
        Just(b"[1, 2, 3]".to_vec()),
        Just(b"\"just a string\"".to_vec()),
        Just(vec![0xff, 0xfe, 0x00, b'{']),
    ];
    (path, bytes).prop_map(|(path, body)| Request::Retell { path: path.into(), body: Body(body) })
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        4 => retell_webhook(),
        5 => function_call(),
        2 => calcom_webhook(),
        2 => admin(),
        1 => raw(),
        1 => prop::sample::select(vec!["/healthz", "/readyz", "/metrics", "/nowhere", "/%00"])
            .prop_map(|p| Request::Get(p.to_owned())),
    ]
}

fn url_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// What one request did: its status, and whether it was a webhook the server acknowledged.
async fn send(s: &TestServer, request: &Request) -> Result<(u16, bool), TestCaseError> {
    let client = &s.client;
    let (response, webhook) = match request {
        Request::Retell { path, body } => (s.retell_raw(path, body.0.clone()).await, path == "/webhooks/retell"),
        Request::Calcom { path, body, signed } => {
            let secret = if *signed { CAL_SECRET } else { "not-the-secret" };
            let response = client
                .post(format!("{}{path}", s.url))
                .header("x-cal-signature-256", calcom_signature::sign(secret, &body.0))
                .body(body.0.clone())
                .send()
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            (response, true)
        }
        Request::AdminGet(path) => (s.admin_get(path).await, false),
        Request::AdminPost(body) => {
            let response = client
                .post(format!("{}/api/v1/appointments", s.url))
                .bearer_auth(ADMIN_TOKEN)
                .header("content-type", "application/json")
                .body(body.0.clone())
                .send()
                .await
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            (response, false)
        }
        Request::Get(path) => (s.get(path).await, false),
    };
    let status = response.status().as_u16();
    let json = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let text = response.text().await.map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(status < 500, "{status} for {request:?}: {text}");
    if status == 204 {
        prop_assert!(text.is_empty(), "a 204 with a body: {text}");
    } else if !matches!(request, Request::Get(p) if p == "/metrics") {
        prop_assert!(json, "not JSON ({status}) for {request:?}: {text}");
        let body: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        if status >= 400 {
            prop_assert!(body["error"]["code"].is_string() && body["error"]["message"].is_string(), "{text}");
        } else if let Request::Retell { path, .. } = request
            && path.starts_with("/retell/functions")
        {
            let status = body["status"].as_str().and_then(Status::parse);
            prop_assert!(status.is_some(), "a function answer without a known status: {text}");
            prop_assert!(body["success"].is_boolean(), "{text}");
            prop_assert!(body["message"].as_str().is_some_and(|m| !m.trim().is_empty()), "{text}");
        }
    }
    Ok((status, webhook && (200..300).contains(&status)))
}

async fn hostile_requests_never_break_the_server(db: TestDb) {
    let settings = TestServer::settings(Some("2026-03-09T08:00:00Z".parse().unwrap()));
    let s = TestServer::start_with_tenants(db, settings, &tenants()).await;
    let cases = std::env::var("FRONTDESK_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(160);
    let handle = tokio::runtime::Handle::current();
    let acknowledged = std::sync::atomic::AtomicI64::new(0);
    let outcome = tokio::task::block_in_place(|| {
        let config = Config { cases, failure_persistence: None, max_shrink_iters: 64, ..Config::default() };
        TestRunner::new(config).run(&request(), |request| {
            let (_, acked) = handle.block_on(send(&s, &request))?;
            if acked {
                acknowledged.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(())
        })
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    // Shrinking may send requests again: every acknowledged delivery is one stored row, so the
    // count is checked over all requests sent, shrinking included.
    let stored = s.db.scalar("SELECT COUNT(*) FROM webhook_events").await;
    assert_eq!(stored, acknowledged.into_inner(), "every acknowledged webhook is stored");
    assert_eq!(s.db.overlapping_segments().await, 0);
    s.stop().await;
}

backend_tests!(hostile_requests_never_break_the_server);
