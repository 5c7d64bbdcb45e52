//! `frontdesk simulate` against a `frontdesk serve --demo` process, with the fake Retell API the
//! simulator serves for the server's reconciler.

use frontdesk_store::test_support::TestDb;

use super::process::ServerProcess;
use super::{frontdesk, text};

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

async fn simulate(db: &TestDb, args: Vec<String>) -> std::process::Output {
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        frontdesk(&url, &args)
    })
    .await
    .expect("simulate ran")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_reports_json_and_fails_when_it_cannot_check() {
    let db = TestDb::sqlite();
    let fake = format!("127.0.0.1:{}", free_port());
    let server = ServerProcess::spawn(
        &db.url,
        &[
            "--demo",
            "--clock-start",
            "2026-03-09T08:00:00Z",
            "--retell-base-url",
            &format!("http://{fake}"),
            "--reconcile-after",
            "1s",
            "--worker-interval",
            "100ms",
        ],
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("report.json");
    let run = |extra: &[&str]| {
        let mut args: Vec<String> =
            ["simulate", "--url", &server.url, "--calls", "30", "--concurrency", "4", "--seed", "3"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    };

    let out = simulate(&db, run(&["--chaos", "--fake-retell-listen", &fake, "--json", json.to_str().unwrap()])).await;
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("PASSED"), "{stdout}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["calls"], 30);
    assert!(report["checks"].as_array().unwrap().iter().all(|c| c["ok"] == true), "{report}");
    assert!(report["latency"]["fn:initialize_call"]["count"].as_u64() >= Some(30), "{report}");

    // Without the admin token nothing can be checked: that is a failure, never a pass.
    let out = simulate(&db, run(&["--admin-token", "wrong"])).await;
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("401"), "{stderr}");

    assert!(server.terminate().await.success());
}
