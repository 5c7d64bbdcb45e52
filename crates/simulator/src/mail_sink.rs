//! The simulator's own SMTP server: the servers under test send their e-mails here, and the run
//! counts what arrived by `Message-ID` — evidence from outside frontdesk, not from its records.
//!
//! Only the part of SMTP (RFC 5321) a submission client needs: greeting, `EHLO`/`HELO`,
//! `MAIL`, `RCPT`, `DATA` with dot-unstuffing, `RSET`, `NOOP`, `QUIT`. No TLS (the servers use
//! `?tls=none`), no authentication. Messages are parsed with mail-parser.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use mail_parser::MessageParser;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrived {
    /// Its `Message-ID`.
    pub message_id: String,
    /// Its first recipient (`To`).
    pub to: String,
    /// Whether it is a reminder (only reminders carry `List-Unsubscribe`): their moment
    /// depends on the servers' business clock, so a run cannot predict them.
    pub reminder: bool,
}

/// A running sink.
#[derive(Debug)]
pub struct MailSink {
    /// Where it listens.
    pub addr: SocketAddr,
    arrived: Arc<Mutex<Vec<Arrived>>>,
}

/// The largest message accepted (a confirmation with its calendar file is a few KiB).
const MAX_MESSAGE: usize = 1024 * 1024;

impl MailSink {
    /// Listens on `addr` (port 0: any free port) until the process ends.
    pub async fn start(addr: &str) -> std::io::Result<MailSink> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let arrived: Arc<Mutex<Vec<Arrived>>> = Arc::default();
        let store = Arc::clone(&arrived);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    if let Err(error) = session(stream, &store).await {
                        tracing::debug!(%error, "SMTP session ended");
                    }
                });
            }
        });
        Ok(MailSink { addr, arrived })
    }

    /// `FRONTDESK_SMTP_URL` for the servers.
    pub fn url(&self) -> String {
        format!("smtp://{}?tls=none", self.addr)
    }

    /// Every message so far, in order of arrival.
    pub fn arrived(&self) -> Vec<Arrived> {
        self.arrived.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How often each `Message-ID` arrived.
    pub fn counts(&self) -> HashMap<String, u32> {
        let mut counts = HashMap::new();
        for a in self.arrived() {
            *counts.entry(a.message_id).or_default() += 1;
        }
        counts
    }
}

async fn session(stream: TcpStream, arrived: &Mutex<Vec<Arrived>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 frontdesk-simulator ESMTP\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or(line.trim()).to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-frontdesk-simulator\r\n250-8BITMIME\r\n250 SIZE 1048576\r\n",
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 OK\r\n",
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            "DATA" => {
                write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let message = data(&mut lines).await?;
                let parsed = MessageParser::default().parse(&message);
                let message_id = parsed.as_ref().and_then(|m| m.message_id()).unwrap_or_default().to_owned();
                let to = parsed
                    .as_ref()
                    .and_then(|m| m.to())
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .unwrap_or_default()
                    .to_owned();
                let reminder = parsed.as_ref().is_some_and(|m| m.header("List-Unsubscribe").is_some());
                arrived.lock().unwrap_or_else(|p| p.into_inner()).push(Arrived { message_id, to, reminder });
                b"250 Message accepted\r\n"
            }
            _ => b"502 Command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// Reads a message up to the lone dot, undoing dot-stuffing.
async fn data<R: AsyncBufReadExt + Unpin>(lines: &mut R) -> std::io::Result<Vec<u8>> {
    let mut message = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(message);
        }
        let content = if line.starts_with(b"..") { &line[1..] } else { &line[..] };
        if message.len() + content.len() <= MAX_MESSAGE {
            message.extend_from_slice(content);
        }
    }
}

/// Sends one message to `sink` as a server would (for tests of the checks).
#[cfg(test)]
pub(crate) async fn send(sink: &MailSink, message_id: &str, to: &str) -> String {
    use tokio::io::AsyncReadExt;
    let mut client = TcpStream::connect(sink.addr).await.expect("connect");
    let script = format!(
        "EHLO test\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<{to}>\r\nDATA\r\n\
         Message-ID: <{message_id}>\r\nTo: {to}\r\nSubject: hi\r\n\r\n..dot\r\n.\r\nQUIT\r\n"
    );
    client.write_all(script.as_bytes()).await.expect("write");
    let mut replies = String::new();
    client.read_to_string(&mut replies).await.expect("read");
    replies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_message_is_counted_by_its_message_id() {
        let sink = MailSink::start("127.0.0.1:0").await.unwrap();
        let replies = send(&sink, "n1@example.com", "b@example.com").await;
        assert!(replies.contains("250 Message accepted"), "{replies}");
        assert_eq!(
            sink.arrived(),
            [Arrived { message_id: "n1@example.com".into(), to: "b@example.com".into(), reminder: false }]
        );
        assert_eq!(sink.counts()["n1@example.com"], 1);
    }
}
