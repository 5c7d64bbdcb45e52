//! A real SMTP server for the tests: Debian's `python3-aiosmtpd` running
//! `tests/support/smtp_sink.py`, which writes every message it accepts to a directory. What
//! arrived is read back with a MIME parser (mail-parser) and an iCalendar parser (icalendar).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use mail_parser::{MessageParser, MimeHeaders};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");

/// Debian's interpreter (where `python3-aiosmtpd` lives), unless told otherwise.
fn python() -> String {
    std::env::var("FRONTDESK_SMTP_SINK_PYTHON").unwrap_or_else(|_| {
        if std::path::Path::new("/usr/bin/python3").exists() { "/usr/bin/python3".into() } else { "python3".into() }
    })
}

/// Whether the SMTP server can run here; in CI (`FRONTDESK_REQUIRE_SMTP=1`) it must.
pub fn available() -> bool {
    let ok = std::process::Command::new(python())
        .args(["-c", "import aiosmtpd"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("FRONTDESK_REQUIRE_SMTP").is_err(),
            "FRONTDESK_REQUIRE_SMTP is set but python3-aiosmtpd is not installed"
        );
        eprintln!("skipping: python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
    }
    ok
}

/// A port nobody listens on (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// The running SMTP server.
pub struct SmtpSink {
    child: Child,
    dir: tempfile::TempDir,
    /// Its port.
    pub port: u16,
}

impl SmtpSink {
    /// Starts a server on `port` and waits until it accepts connections.
    pub async fn start_on(port: u16) -> SmtpSink {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut child = Command::new(python())
            .arg(SCRIPT)
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the SMTP server");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await;
        assert!(matches!(ready, Ok(Ok(Some(ref l))) if l == "ready"), "the SMTP server did not start: {ready:?}");
        SmtpSink { child, dir, port }
    }

    /// Starts a server on a free port.
    pub async fn start() -> SmtpSink {
        Self::start_on(free_port()).await
    }

    /// Stops it (the port refuses connections afterwards).
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read the mail directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
    }

    /// Every message received so far, in order of arrival.
    pub fn received(&self) -> Vec<Mail> {
        self.files().iter().map(|p| Mail::parse(&std::fs::read(p).expect("read a message"))).collect()
    }

    /// Waits until `count` messages have arrived (failing after a generous deadline) and
    /// returns all of them.
    pub async fn wait_for(&self, count: usize) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "expected {count} messages, got {}: {:?}",
                received.len(),
                received.iter().map(|m| &m.subject).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `FRONTDESK_SMTP_URL` for a plain-text server on `port`.
pub fn url(port: u16) -> String {
    format!("smtp://127.0.0.1:{port}?tls=none")
}

/// One received message, parsed.
#[derive(Debug, Clone)]
pub struct Mail {
    /// `To`.
    pub to: String,
    /// `From` address.
    pub from: String,
    /// `Subject`.
    pub subject: String,
    /// `Message-ID` (without angle brackets).
    pub message_id: String,
    /// The plain-text body.
    pub text: String,
    /// `List-Unsubscribe`, raw.
    pub list_unsubscribe: Option<String>,
    /// `List-Unsubscribe-Post`, raw.
    pub list_unsubscribe_post: Option<String>,
    /// The `method` parameter of the calendar part's content type.
    pub calendar_method_param: Option<String>,
    /// The calendar part, parsed.
    pub calendar: Option<icalendar::Calendar>,
}

impl Mail {
    fn parse(raw: &[u8]) -> Mail {
        let message = MessageParser::default().parse(raw).expect("a MIME message");
        let address = |a: Option<&mail_parser::Address<'_>>| {
            a.and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned()
        };
        let raw_header = |name: &str| message.header_raw(name).map(|v| v.trim().to_owned());
        let mut calendar = None;
        let mut calendar_method_param = None;
        for part in message.parts.iter() {
            let Some(ct) = part.content_type() else { continue };
            if ct.ctype().eq_ignore_ascii_case("text")
                && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("calendar"))
            {
                calendar_method_param = ct.attribute("method").map(str::to_owned);
                let text = String::from_utf8_lossy(part.contents()).into_owned();
                calendar = Some(text.parse::<icalendar::Calendar>().expect("an iCalendar file"));
            }
        }
        Mail {
            to: address(message.to()),
            from: address(message.from()),
            subject: message.subject().unwrap_or_default().to_owned(),
            message_id: message.message_id().unwrap_or_default().to_owned(),
            text: message.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            list_unsubscribe: raw_header("List-Unsubscribe"),
            list_unsubscribe_post: raw_header("List-Unsubscribe-Post"),
            calendar_method_param,
            calendar,
        }
    }

    /// A property of the calendar's one event.
    pub fn event(&self, property: &str) -> Option<String> {
        use icalendar::Component;
        let calendar = self.calendar.as_ref()?;
        let event = calendar.components.iter().find_map(|c| c.as_event())?;
        event.property_value(property).map(str::to_owned)
    }

    /// A property of the calendar itself (`METHOD`).
    pub fn calendar_property(&self, property: &str) -> Option<String> {
        self.calendar.as_ref()?.property_value(property).map(str::to_owned)
    }
}
