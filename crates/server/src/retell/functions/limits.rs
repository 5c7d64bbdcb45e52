//! Bounds on what a function call may bring and what its trace keeps. A caller's words are short;
//! a megabyte in an argument is a bug or an attack, and kept in every trace it would grow the
//! database without limit.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::hex;

/// The longest text argument a function accepts, in characters (a spoken note is far shorter).
pub const MAX_ARGUMENT_CHARS: usize = 2_000;
/// The most a trace keeps of one field (arguments, answer), in bytes of JSON.
pub const MAX_TRACE_FIELD_BYTES: usize = 16 * 1024;
/// How much of a cut field a trace still shows.
const KEPT_BYTES: usize = 1024;

/// The name of the first argument (or nested value) that is too long, if any.
pub fn oversized_argument(args: &Map<String, Value>) -> Option<String> {
    fn too_long(value: &Value) -> bool {
        match value {
            Value::String(s) => s.chars().count() > MAX_ARGUMENT_CHARS,
            Value::Array(items) => items.len() > 100 || items.iter().any(too_long),
            Value::Object(map) => map.len() > 100 || map.values().any(too_long),
            _ => false,
        }
    }
    args.iter()
        .find(|(_, v)| too_long(v))
        .map(|(k, _)| k.chars().take(64).collect())
        .or_else(|| (args.len() > 100).then(|| "(too many arguments)".to_owned()))
}

/// `value` as a trace keeps it: whole up to [`MAX_TRACE_FIELD_BYTES`], else its start, its size
/// and a SHA-256 of the whole, so that what was cut can still be recognised.
pub fn capped(value: Value) -> Value {
    let text = value.to_string();
    if text.len() <= MAX_TRACE_FIELD_BYTES {
        return value;
    }
    let mut end = KEPT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    json!({
        "truncated": true,
        "bytes": text.len(),
        "sha256": hex(&Sha256::digest(text.as_bytes())),
        "start": &text[..end],
    })
}

/// A short text field of a trace (the function name as sent), cut to 200 characters.
pub fn capped_text(text: &str) -> String {
    text.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_values_are_kept_whole_and_large_ones_are_cut_with_their_size_and_hash() {
        let small = json!({"service": "Herrenhaarschnitt"});
        assert_eq!(capped(small.clone()), small);
        let big = json!({"notes": "ä".repeat(100_000)});
        let cut = capped(big.clone());
        assert_eq!(cut["truncated"], true);
        assert_eq!(cut["bytes"], big.to_string().len());
        assert_eq!(cut["sha256"].as_str().unwrap().len(), 64);
        assert!(cut.to_string().len() < 2 * KEPT_BYTES + 200);
    }

    #[test]
    fn long_arguments_are_named() {
        let args = json!({"service": "x", "notes": "y".repeat(MAX_ARGUMENT_CHARS + 1)});
        assert_eq!(oversized_argument(args.as_object().unwrap()).as_deref(), Some("notes"));
        let fine = json!({"notes": "y".repeat(MAX_ARGUMENT_CHARS)});
        assert_eq!(oversized_argument(fine.as_object().unwrap()), None);
    }
}
