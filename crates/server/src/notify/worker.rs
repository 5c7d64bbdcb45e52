//! The notification worker: claims what is due (a reminder by the business clock), words it,
//! hands it to the mail server or SMS provider outside any transaction, then records the
//! outcome with one statement guarded by its lease.
//!
//! Exactly once as far as SMTP allows: every attempt of a notification carries the same
//! `Message-ID`, and the row is marked sent right after the server accepted the message. A
//! worker that dies (or loses its database connection) between the server's acceptance and that
//! statement leaves the row claimed; when the lease ends another worker sends it again, with the
//! same `Message-ID`. That is the only way a message goes out twice; the lease is longer than an
//! SMTP conversation may take, so a slow server alone never causes it.

use std::time::Duration;

use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::notification::{Channel, Facts, Notification, NotificationKind};
use frontdesk_domain::records::AppointmentStatus;
use frontdesk_store::StoreError;
use frontdesk_store::model::{NotificationClaim, NotificationOutcome};
use jiff::{SignedDuration, Timestamp};
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use super::compose::{Context, Email};
use super::sms::SmsSender;
use super::smtp::{Delivery, Mailer};
use crate::state::AppState;

/// Notifications claimed at once.
const BATCH: u32 = 20;
/// Batches per wake-up at most: a backlog drains without waiting a worker interval per batch,
/// and other workers still get their turn.
const BATCHES: usize = 10;
/// Messages handed over at once (each its own SMTP transaction on a pooled connection).
const AT_ONCE: usize = 4;
/// The longest backoff.
const MAX_BACKOFF: SignedDuration = SignedDuration::from_hours(1);

/// The worker of one process.
pub struct Notifier {
    state: AppState,
    owner: String,
    mailer: Option<Mailer>,
    sms: Option<SmsSender>,
}

impl Notifier {
    /// A worker with the server's mail server and SMS provider, if configured.
    pub fn new(state: AppState) -> Notifier {
        let settings = state.settings().notify.clone();
        let owner = format!("notify-{}-{}", std::process::id(), Timestamp::now().as_nanosecond() % 1_000_000_000);
        let mailer = settings.smtp.as_ref().and_then(|target| {
            Mailer::new(target, &settings.public_host(), settings.send_timeout)
                .inspect_err(|error| tracing::error!(%error, "the mail server is misconfigured; e-mails are skipped"))
                .ok()
        });
        let sms = settings.sms.clone().map(|target| SmsSender::new(target, settings.send_timeout));
        Notifier { state, owner, mailer, sms }
    }

    /// Sends what is due, batch after batch while full batches come (at most [`BATCHES`] per
    /// wake-up); returns how many notifications it handled.
    pub async fn round(&self) -> Result<usize, StoreError> {
        let mut handled = 0;
        for _ in 0..BATCHES {
            let n = self.batch().await?;
            handled += n;
            if n < BATCH as usize {
                break;
            }
        }
        self.gauges().await?;
        Ok(handled)
    }

    /// Claims one batch and sends it, [`AT_ONCE`] messages at a time.
    async fn batch(&self) -> Result<usize, StoreError> {
        let settings = &self.state.settings().notify;
        let now = Timestamp::now();
        let lease = SignedDuration::try_from(settings.lease).unwrap_or(SignedDuration::from_mins(2));
        let claim = NotificationClaim {
            owner: &self.owner,
            now,
            business_now: self.state.settings().clock.now(),
            lease_until: now + lease,
            limit: BATCH,
        };
        let claimed = self.state.store().claim_notifications(&claim).await?;
        let directory = self.state.directory();
        for chunk in claimed.chunks(AT_ONCE) {
            // Collected first: the futures, not a closure making them, are what is awaited.
            let sending: Vec<_> = chunk.iter().map(|n| self.handle(directory.company(n.company_id), n)).collect();
            futures_util::future::join_all(sending).await.into_iter().collect::<Result<(), _>>()?;
        }
        Ok(claimed.len())
    }

    /// Attempts one claimed notification and records the outcome.
    async fn handle(&self, company: Option<&CompanyEntry>, n: &Notification) -> Result<(), StoreError> {
        let outcome = match company {
            Some(company) => self.attempt(company, n).await?,
            None => NotificationOutcome::Failed { error: "the company no longer exists".into() },
        };
        let label = match &outcome {
            NotificationOutcome::Sent => "sent",
            NotificationOutcome::Retry { .. } => "retry",
            NotificationOutcome::Failed { .. } => "failed",
            NotificationOutcome::Skipped { .. } => "skipped",
            NotificationOutcome::Withdrawn => "withdrawn",
        };
        if let NotificationOutcome::Retry { error, .. } | NotificationOutcome::Failed { error } = &outcome {
            tracing::warn!(notification = %n.id, kind = %n.kind, %error, "a notification was not sent");
        }
        let finished = self.state.store().finish_notification(n.id, &self.owner, &outcome, Timestamp::now()).await?;
        if !finished {
            tracing::info!(notification = %n.id, "a notification changed while it was being sent; its new state stands");
        }
        metrics::counter!("frontdesk_notifications_total", "kind" => n.kind.as_str(), "outcome" => label).increment(1);
        Ok(())
    }

    async fn gauges(&self) -> Result<(), StoreError> {
        let business_now = self.state.settings().clock.now();
        let stats = self.state.store().notification_stats(business_now).await?;
        metrics::gauge!("frontdesk_notifications_due").set(stats.due as f64);
        metrics::gauge!("frontdesk_notifications_failed").set(stats.failed as f64);
        let age = stats.oldest_due.map_or(0.0, |t| business_now.duration_since(t).as_secs_f64().max(0.0));
        metrics::gauge!("frontdesk_notifications_oldest_pending_seconds").set(age);
        Ok(())
    }

