//! The mail server: where `FRONTDESK_SMTP_URL` points, and sending one message to it.

use std::fmt;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How the connection to the mail server is encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// TLS from the first byte (`smtps://`, port 465).
    Implicit,
    /// STARTTLS when the server offers it (`smtp://`).
    Opportunistic,
    /// STARTTLS or no delivery (`smtp://…?tls=required`).
    Required,
    /// Plain text (`smtp://…?tls=none`): a mail relay on the same host or in tests.
    None,
}

/// The mail server, parsed from `FRONTDESK_SMTP_URL`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    /// Host name (also the name its certificate must carry).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Encryption.
    pub tls: SmtpTls,
    /// User and password, if the server wants a login.
    pub credentials: Option<(String, String)>,
}

impl fmt::Debug for SmtpTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpTarget")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish_non_exhaustive()
    }
}

impl SmtpTarget {
    /// Parses `smtps://[user[:password]@]host[:port]` or
    /// `smtp://[user[:password]@]host[:port][?tls=required|none]`; `password` (from
    /// `FRONTDESK_SMTP_PASSWORD`) replaces one in the URL.
    pub fn parse(raw: &str, password: Option<String>) -> Result<Self, String> {
        let url = reqwest::Url::parse(raw.trim()).map_err(|e| format!("`FRONTDESK_SMTP_URL` is not a URL: {e}"))?;
        let implicit = match url.scheme() {
            "smtps" => true,
            "smtp" => false,
            other => return Err(format!("SMTP URLs start with smtp:// or smtps://, not {other}://")),
        };
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("the SMTP URL has no host")?.to_owned();
        let mut tls = if implicit { SmtpTls::Implicit } else { SmtpTls::Opportunistic };
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref(), implicit) {
                ("tls", "required", false) => tls = SmtpTls::Required,
                ("tls", "none", false) => tls = SmtpTls::None,
                ("tls", "opportunistic", false) => tls = SmtpTls::Opportunistic,
                ("tls", other, _) => return Err(format!("`tls={other}` is not required, opportunistic or none")),
                (other, _, _) => return Err(format!("unknown SMTP URL parameter `{other}`")),
            }
        }
        let port = url.port().unwrap_or(if implicit { 465 } else { 587 });
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let user = decode(url.username());
        let password = password.or_else(|| url.password().map(decode));
        let credentials = (!user.is_empty()).then(|| (user, password.unwrap_or_default()));
        Ok(Self { host, port, tls, credentials })
    }
}

/// What became of one message.
#[derive(Debug)]
pub enum Delivery {
    /// The server accepted it.
    Accepted,
    /// Worth another try later (connection failed, timeout, 4xx).
    Transient(String),
    /// The server refused it for good (5xx).
    Permanent(String),
}

/// Sends messages to the configured server over pooled connections (a few kept open, closed
/// after a minute idle).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Mailer {
    /// A mailer for `target`; `hello` is the name given in `EHLO`.
    pub fn new(target: &SmtpTarget, hello: &str, timeout: Duration) -> Result<Self, String> {
        let tls_params = || TlsParameters::new(target.host.clone()).map_err(|e| format!("TLS setup: {e}"));
        let tls = match target.tls {
            SmtpTls::Implicit => Tls::Wrapper(tls_params()?),
            SmtpTls::Required => Tls::Required(tls_params()?),
            SmtpTls::Opportunistic => Tls::Opportunistic(tls_params()?),
            SmtpTls::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(target.host.clone())
            .port(target.port)
            .tls(tls)
            .timeout(Some(timeout))
            .hello_name(lettre::transport::smtp::extension::ClientId::Domain(hello.to_owned()));
        if let Some((user, password)) = &target.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self { transport: builder.build() })
    }

    /// Hands `message` to the server.
    pub async fn send(&self, message: Message) -> Delivery {
        match self.transport.send(message).await {
            Ok(_) => Delivery::Accepted,
            Err(e) if e.is_permanent() => Delivery::Permanent(e.to_string()),
            Err(e) => Delivery::Transient(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_host_port_encryption_and_login() {
        let t = SmtpTarget::parse("smtps://mailer%40salon.example:s3cret@mail.example", None).unwrap();
        assert_eq!(t.host, "mail.example");
        assert_eq!(t.port, 465);
        assert_eq!(t.tls, SmtpTls::Implicit);
        assert_eq!(t.credentials, Some(("mailer@salon.example".into(), "s3cret".into())));

        let t = SmtpTarget::parse("smtp://relay.example:2525", None).unwrap();
        assert_eq!((t.port, t.tls, t.credentials), (2525, SmtpTls::Opportunistic, None));
        assert_eq!(SmtpTarget::parse("smtp://relay.example?tls=required", None).unwrap().tls, SmtpTls::Required);
        assert_eq!(SmtpTarget::parse("smtp://127.0.0.1:2525?tls=none", None).unwrap().tls, SmtpTls::None);

        let t = SmtpTarget::parse("smtp://user:old@relay.example", Some("new".into())).unwrap();
        assert_eq!(t.credentials, Some(("user".into(), "new".into())));
    }

    #[test]
    fn wrong_urls_say_what_is_wrong() {
        assert!(SmtpTarget::parse("http://mail.example", None).unwrap_err().contains("smtp://"));
        assert!(SmtpTarget::parse("smtp://mail.example?tls=maybe", None).unwrap_err().contains("tls=maybe"));
        assert!(SmtpTarget::parse("smtps://mail.example?tls=none", None).is_err());
        assert!(!format!("{:?}", SmtpTarget::parse("smtp://u:pw@h", None).unwrap()).contains("pw"));
    }
}
