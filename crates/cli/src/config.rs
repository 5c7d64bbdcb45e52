//! Configuration: command-line flags, then `FRONTDESK_*` environment variables (both handled by
//! clap), then an optional TOML file, then defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use frontdesk_domain::tenant::Email;
use frontdesk_server::access::client::ClientAddress;
use frontdesk_server::notify::sms::SmsTarget;
use frontdesk_server::notify::smtp::SmtpTarget;
use frontdesk_server::settings::NotifySettings;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

/// Default database: an SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://frontdesk.db";
/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Retell key used by `serve --demo` when none is configured.
pub const DEMO_RETELL_KEY: &str = "demo-retell-key";
/// Admin token used by `serve --demo` when none is configured.
pub const DEMO_ADMIN_TOKEN: &str = "demo-admin-token";

/// Log output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Options every command accepts.
#[derive(Args, Debug, Default)]
pub struct GlobalArgs {
    /// Database URL: sqlite://PATH or postgres://… [default: sqlite://frontdesk.db]
    #[arg(long, global = true, env = "FRONTDESK_DATABASE_URL")]
    pub database_url: Option<String>,
    /// TOML configuration file (flags and environment variables take precedence).
    #[arg(long, global = true, env = "FRONTDESK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format [default: text]
    #[arg(long, global = true, env = "FRONTDESK_LOG_FORMAT", value_enum)]
    pub log_format: Option<LogFormat>,
}

/// Options of `frontdesk serve`.
#[derive(Args, Debug, Default)]
pub struct ServeArgs {
    /// Import the demo tenants into an empty database and use the demo key and token.
    #[arg(long)]
    pub demo: bool,
    /// With --demo on an empty database, also book a week of appointments and play a few
    /// simulated calls for the dashboard (`false` for benchmarks that want the bare tenants)
    /// [default: true]
    #[arg(long, env = "FRONTDESK_DEMO_DATA")]
    pub demo_data: Option<bool>,
    /// Address to bind [default: 127.0.0.1:8080]
    #[arg(long, env = "FRONTDESK_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// A separate (private) address for /metrics; then the main address does not serve it.
    #[arg(long, env = "FRONTDESK_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Retell API key(s), comma-separated; any of them verifies signatures.
    #[arg(long, env = "FRONTDESK_RETELL_API_KEY", value_delimiter = ',', hide_env_values = true)]
    pub retell_api_key: Vec<String>,
    /// Retell REST API base URL [default: https://api.retellai.com]
    #[arg(long, env = "FRONTDESK_RETELL_BASE_URL")]
    pub retell_base_url: Option<String>,
    /// Bearer token for /api/v1.
    #[arg(long, env = "FRONTDESK_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Start the business clock at this RFC 3339 instant (tests, simulations).
    #[arg(long, env = "FRONTDESK_CLOCK_START")]
    pub clock_start: Option<Timestamp>,
    /// Fetch calls from Retell that are still ongoing this long after their last event [default: 10m]
    #[arg(long, env = "FRONTDESK_RECONCILE_AFTER", value_parser = parse_duration)]
    pub reconcile_after: Option<Duration>,
    /// Answer 503 to requests that take longer than this [default: 10s]
    #[arg(long, env = "FRONTDESK_REQUEST_TIMEOUT", value_parser = parse_duration)]
    pub request_timeout: Option<Duration>,
    /// How often the background workers (reconciler, Cal.com outbox) look for work [default: 5s]
    #[arg(long, env = "FRONTDESK_WORKER_INTERVAL", value_parser = parse_duration)]
    pub worker_interval: Option<Duration>,
    /// How often Cal.com is asked for bookings its webhooks may have missed [default: 5m]
    #[arg(long, env = "FRONTDESK_CALCOM_PULL_INTERVAL", value_parser = parse_duration)]
    pub calcom_pull_interval: Option<Duration>,
    /// Disconnect clients that take longer to send a request's headers [default: 10s]
    #[arg(long, env = "FRONTDESK_HEADER_READ_TIMEOUT", value_parser = parse_duration)]
    pub header_read_timeout: Option<Duration>,
    /// Most connections open at once; beyond, new ones are answered 503 [default: 10000]
    #[arg(long, env = "FRONTDESK_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// Connections the kernel queues before they are accepted [default: 4096]
    #[arg(long, env = "FRONTDESK_LISTEN_BACKLOG")]
    pub listen_backlog: Option<u32>,
    /// How long a browser session lasts after login [default: 12h]
    #[arg(long, env = "FRONTDESK_SESSION_TTL", value_parser = parse_duration)]
    pub session_ttl: Option<Duration>,
    /// Where a client's address comes from, for login limits per address: `peer` (exposed
    /// directly), `forwarded:PROXY,…` (X-Forwarded-For from these proxies) [default: unknown]
    #[arg(long, env = "FRONTDESK_CLIENT_ADDRESS")]
    pub client_address: Option<String>,
    /// Mark the session cookie `Secure` (HTTPS only; browsers still send it to localhost) [default: true]
    #[arg(long, env = "FRONTDESK_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// Keep function traces, webhook payloads and transcripts of finished calls this long
    /// (`90d`, `12h`); unset keeps everything
    #[arg(long, env = "FRONTDESK_RETENTION", value_parser = parse_retention)]
    pub retention: Option<Duration>,
    /// The server's public base URL, for links in e-mails (`https://desk.example.com`)
    /// [default: http://LISTEN]
    #[arg(long, env = "FRONTDESK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The mail server: `smtps://user:password@host[:465]` or `smtp://host[:port][?tls=required|none]`;
    /// unset: e-mails are recorded as skipped
    #[arg(long, env = "FRONTDESK_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The mail server's password (instead of one in the URL)
    #[arg(long, env = "FRONTDESK_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The `From` address of companies whose tenant file names no sender
    #[arg(long, env = "FRONTDESK_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// A Twilio-compatible SMS API with its account and token: `https://SID:TOKEN@api.twilio.com`;
    /// unset: text messages are recorded as skipped
    #[arg(long, env = "FRONTDESK_SMS_URL", hide_env_values = true)]
    pub sms_url: Option<String>,
    /// The number text messages come from (E.164)
    #[arg(long, env = "FRONTDESK_SMS_FROM")]
    pub sms_from: Option<String>,
}