    /// One attempt at `n`.
    async fn attempt(&self, company: &CompanyEntry, n: &Notification) -> Result<NotificationOutcome, StoreError> {
        if n.kind == NotificationKind::Reminder && !self.still_wanted(n).await? {
            return Ok(NotificationOutcome::Withdrawn);
        }
        let settings = &self.state.settings().notify;
        let sender =
            company.company.def.notifications.sender.clone().unwrap_or_else(|| settings.default_sender.clone());
        let public_host = settings.public_host();
        let ctx = Context {
            company,
            public_url: &settings.public_url,
            public_host: &public_host,
            sender: sender.as_str(),
            now: Timestamp::now(),
        };
        let delivery = match n.channel {
            Channel::Email => {
                let Some(mailer) = &self.mailer else {
                    return Ok(NotificationOutcome::Skipped {
                        reason: "no mail server is configured (FRONTDESK_SMTP_URL)".into(),
                    });
                };
                let email = match ctx.email(n) {
                    Ok(email) => email,
                    Err(e) => return Ok(NotificationOutcome::Failed { error: e.0 }),
                };
                match message(n, &email, &company.company.def.name, sender.as_str()) {
                    Ok(m) => mailer.send(m).await,
                    Err(error) => return Ok(NotificationOutcome::Failed { error }),
                }
            }
            Channel::Sms => {
                let Some(sms) = &self.sms else {
                    return Ok(NotificationOutcome::Skipped {
                        reason: "no SMS provider is configured (FRONTDESK_SMS_URL)".into(),
                    });
                };
                match ctx.sms(n) {
                    Ok(text) => sms.send(&n.recipient, &text).await,
                    Err(e) => return Ok(NotificationOutcome::Failed { error: e.0 }),
                }
            }
        };
        Ok(match delivery {
            Delivery::Accepted => NotificationOutcome::Sent,
            Delivery::Permanent(error) => NotificationOutcome::Failed { error },
            Delivery::Transient(error) if n.attempts >= settings.max_attempts => {
                NotificationOutcome::Failed { error: format!("{error} (gave up after {} attempts)", n.attempts) }
            }
            Delivery::Transient(error) => NotificationOutcome::Retry {
                run_after: Timestamp::now() + backoff(settings.backoff, n.attempts),
                error,
            },
        })
    }

    /// Whether a reminder still fits its appointment: booked, at the time it was written for,
    /// and not begun (a worker that was down for a day does not remind of the past). A move or
    /// cancellation withdraws the reminder in its own transaction; this covers one that
    /// committed after the claim.
    async fn still_wanted(&self, n: &Notification) -> Result<bool, StoreError> {
        let Facts::Appointment(facts) = &n.facts else { return Ok(true) };
        let business_now = self.state.settings().clock.now();
        let current = self.state.store().appointment(n.company_id, facts.appointment_id).await?;
        Ok(current.is_some_and(|a| {
            a.status == AppointmentStatus::Booked && a.range.start() == facts.start && a.range.start() > business_now
        }))
    }
}

/// The wait after `attempts` failed attempts: `first`, doubled each time, at most an hour.
fn backoff(first: Duration, attempts: i32) -> SignedDuration {
    let first = SignedDuration::try_from(first).unwrap_or(SignedDuration::from_secs(30));
    let factor = 1i32 << attempts.clamp(1, 16).saturating_sub(1);
    (first * factor).min(MAX_BACKOFF)
}

/// The MIME message: plain text, and the calendar entry as `text/calendar` with its iTIP
/// method (calendar applications read it as an invitation); reminders carry the one-click
/// unsubscribe headers of RFC 8058.
fn message(n: &Notification, email: &Email, business: &str, sender: &str) -> Result<Message, String> {
    let from: Mailbox = format!("{business} <{sender}>")
        .parse()
        .or_else(|_| sender.parse())
        .map_err(|e| format!("the sender `{sender}` is not an address: {e}"))?;
    let to: Mailbox = n.recipient.parse().map_err(|e| format!("the recipient is not an address: {e}"))?;
    let domain = sender.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(email.subject.clone())
        .message_id(Some(format!("<{}@{domain}>", n.message_id)))
        .date(std::time::SystemTime::now());
    if let Some(url) = &email.unsubscribe_url {
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".to_owned(),
            ));
    }
    let text = SinglePart::plain(email.body.clone());
    let built = match &email.calendar {
        Some((method, ics)) => {
            let kind = format!("text/calendar; charset=utf-8; method={}", method.as_str());
            let kind = ContentType::parse(&kind).map_err(|e| e.to_string())?;
            let file = if n.kind == NotificationKind::Cancelled { "cancel.ics" } else { "invite.ics" };
            builder.multipart(
                MultiPart::mixed().singlepart(text).singlepart(Attachment::new(file.into()).body(ics.clone(), kind)),
            )
        }
        None => builder.singlepart(text),
    };
    built.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let first = Duration::from_secs(30);
        assert_eq!(backoff(first, 1), SignedDuration::from_secs(30));
        assert_eq!(backoff(first, 2), SignedDuration::from_secs(60));
        assert_eq!(backoff(first, 4), SignedDuration::from_secs(240));
        assert_eq!(backoff(first, 12), MAX_BACKOFF);
    }
}
