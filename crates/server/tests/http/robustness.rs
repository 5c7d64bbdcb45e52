//! Whatever arrives — random JSON, wrong types, huge strings, unknown functions, truncated or
//! binary bodies — the server answers without a 5xx and without panicking. And a shutdown lets a
//! request that is already in flight finish.

use std::io::{Read, Write};
use std::time::Duration;

use frontdesk_retell::status::Status;
use frontdesk_server::test_support::{FRISEUR, HANS, RETELL_KEY, SMILE, TestServer, call_object};
use frontdesk_simulator::rng::Rng;
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use serde_json::{Map, Value, json};

/// Generated bodies over the project's one seeded generator, so a failing body can be
/// reproduced from its seed.
struct Gen(Rng);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0.below(n)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        self.0.pick(items)
    }

    fn string(&mut self) -> String {
        match self.below(8) {
            0 => String::new(),
            1 => "x".repeat(200_000),
            2 => "ä€😀\u{0}\u{202e}".repeat(self.below(50) as usize),
            3 => (*self.pick(&["morgen", "halb drei", "25:00", "nächste Woche", "2pm", "2026-02-30", "-1", "NaN"]))
                .to_owned(),
            4 => (*self.pick(&[
                "Herrenhaarschnitt",
                "cleaning",
                "Färben",
                "anna",
                "Dr. Patel",
                "'; DROP TABLE calls;--",
            ]))
            .to_owned(),
            5 => format!("{}", self.next()),
            _ => (0..self.below(30)).map(|_| char::from(b' ' + self.below(95) as u8)).collect(),
        }
    }

    fn value(&mut self, depth: u32) -> Value {
        match self.below(if depth > 3 { 6 } else { 9 }) {
            0 => Value::Null,
            1 => json!(self.below(2) == 1),
            2 => json!(self.next() as i64),
            3 => json!(f64::from(self.below(1000) as u32) / 7.0),
            4 | 5 => json!(self.string()),
            6 => Value::Array((0..self.below(5)).map(|_| self.value(depth + 1)).collect()),
            _ => {
                let keys = [
                    "service",
                    "dienstleistung",
                    "date",
                    "datum",
                    "time",
                    "uhrzeit",
                    "staff",
                    "customer_name",
                    "confirm",
                    "appointment_id",
                    "new_date",
                    "new_time",
                    "count",
                    "category",
                    "after",
                    "phone",
                    "x",
                ];
                let mut map = Map::new();
                for _ in 0..self.below(6) {
                    map.insert((*self.pick(&keys)).to_owned(), self.value(depth + 1));
                }
                Value::Object(map)
            }
        }
    }

    fn function_body(&mut self) -> Vec<u8> {
        let names = [
            "check_availability",
            "book_appointment_v3",
            "cancel_appointment",
            "reschedule_appointment",
            "get_customer_appointments",
            "initialize_call",
            "list_services",
            "find_next_available",
            "request_callback",
            "get_opening_hours",
            "get_service_info",
            "check_customer",
            "../../etc/passwd",
            "",
            "BOOK_APPOINTMENT",
        ];
        let numbers = [FRISEUR, SMILE, HANS, "anonymous", "", "+4930999999999", "not a number"];
        let mut call = call_object(
            &format!("call_fuzz_{}", self.below(40)),
            self.pick::<&str>(&numbers),
            self.pick::<&str>(&numbers),
            "ongoing",
        );
        match self.below(10) {
            0 => call["call_id"] = self.value(2),
            1 => call["start_timestamp"] = self.value(2),
            2 => call["transcript"] = self.value(2),
            3 => call = self.value(1),
            _ => {}
        }
        let mut body = json!({"name": self.pick(&names), "args": self.value(0), "call": call});
        if self.below(10) == 0 {
            body["args"] = json!(self.string());
        }
        self.mangle(serde_json::to_vec(&body).unwrap())
    }

    fn webhook_body(&mut self) -> Vec<u8> {
        let events = [
            "call_started",
            "call_ended",
            "call_analyzed",
            "transcript_updated",
            "transfer_started",
            "call_inbound",
            "x",
        ];
        let numbers = [FRISEUR, SMILE, HANS, "anonymous", ""];
        let mut call = call_object(
            &format!("call_fuzz_{}", self.below(40)),
            self.pick::<&str>(&numbers),
            self.pick::<&str>(&numbers),
            "ended",
        );
        if self.below(4) == 0 {
            call[*self.pick(&["call_status", "end_timestamp", "call_cost", "call_analysis", "duration_ms"])] =
                self.value(1);
        }
        let body = match self.below(5) {
            0 => json!({"event": self.pick(&events), "data": call}),
            1 => json!({"event": "call_inbound", "call_inbound": self.value(0)}),
            2 => json!({"event": self.value(1), "call": call}),
            _ => json!({"event": self.pick(&events), "call": call}),
        };
        self.mangle(serde_json::to_vec(&body).unwrap())
    }

    /// Sometimes truncates, garbles or replaces the body entirely.
    fn mangle(&mut self, mut bytes: Vec<u8>) -> Vec<u8> {
        match self.below(12) {
            0 => bytes.truncate(self.below(bytes.len() as u64 + 1) as usize),
            1 => bytes = (0..self.below(300)).map(|_| self.next() as u8).collect(),
            2 => bytes = serde_json::to_vec(&self.value(0)).unwrap(),
            _ => {}
        }
        bytes
    }
}

