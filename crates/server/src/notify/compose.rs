//! Wording a notification: subject and text from the templates in `templates/notify/` (one per
//! language and channel; an e-mail template's first line is its subject), in the company's
//! language, at the branch's time zone, with the calendar entry and the unsubscribe link.

use askama::Template;
use frontdesk_domain::directory::CompanyEntry;
use frontdesk_domain::locale::Language;
use frontdesk_domain::notification::{Facts, Notification, NotificationKind};
use frontdesk_domain::phone::E164;
use jiff::Timestamp;

use super::calendar::{Entry, Method};
use crate::dashboard::format;

/// Everything a template may say, already written out.
pub struct Text {
    /// What about.
    pub kind: NotificationKind,
    /// The customer's name, for the greeting.
    pub greeting_name: Option<String>,
    /// The business.
    pub business: String,
    /// The service booked.
    pub service: String,
    /// With whom.
    pub staff: String,
    /// When (date and time at the branch).
    pub when: String,
    /// When it was before a move.
    pub previous_when: Option<String>,
    /// The branch's address.
    pub address: Option<String>,
    /// The branch's phone number.
    pub phone: Option<String>,
    /// The one-click unsubscribe page (reminders).
    pub unsubscribe_url: Option<String>,
    /// A callback request's number.
    pub caller_phone: Option<String>,
    /// Its caller's name.
    pub caller_name: Option<String>,
    /// What it is about.
    pub reason: Option<String>,
    /// When they would like the call.
    pub preferred_time: Option<String>,
    /// The call in the dashboard.
    pub call_url: Option<String>,
    /// When they called.
    pub requested_at: String,
}

#[derive(Template)]
#[template(path = "notify/email.de.txt")]
struct EmailDe<'a> {
    t: &'a Text,
}

#[derive(Template)]
#[template(path = "notify/email.en.txt")]
struct EmailEn<'a> {
    t: &'a Text,
}

#[derive(Template)]
#[template(path = "notify/sms.de.txt")]
struct SmsDe<'a> {
    t: &'a Text,
}

#[derive(Template)]
#[template(path = "notify/sms.en.txt")]
struct SmsEn<'a> {
    t: &'a Text,
}

/// A worded e-mail.
#[derive(Debug)]
pub struct Email {
    /// Subject line.
    pub subject: String,
    /// Plain text.
    pub body: String,
    /// The calendar file and its method, for an appointment.
    pub calendar: Option<(Method, String)>,
    /// The one-click unsubscribe URL (reminders).
    pub unsubscribe_url: Option<String>,
}

/// Why a notification cannot be worded (the company is gone from the directory).
#[derive(Debug)]
pub struct Unwordable(pub String);

/// What composing needs besides the notification.
pub struct Context<'a> {
    /// The company, as the directory has it now (names of service, staff, branch).
    pub company: &'a CompanyEntry,
    /// The server's public base URL.
    pub public_url: &'a str,
    /// The public host (the domain of calendar `UID`s).
    pub public_host: &'a str,
    /// The `From` address (the organizer of the calendar entry).
    pub sender: &'a str,
    /// Now (the calendar entry's `DTSTAMP`).
    pub now: Timestamp,
}

