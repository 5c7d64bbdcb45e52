//! Cal.com API v2 payloads, read leniently (unknown fields ignored, wrong types absent).

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The `cal-api-version` of the bookings endpoints frontdesk speaks (create, read, cancel,
/// reschedule).
pub const BOOKINGS_API_VERSION: &str = "2024-08-13";

/// The `cal-api-version` of `GET /v2/bookings`, the list: the current one, paged with `limit`
/// and `cursor` (a wrong or missing version silently falls back to an older shape).
pub const BOOKINGS_LIST_API_VERSION: &str = "2026-05-01";

/// The metadata key under which frontdesk stores its appointment id in each booking it creates.
pub const APPOINTMENT_KEY: &str = "frontdesk_appointment_id";

/// A booking as Cal.com describes it (API answers, webhooks, the catch-up pull).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Booking {
    /// The booking's string id (the one to use; never the numeric id).
    pub uid: String,
    /// `accepted`, `cancelled`, `rejected`, `pending`, … (lowercase).
    pub status: String,
    /// Start.
    pub start: Option<Timestamp>,
    /// End.
    pub end: Option<Timestamp>,
    /// The event type.
    pub event_type_id: Option<i64>,
    /// The host's (organizer's) user id.
    pub host_id: Option<i64>,
    /// Attendee e-mail addresses.
    pub attendee_emails: Vec<String>,
    /// Metadata (string values).
    pub metadata: BTreeMap<String, String>,
    /// When created.
    pub created_at: Option<Timestamp>,
    /// When last changed.
    pub updated_at: Option<Timestamp>,
    /// The booking this one was rescheduled from.
    pub rescheduled_from: Option<String>,
    /// The booking this one was rescheduled to.
    pub rescheduled_to: Option<String>,
}

fn text(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match v.get(*k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn number(v: &Value, keys: &[&str]) -> Option<i64> {
    keys.iter().find_map(|k| match v.get(*k)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

fn instant(v: &Value, keys: &[&str]) -> Option<Timestamp> {
    text(v, keys).and_then(|s| s.parse().ok())
}

impl Booking {
    /// The longest booking uid accepted (Cal.com's are about 22 characters); the uid is a unique
    /// key in the store, and an index entry has a size limit.
    pub const MAX_UID_LEN: usize = 255;

    /// Reads a booking from an API object or a webhook's `payload`; `None` without a usable
    /// `uid`.
    pub fn from_value(v: &Value) -> Option<Booking> {
        let uid = text(v, &["uid"]).filter(|u| !u.is_empty() && u.len() <= Self::MAX_UID_LEN)?;
        let host_id = v
            .get("hosts")
            .and_then(|h| h.get(0))
            .and_then(|h| number(h, &["id"]))
            .or_else(|| v.get("organizer").and_then(|o| number(o, &["id"])))
            .or_else(|| number(v, &["userId", "organizerId"]));
        let attendee_emails = v
            .get("attendees")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| text(x, &["email"])).collect())
            .unwrap_or_default();
        let metadata = v
            .get("metadata")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| match v {
                        Value::String(s) => Some((k.clone(), s.clone())),
                        Value::Number(n) => Some((k.clone(), n.to_string())),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Booking {
            uid,
            status: text(v, &["status"]).unwrap_or_default().to_ascii_lowercase(),
            start: instant(v, &["start", "startTime"]),
            end: instant(v, &["end", "endTime"]),
            event_type_id: number(v, &["eventTypeId"]).or_else(|| v.get("eventType").and_then(|e| number(e, &["id"]))),
            host_id,
            attendee_emails,
            metadata,
            created_at: instant(v, &["createdAt"]),
            updated_at: instant(v, &["updatedAt"]),
            rescheduled_from: text(v, &["rescheduledFromUid", "fromReschedule", "rescheduleUid"]),
            rescheduled_to: text(v, &["rescheduledToUid"]),
        })
    }

    /// The frontdesk appointment this booking mirrors, if frontdesk created it.
    pub fn appointment_id(&self) -> Option<i64> {
        self.metadata.get(APPOINTMENT_KEY).and_then(|v| v.parse().ok())
    }

    /// Whether the booking no longer holds its time.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.status.as_str(), "cancelled" | "canceled" | "rejected")
    }
}

/// A webhook delivery: `{"triggerEvent", "createdAt", "payload"}`.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookDelivery {
    /// `BOOKING_CREATED`, `BOOKING_RESCHEDULED`, `BOOKING_CANCELLED`, …
    pub trigger: String,
    /// When Cal.com sent it (as sent).
    pub created_at: String,
    /// The booking, if the payload describes one.
    pub booking: Option<Booking>,
}

