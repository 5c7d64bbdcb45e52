//! A real server for tests: a fresh database, the demo tenants, a random port, real HTTP.

use std::net::SocketAddr;
use std::sync::Arc;

use frontdesk_domain::tenant_file::{self, DEMO_TENANTS};
use frontdesk_domain::time::ShiftedClock;
use frontdesk_store::test_support::TestDb;
use jiff::Timestamp;

use frontdesk_retell::signature::sign;

use crate::{RunningServer, Settings};

/// Friseur 1's main number (Berlin).
pub const FRISEUR: &str = "+493033081738";
/// Bright Smile's number (New York).
pub const SMILE: &str = "+12125550123";
/// Hans Müller, a known customer of Friseur 1.
pub const HANS: &str = "+491604366218";
/// John Carter, a known customer of Bright Smile.
pub const JOHN: &str = "+12125550199";

/// A call object as Retell embeds it in function calls and webhooks.
pub fn call_object(call_id: &str, from: &str, to: &str, status: &str) -> serde_json::Value {
    serde_json::json!({
        "call_id": call_id,
        "agent_id": "agent_test",
        "agent_version": 1,
        "call_type": "phone_call",
        "call_status": status,
        "direction": "inbound",
        "from_number": from,
        "to_number": to,
        "start_timestamp": 1_773_129_600_000_i64,
    })
}

/// The Retell key test servers accept.
pub const RETELL_KEY: &str = "test-retell-key";
/// The admin token test servers accept.
pub const ADMIN_TOKEN: &str = "test-admin-token";

/// An HTTP client for tests (installs the process's TLS crypto provider first).
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// A server on a random port over a fresh database holding the demo tenants.
pub struct TestServer {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// An HTTP client.
    pub client: reqwest::Client,
    /// The running server.
    pub server: Option<RunningServer>,
    /// The database (dropped last).
    pub db: TestDb,
}

impl TestServer {
    /// Settings for a test server: random port, test keys, and a business clock starting at
    /// `clock_start` if given.
    pub fn settings(clock_start: Option<Timestamp>) -> Settings {
        let mut settings = Settings::new(
            "127.0.0.1:0".parse().expect("literal address"),
            vec![RETELL_KEY.to_owned()],
            Some(ADMIN_TOKEN.to_owned()),
        );
        if let Some(start) = clock_start {
            settings.clock = Arc::new(ShiftedClock::starting_at(start));
        }
        settings
    }

    /// Starts a server on `db` with the demo tenants imported.
    pub async fn start(db: TestDb, settings: Settings) -> TestServer {
        Self::start_with_tenants(db, settings, DEMO_TENANTS).await
    }

    /// Starts a server on `db` with the tenants of `tenant_file` imported.
    pub async fn start_with_tenants(db: TestDb, settings: Settings, tenant_file: &str) -> TestServer {
        let store = db.open().await;
        let spec = tenant_file::parse(tenant_file).expect("tenant file parses");
        store.import_tenants(&spec, Timestamp::now()).await.expect("import demo tenants");
        let server = RunningServer::start(store, settings).await.expect("start server");
        let addr = server.addr;
        TestServer { url: format!("http://{addr}"), addr, client: http_client(), server: Some(server), db }
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.url)).send().await.expect("request")
    }

    /// GET a path with the admin token.
    pub async fn admin_get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.url)).bearer_auth(ADMIN_TOKEN).send().await.expect("request")
    }

    /// POSTs `body` to `path`, signed with the test key as Retell would sign it now.
    pub async fn retell(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        let bytes = serde_json::to_vec(body).expect("serialise");
        self.retell_raw(path, bytes).await
    }

    /// POSTs raw bytes to `path`, signed with the test key.
    pub async fn retell_raw(&self, path: &str, bytes: Vec<u8>) -> reqwest::Response {
        let signature = sign(RETELL_KEY, &bytes, Timestamp::now().as_millisecond());
        self.client
            .post(format!("{}{path}", self.url))
            .header("x-retell-signature", signature)
            .header("content-type", "application/json")
            .body(bytes)
            .send()
            .await
            .expect("request")
    }

    /// Calls a function during `call` and returns its answer (asserting HTTP 200).
    pub async fn function(&self, name: &str, args: serde_json::Value, call: &serde_json::Value) -> serde_json::Value {
        let body = serde_json::json!({"name": name, "args": args, "call": call});
        let response = self.retell("/retell/functions", &body).await;
        assert_eq!(response.status(), 200, "{name} answered {}", response.status());
        response.json().await.expect("JSON answer")
    }

    /// Delivers a webhook event about `call`; returns the HTTP status.
    pub async fn webhook(&self, event: &str, call: &serde_json::Value) -> u16 {
        let body = serde_json::json!({"event": event, "call": call});
        self.retell("/webhooks/retell", &body).await.status().as_u16()
    }

    /// Shuts the server down gracefully.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("graceful shutdown");
        }
    }
}

/// A business clock a test moves by hand: to see a reminder wait for its moment, then go.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<Timestamp>);

impl ManualClock {
    /// A clock reading `start` until moved.
    pub fn new(start: Timestamp) -> Arc<ManualClock> {
        Arc::new(ManualClock(std::sync::Mutex::new(start)))
    }

    /// Moves the clock to `to`.
    pub fn set(&self, to: Timestamp) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = to;
    }
}

impl frontdesk_domain::time::Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
