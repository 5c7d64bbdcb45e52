//! Function arguments: English names, their German equivalents, lenient values.

use frontdesk_domain::matching::fold;
use serde_json::{Map, Value};

/// The names each argument is accepted under (folded: lowercase, `ä` = `ae`).
pub mod names {
    #![allow(missing_docs)]
    pub const SERVICE: &[&str] = &["service", "dienstleistung", "leistung", "service_name"];
    pub const DATE: &[&str] = &["date", "datum", "tag"];
    pub const TIME: &[&str] = &["time", "uhrzeit", "zeit"];
    pub const DATETIME: &[&str] = &["datetime", "date_time", "zeitpunkt"];
    pub const STAFF: &[&str] = &["staff", "mitarbeiter", "mitarbeiterin", "stylist", "provider"];
    pub const WINDOW: &[&str] = &["time_window", "zeitfenster", "tageszeit"];
    pub const NAME: &[&str] = &["customer_name", "name", "kundenname"];
    pub const PHONE: &[&str] = &["customer_phone", "phone", "telefon", "telefonnummer", "rueckrufnummer"];
    pub const EMAIL: &[&str] = &["customer_email", "email", "e_mail"];
    pub const NOTES: &[&str] = &["notes", "notizen", "bemerkung", "anmerkung"];
    pub const CONFIRM: &[&str] = &["confirm", "bestaetigung", "bestaetigt"];
    pub const APPOINTMENT: &[&str] = &["appointment_id", "termin_id", "termin"];
    pub const REASON: &[&str] = &["reason", "grund"];
    pub const OLD_DATE: &[&str] = &["old_date", "altes_datum", "bisheriges_datum"];
    pub const OLD_TIME: &[&str] = &["old_time", "alte_uhrzeit", "bisherige_uhrzeit"];
    pub const NEW_DATE: &[&str] = &["new_date", "neues_datum"];
    pub const NEW_TIME: &[&str] = &["new_time", "neue_uhrzeit"];
    pub const AFTER: &[&str] = &["after", "ab", "nach", "ab_datum"];
    pub const COUNT: &[&str] = &["count", "anzahl"];
    pub const CATEGORY: &[&str] = &["category", "kategorie"];
    pub const SALUTATION: &[&str] = &["salutation", "anrede"];
    pub const ANOTHER_PERSON: &[&str] = &["another_person", "andere_person", "fuer_andere_person"];
    pub const ACCEPT_FEE: &[&str] = &["accept_fee", "gebuehr_akzeptiert", "gebuehr_akzeptieren"];
    pub const PREFERRED_TIME: &[&str] = &["preferred_time", "wunschzeit", "rueckrufzeit"];
}

/// Longest argument value used; longer text is cut (voice agents do not dictate essays).
const MAX_LEN: usize = 500;

/// The arguments of one call, looked up by any of their names.
pub struct Args {
    folded: Vec<(String, Value)>,
}

impl Args {
    /// Indexes the arguments by folded name.
    pub fn new(raw: &Map<String, Value>) -> Args {
        Args { folded: raw.iter().map(|(k, v)| (fold(k).replace(' ', "_"), v.clone())).collect() }
    }

    fn value(&self, names: &[&str]) -> Option<&Value> {
        names.iter().find_map(|n| self.folded.iter().find(|(k, _)| k == n).map(|(_, v)| v))
    }

    /// A non-empty text (numbers read as text).
    pub fn text(&self, names: &[&str]) -> Option<String> {
        let s = match self.value(names)? {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let s: String = s.chars().take(MAX_LEN).collect();
        (!s.is_empty()).then_some(s)
    }

    /// A yes/no (`true`, `"ja"`, `"yes"`, `1`, …).
    pub fn flag(&self, names: &[&str]) -> Option<bool> {
        match self.value(names)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_i64().map(|n| n != 0),
            Value::String(s) => match fold(s).as_str() {
                "true" | "ja" | "yes" | "1" | "j" | "y" => Some(true),
                "false" | "nein" | "no" | "0" | "n" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A small positive count.
    pub fn count(&self, names: &[&str]) -> Option<usize> {
        let n = match self.value(names)? {
            Value::Number(n) => n.as_u64()?,
            Value::String(s) => s.trim().parse().ok()?,
            _ => return None,
        };
        (1..=20).contains(&n).then_some(n as usize)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn english_and_german_names() {
        let raw = json!({"Dienstleistung": "Färben", "datum": "morgen", "Bestätigung": "ja", "anzahl": "5", "x": [1]});
        let args = Args::new(raw.as_object().unwrap());
        assert_eq!(args.text(names::SERVICE).as_deref(), Some("Färben"));
        assert_eq!(args.text(names::DATE).as_deref(), Some("morgen"));
        assert_eq!(args.flag(names::CONFIRM), Some(true));
        assert_eq!(args.count(names::COUNT), Some(5));
        assert_eq!(args.text(names::TIME), None);
        let long = json!({"notes": "x".repeat(10_000)});
        assert_eq!(Args::new(long.as_object().unwrap()).text(names::NOTES).unwrap().len(), 500);
    }
}