/// What every answer must look like, whatever the body: the function endpoint answers 200 with
/// `{success, status, message}` (a status from the contract) or a JSON error (400 for a body it
/// cannot read); the webhook answers 204 with nothing, 200 with `call_inbound` for an inbound
/// call, or a JSON 400. Never a 5xx.
fn check_answer(endpoint: &str, status: u16, body: &[u8]) -> Result<(), String> {
    let json = || serde_json::from_slice::<Value>(body).map_err(|e| format!("not JSON ({e})"));
    let error_shape =
        |v: &Value| v["error"]["code"].as_str().filter(|c| !c.is_empty()).and(v["error"]["message"].as_str()).is_some();
    match (endpoint, status) {
        ("/webhooks/retell", 204) if body.is_empty() => Ok(()),
        ("/webhooks/retell", 200) if json()?["call_inbound"].is_object() => Ok(()),
        (e, 200) if e.starts_with("/retell/functions") => {
            let v = json()?;
            let known = v["status"].as_str().and_then(Status::parse).is_some();
            let shaped = v["success"].is_boolean() && v["message"].as_str().is_some_and(|m| !m.trim().is_empty());
            if known && shaped { Ok(()) } else { Err(format!("malformed answer {v}")) }
        }
        (_, 400) if error_shape(&json()?) => Ok(()),
        _ => Err(format!("unexpected {status}: {}", String::from_utf8_lossy(body))),
    }
}

async fn thousands_of_generated_bodies_get_well_formed_answers(db: TestDb) {
    let s = TestServer::start(db, TestServer::settings(Some("2026-03-09T08:00:00Z".parse().unwrap()))).await;
    let mut generator = Gen(Rng::new(0x5eed));
    let endpoints = ["/retell/functions", "/retell/functions/check_availability", "/webhooks/retell"];
    for endpoint in endpoints {
        let mut statuses = std::collections::BTreeMap::new();
        for i in 0..1500 {
            let body =
                if endpoint == "/webhooks/retell" { generator.webhook_body() } else { generator.function_body() };
            let response = s.retell_raw(endpoint, body.clone()).await;
            let status = response.status().as_u16();
            let answer = response.bytes().await.unwrap();
            if let Err(why) = check_answer(endpoint, status, &answer) {
                panic!("{endpoint} #{i}: {why}\nfor {}", String::from_utf8_lossy(&body[..body.len().min(500)]));
            }
            *statuses.entry(status).or_insert(0) += 1;
        }
        // Most generated bodies are well-formed enough to be answered.
        assert!(
            statuses.get(&200).copied().unwrap_or(0) + statuses.get(&204).copied().unwrap_or(0) > 500,
            "{endpoint}: {statuses:?}"
        );
    }
    // Unsigned garbage is refused before it is read.
    let response = s.client.post(format!("{}/retell/functions", s.url)).body(vec![0xff; 1000]).send().await.unwrap();
    assert_eq!(response.status(), 401);
    // The server is still healthy and every answered function call left a trace.
    assert_eq!(s.get("/readyz").await.status(), 200);
    assert!(s.db.scalar("SELECT COUNT(*) FROM function_traces").await > 500);
    assert_eq!(s.db.overlapping_segments().await, 0);
    s.stop().await;
}