impl Context<'_> {
    fn language(&self) -> Language {
        self.company.company.def.locale.language()
    }

    fn region(&self) -> &str {
        self.company.company.def.locale.phone_region()
    }

    /// Writes out what `n` says.
    pub fn text(&self, n: &Notification) -> Result<Text, Unwordable> {
        let lang = self.language();
        let company = self.company;
        let mut text = Text {
            kind: n.kind,
            greeting_name: None,
            business: company.company.def.name.clone(),
            service: String::new(),
            staff: String::new(),
            when: String::new(),
            previous_when: None,
            address: None,
            phone: None,
            unsubscribe_url: n.token.as_ref().map(|t| format!("{}/unsubscribe/{t}", self.public_url)),
            caller_phone: None,
            caller_name: None,
            reason: None,
            preferred_time: None,
            call_url: None,
            requested_at: String::new(),
        };
        match &n.facts {
            Facts::Erased => return Err(Unwordable("the customer's data was erased".into())),
            Facts::Appointment(a) => {
                let branch = company.branch(a.branch_id);
                let tz = branch.map_or_else(|| company.company.def.time_zone.clone(), |b| b.def.time_zone.clone());
                text.greeting_name = a.customer_name.clone();
                text.service = company.service(a.service_id).map(|s| s.def.name.clone()).unwrap_or_default();
                text.staff = company.staff_member(a.staff_id).map(|s| s.def.name.clone()).unwrap_or_default();
                text.when = when(lang, a.start, &tz);
                text.previous_when = a.previous_start.map(|t| when(lang, t, &tz));
                text.address = branch.and_then(|b| b.def.address.clone());
                text.phone = branch.and_then(|b| b.def.phone_numbers.first()).map(|p| p.display_for(self.region()));
            }
            Facts::Callback(c) => {
                let tz = c
                    .branch_id
                    .and_then(|b| company.branch(b))
                    .map_or_else(|| company.company.def.time_zone.clone(), |b| b.def.time_zone.clone());
                text.caller_phone = c
                    .phone
                    .as_deref()
                    .map(|p| E164::parse_strict(p).map_or_else(|_| p.to_owned(), |e| e.display_for(self.region())));
                text.caller_name = c.name.clone();
                text.reason = c.reason.clone();
                text.preferred_time = c.preferred_time.clone();
                text.call_url = c.call_id.map(|id| format!("{}/admin/calls/{id}", self.public_url));
                text.requested_at = when(lang, c.requested_at, &tz);
            }
        }
        Ok(text)
    }

    /// The e-mail for `n`.
    pub fn email(&self, n: &Notification) -> Result<Email, Unwordable> {
        let text = self.text(n)?;
        let rendered = match self.language() {
            Language::De => EmailDe { t: &text }.render(),
            Language::En => EmailEn { t: &text }.render(),
        }
        .map_err(|e| Unwordable(format!("template: {e}")))?;
        let (subject, body) = rendered.split_once('\n').unwrap_or((rendered.as_str(), ""));
        let calendar = match &n.facts {
            Facts::Appointment(a) if n.kind.has_calendar() => {
                let method = if n.kind == NotificationKind::Cancelled { Method::Cancel } else { Method::Request };
                let uid = format!("{}-{}@{}", self.company.company.def.key, a.appointment_id, self.public_host);
                let summary = format!("{} – {}", text.service, text.business);
                let description = match &text.phone {
                    Some(phone) => format!("{} · {} · {phone}", text.service, text.staff),
                    None => format!("{} · {}", text.service, text.staff),
                };
                let entry = Entry {
                    uid: &uid,
                    sequence: n.sequence,
                    method,
                    summary: &summary,
                    description: &description,
                    location: text.address.as_deref(),
                    start: a.start,
                    end: a.end,
                    organizer: self.sender,
                    organizer_name: &text.business,
                    attendee: &n.recipient,
                    stamp: self.now,
                };
                Some((method, entry.render()))
            }
            _ => None,
        };
        Ok(Email {
            subject: subject.trim().to_owned(),
            body: body.trim_start_matches('\n').to_owned(),
            calendar,
            unsubscribe_url: text.unsubscribe_url.clone(),
        })
    }

    /// The text message for `n`.
    pub fn sms(&self, n: &Notification) -> Result<String, Unwordable> {
        let text = self.text(n)?;
        match self.language() {
            Language::De => SmsDe { t: &text }.render(),
            Language::En => SmsEn { t: &text }.render(),
        }
        .map(|s| s.trim().to_owned())
        .map_err(|e| Unwordable(format!("template: {e}")))
    }
}

/// A date and time as a message writes it: `Dienstag, 10.03.2026, 14:30 Uhr` /
/// `Tuesday, 03/10/2026, 2:30 PM`.
fn when(lang: Language, t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let z = t.to_zoned(tz.clone());
    let day = format::long_date(lang, z.date());
    let clock = format::clock(lang, z.time());
    match lang {
        Language::De => format!("{day}, {clock} Uhr"),
        Language::En => format!("{day}, {clock}"),
    }
}
