//! The calendar entry (RFC 5545) attached to an appointment's messages. One `UID` per
//! appointment and a `SEQUENCE` that grows with every change let a calendar application update
//! its one entry instead of adding a second; times are written in UTC, which every application
//! converts to its own zone, so daylight-saving changes cannot shift them.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use jiff::Timestamp;

/// Whether the entry is (still) wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Booked or moved: add or update the entry.
    Request,
    /// Cancelled: remove it.
    Cancel,
}

impl Method {
    /// The iTIP method name, also the `method` parameter of the MIME type.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// What the entry says.
pub struct Entry<'a> {
    /// The appointment's stable identifier.
    pub uid: &'a str,
    /// Its version.
    pub sequence: u32,
    /// Request or cancel.
    pub method: Method,
    /// Title: the service and the business.
    pub summary: &'a str,
    /// Further lines: with whom, the business's phone.
    pub description: &'a str,
    /// The branch's address.
    pub location: Option<&'a str>,
    /// From.
    pub start: Timestamp,
    /// Until.
    pub end: Timestamp,
    /// The business's address (the organizer iTIP requires).
    pub organizer: &'a str,
    /// The business's name.
    pub organizer_name: &'a str,
    /// The customer's address.
    pub attendee: &'a str,
    /// When this version was written.
    pub stamp: Timestamp,
}

/// `20260310T130000Z`.
fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

impl Entry<'_> {
    /// The calendar file.
    pub fn render(&self) -> String {
        let mut event = Event::new();
        event
            .uid(self.uid)
            .sequence(self.sequence)
            .add_property("DTSTAMP", utc(self.stamp))
            .add_property("DTSTART", utc(self.start))
            .add_property("DTEND", utc(self.end))
            .summary(self.summary)
            .description(self.description)
            .status(match self.method {
                Method::Request => EventStatus::Confirmed,
                Method::Cancel => EventStatus::Cancelled,
            });
        if let Some(location) = self.location {
            event.location(location);
        }
        let mut organizer = Property::new("ORGANIZER", format!("mailto:{}", self.organizer));
        organizer.add_parameter("CN", self.organizer_name);
        event.append_property(organizer);
        let mut attendee = Property::new("ATTENDEE", format!("mailto:{}", self.attendee));
        attendee.add_parameter("ROLE", "REQ-PARTICIPANT");
        event.append_property(attendee);

        let mut calendar = Calendar::empty();
        calendar
            .append_property(("PRODID", "-//frontdesk//appointments//EN"))
            .append_property(("VERSION", "2.0"))
            .append_property(("CALSCALE", "GREGORIAN"))
            .append_property(("METHOD", self.method.as_str()))
            .push(event.done());
        calendar.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_names_its_version_and_utc_times() {
        let entry = Entry {
            uid: "salon-7@frontdesk.example",
            sequence: 2,
            method: Method::Cancel,
            summary: "Haircut, Salon; Berlin",
            description: "with Anna",
            location: Some("Hauptstraße 1, Berlin"),
            start: "2026-03-29T08:00:00Z".parse().unwrap(),
            end: "2026-03-29T08:45:00Z".parse().unwrap(),
            organizer: "salon@example.com",
            organizer_name: "Salon",
            attendee: "max@example.com",
            stamp: "2026-03-01T10:00:00Z".parse().unwrap(),
        };
        let text = entry.render();
        for line in [
            "METHOD:CANCEL",
            "UID:salon-7@frontdesk.example",
            "SEQUENCE:2",
            "DTSTART:20260329T080000Z",
            "DTEND:20260329T084500Z",
            "STATUS:CANCELLED",
            "SUMMARY:Haircut\\, Salon\\; Berlin",
        ] {
            assert!(text.contains(line), "{line} missing in\n{text}");
        }
    }
}
