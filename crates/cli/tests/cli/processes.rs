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