/// Reads what the server sends on `stream` until it closes the connection (or 10 s pass).
fn read_until_closed(mut stream: std::net::TcpStream) -> Option<String> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut received = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(String::from_utf8_lossy(&received).into_owned()),
            Ok(n) => received.extend_from_slice(&buf[..n]),
            // Reset by the server counts as closed; a read timeout means it kept the connection.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(String::from_utf8_lossy(&received).into_owned());
            }
            Err(_) => return None,
        }
    }
}

/// A client that sends its headers a byte at a time (slowloris) is disconnected once the header
/// read timeout passes, instead of holding the connection forever.
async fn slow_headers_are_cut_off(db: TestDb) {
    let mut settings = TestServer::settings(None);
    settings.header_read_timeout = Duration::from_millis(500);
    let s = TestServer::start(db, settings).await;
    let mut stream = std::net::TcpStream::connect(s.addr).unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: te").unwrap();
    let closed = tokio::task::spawn_blocking(move || read_until_closed(stream)).await.unwrap();
    let answer = closed.expect("the server closed the slow connection");
    assert!(!answer.contains("200 OK"), "{answer}");
    // A client that sends its headers at once is served as before.
    assert_eq!(s.get("/healthz").await.status(), 200);
    s.stop().await;
}

/// Beyond the connection cap a new connection is refused clearly (503, JSON) and closed; once a
/// connection closes, new ones are served again.
async fn connections_beyond_the_cap_are_refused(db: TestDb) {
    let mut settings = TestServer::settings(None);
    settings.max_connections = 2;
    let s = TestServer::start(db, settings).await;
    let held: Vec<std::net::TcpStream> = (0..2).map(|_| std::net::TcpStream::connect(s.addr).unwrap()).collect();
    // Until the server has accepted both, a third may still be served (and closes after its
    // answer); once it has, the third is refused.
    let mut refused = String::new();
    for _ in 0..50 {
        let mut third = std::net::TcpStream::connect(s.addr).unwrap();
        third.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").unwrap();
        refused = tokio::task::spawn_blocking(move || read_until_closed(third)).await.unwrap().unwrap_or_default();
        if refused.starts_with("HTTP/1.1 503") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains(r#""code":"too_many_connections""#), "{refused}");
    drop(held);
    let mut served = false;
    for _ in 0..50 {
        let fresh = frontdesk_server::test_support::http_client();
        if fresh.get(format!("{}/healthz", s.url)).send().await.is_ok_and(|r| r.status() == 200) {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served, "served again once the held connections closed");
    s.stop().await;
}

/// A request whose body is still arriving when shutdown begins is answered before the server
/// stops.
async fn shutdown_finishes_in_flight_requests(db: TestDb) {
    let s = TestServer::start(db, TestServer::settings(Some("2026-03-09T08:00:00Z".parse().unwrap()))).await;
    let body = serde_json::to_vec(
        &json!({"name": "list_services", "args": {}, "call": call_object("call_shutdown", HANS, FRISEUR, "ongoing")}),
    )
    .unwrap();
    let signature = frontdesk_retell::signature::sign(RETELL_KEY, &body, jiff::Timestamp::now().as_millisecond());
    let mut stream = std::net::TcpStream::connect(s.addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!(
        "POST /retell/functions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nX-Retell-Signature: {signature}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..10]).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut s = s;
    let server = s.server.take().unwrap();
    let stopping = tokio::spawn(async move { server.shutdown().await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!stopping.is_finished(), "shutdown waits for the request in flight");

    let rest = body[10..].to_vec();
    let answer = tokio::task::spawn_blocking(move || {
        stream.write_all(&rest).unwrap();
        let mut response = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            response.extend_from_slice(&buf[..n]);
            if response.windows(4).any(|w| w == b"\r\n\r\n")
                && String::from_utf8_lossy(&response).contains("\"status\":\"ok\"")
            {
                break;
            }
        }
        String::from_utf8_lossy(&response).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"status\":\"ok\""), "{answer}");
    tokio::time::timeout(Duration::from_secs(10), stopping).await.expect("shutdown completes").unwrap().unwrap();
    // New connections are refused after shutdown.
    assert!(std::net::TcpStream::connect(s.addr).is_err());
}

backend_tests!(
    slow_headers_are_cut_off,
    connections_beyond_the_cap_are_refused,
    thousands_of_generated_bodies_get_well_formed_answers,
    shutdown_finishes_in_flight_requests
);