impl WebhookDelivery {
    /// Reads a delivery; `None` unless it has a `triggerEvent`.
    pub fn from_value(v: &Value) -> Option<WebhookDelivery> {
        let trigger = text(v, &["triggerEvent"])?;
        Some(WebhookDelivery {
            trigger,
            created_at: text(v, &["createdAt"]).unwrap_or_default(),
            booking: v.get("payload").and_then(Booking::from_value),
        })
    }

    /// trigger + booking uid + createdAt: Cal.com has no delivery id. A key longer than
    /// [`Self::MAX_KEY_LEN`] (no real delivery's is) is replaced by its SHA-256, so that it still
    /// fits the unique index it is checked against.
    pub fn dedupe_key(&self) -> String {
        use sha2::Digest;
        let uid = self.booking.as_ref().map_or("", |b| b.uid.as_str());
        let key = format!("{}:{uid}:{}", self.trigger, self.created_at);
        if key.len() <= Self::MAX_KEY_LEN { key } else { format!("sha256:{}", hex::encode(sha2::Sha256::digest(&key))) }
    }

    /// The longest dedupe key stored as it is.
    pub const MAX_KEY_LEN: usize = 256;
}

/// The body of `POST /v2/bookings`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewBooking {
    /// Start, UTC ISO.
    pub start: String,
    /// The event type.
    pub event_type_id: i64,
    /// Who.
    pub attendee: Attendee,
    /// Our appointment id and other references (≤ 50 keys, string values).
    pub metadata: BTreeMap<String, String>,
}

/// The attendee of a new booking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendee {
    /// Name.
    pub name: String,
    /// E-mail (a unique placeholder when the customer gave none).
    pub email: String,
    /// IANA time zone.
    pub time_zone: String,
    /// E.164 phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// `de`, `en`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn api_and_webhook_shapes() {
        let api = json!({"id": 7, "uid": "bk_1", "status": "accepted", "start": "2026-03-10T13:00:00.000Z",
            "end": "2026-03-10T13:30:00.000Z", "eventTypeId": 11, "hosts": [{"id": 101}],
            "attendees": [{"email": "a@example.org"}], "metadata": {"frontdesk_appointment_id": "42"},
            "createdAt": "2026-03-09T08:00:00.000Z", "rescheduledToUid": "bk_2"});
        let b = Booking::from_value(&api).unwrap();
        assert_eq!((b.uid.as_str(), b.host_id, b.appointment_id()), ("bk_1", Some(101), Some(42)));
        assert_eq!(b.rescheduled_to.as_deref(), Some("bk_2"));
        assert!(!b.is_cancelled());
        let hook = json!({"triggerEvent": "BOOKING_CANCELLED", "createdAt": "2026-03-09T09:00:00Z",
            "payload": {"uid": "bk_9", "startTime": "2026-03-10T13:00:00Z", "endTime": "2026-03-10T14:00:00Z",
                        "organizer": {"id": "102"}, "status": "CANCELLED", "metadata": {"x": 1}}});
        let d = WebhookDelivery::from_value(&hook).unwrap();
        assert_eq!(d.dedupe_key(), "BOOKING_CANCELLED:bk_9:2026-03-09T09:00:00Z");
        let b = d.booking.unwrap();
        assert_eq!((b.host_id, b.is_cancelled(), b.appointment_id()), (Some(102), true, None));
        assert!(WebhookDelivery::from_value(&json!({"payload": {}})).is_none());
        assert!(Booking::from_value(&json!({"start": 5})).is_none());
    }
}
