use frontdesk_server::test_support::TestServer;
use frontdesk_store::backend_tests;
use frontdesk_store::test_support::TestDb;
use serde_json::Value;

async fn start(db: TestDb) -> TestServer {
    TestServer::start(db, TestServer::settings(None)).await
}

async fn health_readiness_and_metrics(db: TestDb) {
    let kind = db.kind.to_string();
    let server = start(db).await;
    let health = server.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let ready = server.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], kind);

    let metrics = server.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = metrics.text().await.unwrap();
    assert!(text.contains(r#"frontdesk_http_requests_total{method="GET",route="/readyz",status="200"}"#), "{text}");
    assert!(text.contains("frontdesk_http_request_duration_seconds_bucket"), "{text}");
    server.stop().await;
}

/// With `FRONTDESK_METRICS_LISTEN`, `/metrics` moves to its own (private) address: the public
/// one no longer serves it.
async fn metrics_can_have_an_address_of_their_own(db: TestDb) {
    let mut settings = TestServer::settings(None);
    settings.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    let server = TestServer::start(db, settings).await;
    assert_eq!(server.get("/healthz").await.status(), 200);
    let public = server.get("/metrics").await;
    assert_eq!(public.status(), 404);
    let metrics_addr = server.server.as_ref().unwrap().metrics_addr.expect("a metrics address");
    assert_ne!(metrics_addr, server.addr);
    let private = server.client.get(format!("http://{metrics_addr}/metrics")).send().await.unwrap();
    assert_eq!(private.status(), 200);
    let text = private.text().await.unwrap();
    assert!(text.contains(r#"frontdesk_http_requests_total{method="GET",route="/healthz",status="200"}"#), "{text}");
    let other = server.client.get(format!("http://{metrics_addr}/healthz")).send().await.unwrap();
    assert_eq!(other.status(), 404, "the metrics address serves nothing else");
    server.stop().await;
}

async fn errors_are_json(db: TestDb) {
    let server = start(db).await;
    let cases = [
        (server.get("/no/such/path").await, 404, "not_found"),
        (server.client.post(format!("{}/healthz", server.url)).send().await.unwrap(), 405, "method_not_allowed"),
    ];
    for (response, status, code) in cases {
        assert_eq!(response.status(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // An oversized body is refused from its Content-Length, before it is read. The server then
    // closes the connection, so a client still writing the body may see a broken pipe instead of
    // the answer: announce the body and send none of it.
    let (status, body) = oversized_request(server.addr).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
    server.stop().await;
}

/// Sends a POST announcing a body one byte over the 1 MiB limit; returns the status and JSON body.
async fn oversized_request(addr: std::net::SocketAddr) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /healthz HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        1024 * 1024 + 1
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tcp.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{answer}"));
    let (_, body) = answer.split_once("\r\n\r\n").unwrap_or_else(|| panic!("{answer}"));
    (status, serde_json::from_str(body.trim()).unwrap_or_else(|e| panic!("{e}: {answer}")))
}

async fn the_directory_follows_imports_while_serving(db: TestDb) {
    let mut settings = TestServer::settings(None);
    settings.directory_refresh = std::time::Duration::from_millis(50);
    let server = TestServer::start(db, settings).await;
    let running = server.server.as_ref().unwrap();
    let before = running.state.directory().version();
    let changed = frontdesk_domain::tenant_file::DEMO_TENANTS.replace("Friseur 1 Zentrale", "Friseur 1 Mitte");
    let spec = frontdesk_domain::tenant_file::parse(&changed).unwrap();
    running.state.store().import_tenants(&spec, jiff::Timestamp::now()).await.unwrap();
    let mut waited = 0;
    while running.state.directory().version() == before {
        assert!(waited < 100, "the directory was not refreshed");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        waited += 1;
    }
    let dir = running.state.directory();
    assert_eq!(dir.company_by_key("friseur1").unwrap().branches[0].def.name, "Friseur 1 Mitte");
    server.stop().await;
}

backend_tests!(
    health_readiness_and_metrics,
    metrics_can_have_an_address_of_their_own,
    errors_are_json,
    the_directory_follows_imports_while_serving
);
