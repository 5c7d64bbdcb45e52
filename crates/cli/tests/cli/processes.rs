//! I1 across processes: two `frontdesk serve` processes share one PostgreSQL database and take
//! concurrent, overlapping bookings.

use frontdesk_store::test_support::TestDb;
use serde_json::json;

use super::frontdesk;
use super::process::ServerProcess;

const DEMO: &str = include_str!("../../../../fixtures/demo-tenant.toml");
const ARGS: &[&str] = &["--retell-api-key", "k", "--admin-token", "t", "--clock-start", "2026-03-09T08:00:00Z"];

async fn race(servers: &[ServerProcess], requests: Vec<serde_json::Value>) -> usize {
    let client = frontdesk_server::test_support::http_client();
    let mut tasks = Vec::new();
    for (i, body) in requests.into_iter().enumerate() {
        let url = format!("{}/api/v1/appointments", servers[i % servers.len()].url);
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let response = client.post(url).bearer_auth("t").json(&body).send().await.unwrap();
            response.status().as_u16()
        }));
    }
    let mut booked = 0;
    for t in tasks {
        match t.await.unwrap() {
            201 => booked += 1,
            409 => {}
            other => panic!("every request is booked or refused as taken, got {other}"),
        }
    }
    booked
}

fn lcg(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |bound| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % bound
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_never_double_book() {
    let Some(db) = TestDb::postgres().await else { return };
    let demo = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(demo.path(), DEMO).unwrap();
    assert!(frontdesk(&db.url, &["import", demo.path().to_str().unwrap()]).status.success());
    let servers = [ServerProcess::spawn(&db.url, ARGS), ServerProcess::spawn(&db.url, ARGS)];

    let mut random = lcg(3);
    let simple: Vec<_> = (0..64)
        .map(|i| {
            let minute = 5 * random(96);
            json!({"company": "friseur1", "service": "herrenhaarschnitt", "staff": "anna",
                   "start": format!("2026-03-10T{:02}:{:02}", 9 + minute / 60, minute % 60),
                   "customer": {"name": format!("Kunde {i}"), "phone": format!("+4917012{i:05}")}})
        })
        .collect();
    let booked = race(&servers, simple).await;
    assert!(booked > 3 && booked < 64, "{booked}");
    assert_eq!(db.overlapping_segments().await, 0);

    let composite: Vec<_> = (0..64)
        .map(|i| {
            let minute = 5 * random(84);
            let service = if i % 2 == 0 { "faerben" } else { "kinderhaarschnitt" };
            json!({"company": "friseur1", "service": service, "staff": "anna",
                   "start": format!("2026-03-11T{:02}:{:02}", 9 + minute / 60, minute % 60),
                   "customer": {"name": format!("Kundin {i}"), "phone": format!("+4917013{i:05}")}})
        })
        .collect();
    let booked_composite = race(&servers, composite).await;
    assert!(booked_composite > 2, "{booked_composite}");
    assert_eq!(db.overlapping_segments().await, 0);
    let stored = db.scalar("SELECT COUNT(*) FROM appointments WHERE status = 'booked'").await;
    assert_eq!(stored, (booked + booked_composite) as i64, "every 201 is exactly one appointment");

    for server in servers {
        assert!(server.terminate().await.success());
    }
}

/// An operator moving appointments (through one process) and callers booking the same times
/// (through the other) at once: each time goes to exactly one of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_move_and_a_voice_booking_in_two_processes() {
    let Some(db) = TestDb::postgres().await else { return };
    let demo = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(demo.path(), DEMO).unwrap();
    assert!(frontdesk(&db.url, &["import", demo.path().to_str().unwrap()]).status.success());
    let servers = [ServerProcess::spawn(&db.url, ARGS), ServerProcess::spawn(&db.url, ARGS)];
    let client = frontdesk_server::test_support::http_client();
    // Anna's appointments at 9:00, 11:00, … on Tuesday and Wednesday; each is moved an hour later
    // while a caller asks for that same hour with Anna (free until then: either can have it).
    let mut ids = Vec::new();
    let times = ["2026-03-10", "2026-03-11"].into_iter().flat_map(|day| [9, 11, 13, 15].map(move |hour| (day, hour)));
    for (i, (day, hour)) in times.enumerate() {
        let body = json!({"company": "friseur1", "service": "herrenhaarschnitt", "staff": "anna",
                          "start": format!("{day}T{hour:02}:00"),
                          "customer": {"name": format!("Kunde {i}"), "phone": format!("+4917014{i:05}")}});
        let response = client
            .post(format!("{}/api/v1/appointments", servers[0].url))
            .bearer_auth("t")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        ids.push((day, hour + 1, response.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap()));
    }
    let mut won = (0, 0);
    let mut tasks = Vec::new();
    for (i, (day, hour, id)) in ids.into_iter().enumerate() {
        let (operator, caller) = (servers[0].url.clone(), servers[1].url.clone());
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let moved = client
                .patch(format!("{operator}/api/v1/appointments/{id}"))
                .bearer_auth("t")
                .json(&json!({"start": format!("{day}T{hour:02}:00")}))
                .send();
            let call = json!({"call_id": format!("call_two_{i}"), "call_status": "ongoing",
                              "from_number": format!("+4917015{i:05}"), "to_number": "+493033081738"});
            let args = json!({"service": "Herrenhaarschnitt", "date": day, "time": format!("{hour}:00"),
                              "staff": "Anna", "name": "Peter Pan"});
            let bytes = serde_json::to_vec(&json!({"name": "book_appointment", "args": args, "call": call})).unwrap();
            let signature = frontdesk_retell::signature::sign("k", &bytes, jiff::Timestamp::now().as_millisecond());
            let booked = client
                .post(format!("{caller}/retell/functions"))
                .header("x-retell-signature", signature)
                .body(bytes)
                .send();
            let (moved, booked) = tokio::join!(moved, booked);
            let moved = moved.unwrap().status().as_u16();
            let booked: serde_json::Value = booked.unwrap().json().await.unwrap();
            (moved, booked["success"] == true)
        }));
    }
    for t in tasks {
        let (moved, caller_won) = t.await.unwrap();
        assert!((moved == 200) ^ caller_won, "exactly one gets the time: operator {moved}, caller {caller_won}");
        assert!(moved == 200 || moved == 409, "{moved}");
        if caller_won { won.1 += 1 } else { won.0 += 1 }
    }
    eprintln!("operator won {} times, the caller {} times", won.0, won.1);
    assert_eq!(db.overlapping_segments().await, 0);
    for server in servers {
        assert!(server.terminate().await.success());
    }
}
