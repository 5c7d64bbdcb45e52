//! The server's typed settings. How they are read (flags, environment, file) is the command
//! line's business; here they are already validated.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use frontdesk_domain::time::{Clock, SystemClock};

use frontdesk_domain::tenant::Email;

use crate::access::client::ClientAddress;
use crate::notify::sms::SmsTarget;
use crate::notify::smtp::SmtpTarget;

/// Everything `frontdesk serve` needs besides the store.
#[derive(Clone)]
pub struct Settings {
    /// Address to bind.
    pub listen: SocketAddr,
    /// A separate address for `/metrics` (a private interface); then the main address does not
    /// serve it. Unset: `/metrics` is served on `listen`.
    pub metrics_listen: Option<SocketAddr>,
    /// Retell API keys: any of them verifies `X-Retell-Signature`; the first calls Retell's API.
    pub retell_api_keys: Vec<String>,
    /// Retell REST API base.
    pub retell_base_url: String,
    /// Bearer token for `/api/v1`; without one the admin API refuses every request.
    pub admin_token: Option<String>,
    /// The business clock.
    pub clock: Arc<dyn Clock>,
    /// Longest time a request may take before it is answered 503.
    pub request_timeout: Duration,
    /// Longest time to receive a request's headers; a slower client is disconnected.
    pub header_read_timeout: Duration,
    /// Most connections open at once; beyond, new ones are answered 503 and closed.
    pub max_connections: usize,
    /// Connections the kernel queues before they are accepted.
    pub listen_backlog: u32,
    /// Largest request body accepted.
    pub body_limit: usize,
    /// A call still ongoing this long after its last event is fetched from Retell.
    pub reconcile_after: Duration,
    /// A call Retell does not know is marked abandoned once it is this old.
    pub abandon_after: Duration,
    /// How long a reconciler holds a claimed call.
    pub reconcile_lease: Duration,
    /// The reconciler's first backoff after a 429 or 5xx; doubled per attempt, at most 30 minutes.
    pub reconcile_backoff: Duration,
    /// Timeout of one Cal.com request.
    pub calcom_timeout: Duration,
    /// The first backoff of a failed outbox attempt; doubled per attempt, at most 30 minutes.
    pub outbox_backoff: Duration,
    /// Attempts before an outbox job is parked as failed.
    pub outbox_max_attempts: i32,
    /// How often recently changed Cal.com bookings are pulled.
    pub calcom_pull_interval: Duration,
    /// How often background workers look for work.
    pub worker_interval: Duration,
    /// How often the tenant configuration version is checked.
    pub directory_refresh: Duration,
    /// How long a browser session lasts after login.
    pub session_ttl: Duration,
    /// How failed logins are limited.
    pub login_limits: LoginLimits,
    /// Where the client's address comes from (for limits per address).
    pub client_address: ClientAddress,
    /// How long function traces, webhook payloads and transcripts of finished calls are kept;
    /// `None` keeps everything.
    pub retention: Option<Duration>,
    /// How notifications are sent.
    pub notify: NotifySettings,
    /// Whether the session cookie is marked `Secure` (sent over HTTPS only; browsers also send
    /// it to `http://localhost`). Off only for plain-HTTP deployments on a private network.
    pub secure_cookies: bool,
}

/// How confirmations, reminders and alerts are sent.
#[derive(Clone, Debug)]
pub struct NotifySettings {
    /// The server's public base URL (`FRONTDESK_PUBLIC_URL`), for links in messages; no
    /// trailing slash.
    pub public_url: String,
    /// The mail server; without one, e-mails are recorded as skipped.
    pub smtp: Option<SmtpTarget>,
    /// The `From` address of companies that name no sender of their own.
    pub default_sender: Email,
    /// The SMS provider; without one, text messages are recorded as skipped.
    pub sms: Option<SmsTarget>,
    /// The first backoff after a failed attempt; doubled per attempt, at most an hour.
    pub backoff: Duration,
    /// Attempts before a notification is parked as failed.
    pub max_attempts: i32,
    /// How long a worker holds a claimed notification. Longer than `send_timeout` by a margin:
    /// a lease that ended while a message was still being handed over would let a second
    /// worker send it again.
    pub lease: Duration,
    /// Longest time one SMTP conversation or provider request may take.
    pub send_timeout: Duration,
}

impl NotifySettings {
    /// Defaults for a server listening on `listen`.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            public_url: format!("http://{listen}"),
            smtp: None,
            default_sender: Email::parse("frontdesk@localhost.localdomain").expect("a valid address"),
            sms: None,
            backoff: Duration::from_secs(30),
            max_attempts: 10,
            lease: Duration::from_secs(120),
            send_timeout: Duration::from_secs(30),
        }
    }

    /// Checks a public base URL (`https://desk.example.com`) and drops a trailing slash.
    pub fn public_url(raw: &str) -> Result<String, String> {
        let parsed = reqwest::Url::parse(raw.trim()).map_err(|e| format!("`{raw}` is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(format!("`{raw}` is not an http(s) URL"));
        }
        Ok(raw.trim().trim_end_matches('/').to_owned())
    }

    /// The host of the public URL: the name this server gives in `EHLO`, and the domain of
    /// calendar entries' `UID`s.
    pub fn public_host(&self) -> String {
        reqwest::Url::parse(&self.public_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "localhost".to_owned())
    }
}

/// Limits on failed logins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failed logins in a row before an account is locked.
    pub account_failures: u32,
    /// How long a locked account refuses logins.
    pub account_lock: Duration,
    /// Failed logins from one client address per window (when the address is known).
    pub address_failures: u32,
    /// The window of `address_failures`.
    pub address_window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            account_failures: 5,
            account_lock: Duration::from_secs(15 * 60),
            address_failures: 30,
            address_window: Duration::from_secs(15 * 60),
        }
    }
}

impl Settings {
    /// Largest request body accepted by default: 1 MiB.
    pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

    /// Defaults for everything but the listen address and keys.
    pub fn new(listen: SocketAddr, retell_api_keys: Vec<String>, admin_token: Option<String>) -> Self {
        Self {
            listen,
            metrics_listen: None,
            retell_api_keys,
            retell_base_url: "https://api.retellai.com".to_owned(),
            admin_token,
            clock: Arc::new(SystemClock),
            request_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
            max_connections: 10_000,
            listen_backlog: 4096,
            body_limit: Self::DEFAULT_BODY_LIMIT,
            reconcile_after: Duration::from_secs(600),
            abandon_after: Duration::from_secs(2 * 3600),
            reconcile_lease: Duration::from_secs(60),
            reconcile_backoff: Duration::from_secs(30),
            calcom_timeout: Duration::from_secs(10),
            outbox_backoff: Duration::from_secs(5),
            outbox_max_attempts: 8,
            calcom_pull_interval: Duration::from_secs(300),
            worker_interval: Duration::from_secs(5),
            directory_refresh: Duration::from_secs(1),
            session_ttl: Duration::from_secs(12 * 3600),
            login_limits: LoginLimits::default(),
            client_address: ClientAddress::Unknown,
            secure_cookies: true,
            retention: None,
            notify: NotifySettings::new(listen),
        }
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("metrics_listen", &self.metrics_listen)
            .field("retell_api_keys", &format_args!("<{} redacted>", self.retell_api_keys.len()))
            .field("retell_base_url", &self.retell_base_url)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "<redacted>"))
            .field("clock", &self.clock)
            .field("request_timeout", &self.request_timeout)
            .field("body_limit", &self.body_limit)
            .field("reconcile_after", &self.reconcile_after)
            .field("notify", &self.notify)
            .finish_non_exhaustive()
    }
}