/// The optional TOML file; same names as the environment variables without the prefix.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    database_url: Option<String>,
    listen: Option<SocketAddr>,
    metrics_listen: Option<SocketAddr>,
    retell_api_key: Option<Keys>,
    retell_base_url: Option<String>,
    admin_token: Option<String>,
    clock_start: Option<Timestamp>,
    log_format: Option<LogFormat>,
    reconcile_after: Option<String>,
    request_timeout: Option<String>,
    worker_interval: Option<String>,
    calcom_pull_interval: Option<String>,
    header_read_timeout: Option<String>,
    max_connections: Option<usize>,
    listen_backlog: Option<u32>,
    session_ttl: Option<String>,
    client_address: Option<String>,
    secure_cookies: Option<bool>,
    retention: Option<String>,
    public_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    sms_url: Option<String>,
    sms_from: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Keys {
    One(String),
    Many(Vec<String>),
}

/// Parses `10m`, `30s`, `1h 30m`, `500ms` or ISO 8601 (`PT10M`).
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let d = SignedDuration::from_str(raw.trim()).map_err(|e| format!("`{raw}` is not a duration: {e}"))?;
    Duration::try_from(d).map_err(|_| format!("`{raw}` must not be negative"))
}

/// A retention period: days (`90d`) or any duration [`parse_duration`] reads.
pub fn parse_retention(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    if let Some(days) = raw.strip_suffix('d').and_then(|d| d.trim().parse::<u64>().ok()) {
        return Ok(Duration::from_secs(days * 24 * 3600));
    }
    parse_duration(raw)
}

impl FileConfig {
    /// Reads the file named by `--config`, if any.
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let Some(path) = path else { return Ok(FileConfig::default()) };
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }
}

/// The resolved settings of every command.
#[derive(Debug)]
pub struct Resolved {
    /// Database URL.
    pub database_url: String,
    /// Log format.
    pub log_format: LogFormat,
}

