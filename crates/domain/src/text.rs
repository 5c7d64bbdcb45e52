//! The one rule for text that comes in from outside: it never carries a NUL character.
//!
//! PostgreSQL cannot store U+0000 in `text` or `jsonb` (SQLite can), so the same webhook would be
//! stored on one backend and refused on the other. frontdesk decides at the wire boundary, for
//! both: every string read from a request or a platform's answer — JSON values and object keys,
//! path segments and query parameters — has each NUL replaced by U+FFFD, the Unicode replacement
//! character, before anything else sees it. Nothing else is changed: other control characters,
//! right-to-left marks, emoji and SQL-looking text are stored as sent (they are data, and every
//! statement binds its parameters).
//!
//! What a platform sent is still kept losslessly: the inbox stores the raw body, in which JSON
//! writes a NUL as the six characters `\u0000` (a JSON text never contains the byte 0x00).

use std::borrow::Cow;

use serde_json::Value;

/// What a NUL becomes.
pub const NUL_REPLACEMENT: char = '\u{FFFD}';

/// `text` with every NUL replaced by [`NUL_REPLACEMENT`]; borrowed when there is none.
pub fn scrub(text: &str) -> Cow<'_, str> {
    if text.contains('\0') { Cow::Owned(text.replace('\0', "\u{FFFD}")) } else { Cow::Borrowed(text) }
}

/// Scrubs every string in `value`, object keys included, in place.
pub fn scrub_json(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(clean) = scrub(s) {
                *s = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_json),
        Value::Object(map) => {
            if map.keys().any(|k| k.contains('\0')) {
                let entries = std::mem::take(map);
                // A scrubbed key may now equal another key: the later one wins, as in a JSON
                // object with a repeated key.
                map.extend(entries.into_iter().map(|(k, v)| (scrub(&k).into_owned(), v)));
            }
            map.values_mut().for_each(scrub_json);
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Parses JSON that came from outside, scrubbed (see the module documentation).
pub fn parse_json(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut value: Value = serde_json::from_slice(bytes)?;
    scrub_json(&mut value);
    Ok(value)
}

/// Reads JSON that came from outside into `T`, scrubbed first.
pub fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_value(parse_json(bytes)?)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn nul_becomes_the_replacement_character_everywhere() {
        let raw = br#"{"a\u0000": ["x\u0000y", {"k": "\u0000"}], "n": 1, "t": "clean"}"#;
        let value = parse_json(raw).unwrap();
        assert_eq!(value, json!({"a\u{FFFD}": ["x\u{FFFD}y", {"k": "\u{FFFD}"}], "n": 1, "t": "clean"}));
    }

    #[test]
    fn other_hostile_text_is_kept_as_sent() {
        let text = "\u{1}\u{1f}\u{202e}'; DROP TABLE calls; --\u{1F600}%_\\";
        assert!(matches!(scrub(text), Cow::Borrowed(t) if t == text));
    }

    proptest! {
        #[test]
        fn scrubbed_text_has_no_nul_and_keeps_everything_else(text in any::<String>()) {
            let clean = scrub(&text);
            prop_assert!(!clean.contains('\0'));
            prop_assert_eq!(clean.chars().count(), text.chars().count());
            for (a, b) in text.chars().zip(clean.chars()) {
                prop_assert_eq!(if a == '\0' { NUL_REPLACEMENT } else { a }, b);
            }
        }
    }
}