/// The resolved settings of `serve`.
#[derive(Debug)]
pub struct ResolvedServe {
    /// Bind address.
    pub listen: SocketAddr,
    /// Separate metrics address.
    pub metrics_listen: Option<SocketAddr>,
    /// Retell keys (at least one).
    pub retell_api_keys: Vec<String>,
    /// Retell API base.
    pub retell_base_url: Option<String>,
    /// Admin token.
    pub admin_token: Option<String>,
    /// Business clock start.
    pub clock_start: Option<Timestamp>,
    /// Reconcile threshold.
    pub reconcile_after: Option<Duration>,
    /// Request timeout.
    pub request_timeout: Option<Duration>,
    /// Background worker interval.
    pub worker_interval: Option<Duration>,
    /// Cal.com catch-up pull interval.
    pub calcom_pull_interval: Option<Duration>,
    /// Header read timeout.
    pub header_read_timeout: Option<Duration>,
    /// Connection cap.
    pub max_connections: Option<usize>,
    /// Listen backlog.
    pub listen_backlog: Option<u32>,
    /// Session lifetime.
    pub session_ttl: Option<Duration>,
    /// Where client addresses come from.
    pub client_address: ClientAddress,
    /// `Secure` session cookie.
    pub secure_cookies: Option<bool>,
    /// Retention of traces, payloads and transcripts.
    pub retention: Option<Duration>,
    /// Public base URL.
    pub public_url: Option<String>,
    /// The mail server.
    pub smtp: Option<SmtpTarget>,
    /// The default sender.
    pub mail_from: Option<Email>,
    /// The SMS provider.
    pub sms: Option<SmsTarget>,
}

/// Merges flags/environment with the file.
pub fn resolve(global: &GlobalArgs, file: &FileConfig) -> Resolved {
    Resolved {
        database_url: global
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
        log_format: global.log_format.or(file.log_format).unwrap_or_default(),
    }
}

/// Merges the serve flags/environment with the file; refuses to run without a Retell key.
pub fn resolve_serve(args: &ServeArgs, file: &FileConfig) -> anyhow::Result<ResolvedServe> {
    let mut keys: Vec<String> =
        args.retell_api_key.iter().map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect();
    if keys.is_empty() {
        keys = match &file.retell_api_key {
            Some(Keys::One(k)) => k.split(',').map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect(),
            Some(Keys::Many(ks)) => ks.iter().map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect(),
            None => Vec::new(),
        };
    }
    let mut admin_token = args.admin_token.clone().or_else(|| file.admin_token.clone()).filter(|t| !t.is_empty());
    if args.demo {
        if keys.is_empty() {
            keys.push(DEMO_RETELL_KEY.to_owned());
        }
        admin_token.get_or_insert_with(|| DEMO_ADMIN_TOKEN.to_owned());
    }
    if keys.is_empty() {
        bail!(
            "no Retell API key: frontdesk verifies every request from Retell with it.\n\
             Set FRONTDESK_RETELL_API_KEY (or --retell-api-key, or retell_api_key in --config), \
             or run `frontdesk serve --demo` to try it with the demo tenants."
        );
    }
    let file_duration = |raw: &Option<String>, name: &str| -> anyhow::Result<Option<Duration>> {
        raw.as_deref().map(parse_duration).transpose().map_err(|e| anyhow::anyhow!("{name}: {e}"))
    };
    Ok(ResolvedServe {
        listen: match args.listen.or(file.listen) {
            Some(addr) => addr,
            None => DEFAULT_LISTEN.parse()?,
        },
        metrics_listen: args.metrics_listen.or(file.metrics_listen),
        retell_api_keys: keys,
        retell_base_url: args.retell_base_url.clone().or_else(|| file.retell_base_url.clone()),
        admin_token,
        clock_start: args.clock_start.or(file.clock_start),
        reconcile_after: match args.reconcile_after {
            Some(d) => Some(d),
            None => file_duration(&file.reconcile_after, "reconcile_after")?,
        },
        request_timeout: match args.request_timeout {
            Some(d) => Some(d),
            None => file_duration(&file.request_timeout, "request_timeout")?,
        },
        worker_interval: match args.worker_interval {
            Some(d) => Some(d),
            None => file_duration(&file.worker_interval, "worker_interval")?,
        },
        calcom_pull_interval: match args.calcom_pull_interval {
            Some(d) => Some(d),
            None => file_duration(&file.calcom_pull_interval, "calcom_pull_interval")?,
        },
        header_read_timeout: match args.header_read_timeout {
            Some(d) => Some(d),
            None => file_duration(&file.header_read_timeout, "header_read_timeout")?,
        },
        max_connections: args.max_connections.or(file.max_connections),
        listen_backlog: args.listen_backlog.or(file.listen_backlog),
        session_ttl: match args.session_ttl {
            Some(d) => Some(d),
            None => file_duration(&file.session_ttl, "session_ttl")?,
        },
        client_address: args
            .client_address
            .as_deref()
            .or(file.client_address.as_deref())
            .map(str::parse::<ClientAddress>)
            .transpose()
            .map_err(|e| anyhow::anyhow!("client_address: {e}"))?
            .unwrap_or_default(),
        secure_cookies: args.secure_cookies.or(file.secure_cookies),
        retention: match args.retention {
            Some(d) => Some(d),
            None => file
                .retention
                .as_deref()
                .map(parse_retention)
                .transpose()
                .map_err(|e| anyhow::anyhow!("retention: {e}"))?,
        },
        public_url: match args.public_url.clone().or_else(|| file.public_url.clone()) {
            Some(url) => Some(NotifySettings::public_url(&url).map_err(|e| anyhow::anyhow!("public_url: {e}"))?),
            None => None,
        },
        smtp: args
            .smtp_url
            .clone()
            .or_else(|| file.smtp_url.clone())
            .filter(|u| !u.trim().is_empty())
            .map(|u| SmtpTarget::parse(&u, args.smtp_password.clone()))
            .transpose()
            .map_err(|e| anyhow::anyhow!("smtp_url: {e}"))?,
        mail_from: args
            .mail_from
            .clone()
            .or_else(|| file.mail_from.clone())
            .map(|m| Email::parse(&m).ok_or_else(|| anyhow::anyhow!("mail_from `{m}` is not an e-mail address")))
            .transpose()?,
        sms: match (
            args.sms_url.clone().or_else(|| file.sms_url.clone()),
            args.sms_from.clone().or_else(|| file.sms_from.clone()),
        ) {
            (Some(url), Some(from)) => {
                Some(SmsTarget::parse(&url, &from).map_err(|e| anyhow::anyhow!("sms_url: {e}"))?)
            }
            (Some(_), None) => bail!("FRONTDESK_SMS_URL needs FRONTDESK_SMS_FROM, the number messages come from"),
            (None, _) => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_periods() {
        assert_eq!(parse_retention("90d").unwrap(), Duration::from_secs(90 * 24 * 3600));
        assert_eq!(parse_retention("12h").unwrap(), Duration::from_secs(12 * 3600));
        assert!(parse_retention("soon").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_duration("1h 30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("PT10S").unwrap(), Duration::from_secs(10));
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let file: FileConfig = toml::from_str(
            "database_url = \"sqlite://file.db\"\nlisten = \"0.0.0.0:9000\"\nretell_api_key = [\"a\", \"b\"]\nreconcile_after = \"5m\"",
        )
        .unwrap();
        let global = GlobalArgs { database_url: Some("sqlite://flag.db".into()), ..Default::default() };
        assert_eq!(resolve(&global, &file).database_url, "sqlite://flag.db");
        assert_eq!(resolve(&GlobalArgs::default(), &file).database_url, "sqlite://file.db");
        assert_eq!(resolve(&GlobalArgs::default(), &FileConfig::default()).database_url, DEFAULT_DATABASE_URL);

        let serve = resolve_serve(&ServeArgs::default(), &file).unwrap();
        assert_eq!(serve.retell_api_keys, vec!["a", "b"]);
        assert_eq!(serve.listen.port(), 9000);
        assert_eq!(serve.reconcile_after, Some(Duration::from_secs(300)));
        let flags = ServeArgs { retell_api_key: vec!["k".into()], ..Default::default() };
        assert_eq!(resolve_serve(&flags, &file).unwrap().retell_api_keys, vec!["k"]);
    }

    #[test]
    fn serve_refuses_without_a_key_unless_demo() {
        let err = resolve_serve(&ServeArgs::default(), &FileConfig::default()).unwrap_err();
        assert!(err.to_string().contains("no Retell API key"));
        let demo = resolve_serve(&ServeArgs { demo: true, ..Default::default() }, &FileConfig::default()).unwrap();
        assert_eq!(demo.retell_api_keys, vec![DEMO_RETELL_KEY]);
        assert_eq!(demo.admin_token.as_deref(), Some(DEMO_ADMIN_TOKEN));
    }

    #[test]
    fn unknown_file_keys_are_rejected() {
        assert!(toml::from_str::<FileConfig>("databse_url = \"x\"").is_err());
    }
}
