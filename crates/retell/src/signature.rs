//! `X-Retell-Signature`: `v=<unix ms>,d=<hex HMAC-SHA256(key, body ‖ ms digits)>`.
//!
//! Verification is strict (exactly that shape, lowercase hex, 64 digits), uses the real clock
//! with a 5-minute tolerance either way, accepts any of several keys (for key rotation), works on
//! the raw body bytes and compares in constant time.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header name.
pub const HEADER: &str = "x-retell-signature";

/// How far the sender's clock may be from ours, either way: 5 minutes.
pub const TOLERANCE_MS: i64 = 300_000;

/// Why a request was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No header.
    #[error("missing X-Retell-Signature")]
    Missing,
    /// Not of the form `v=<digits>,d=<64 lowercase hex>`.
    #[error("malformed X-Retell-Signature")]
    Malformed,
    /// Signed more than five minutes away from now.
    #[error("X-Retell-Signature is too old or from the future")]
    Stale,
    /// No key produces this digest.
    #[error("X-Retell-Signature does not match")]
    Mismatch,
}

/// Verifies signatures with a set of keys.
#[derive(Clone)]
pub struct Verifier {
    keys: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Verifier({} keys)", self.keys.len())
    }
}

impl Verifier {
    /// A verifier accepting signatures by any of `keys`.
    pub fn new<K: AsRef<str>>(keys: impl IntoIterator<Item = K>) -> Self {
        Self { keys: keys.into_iter().map(|k| k.as_ref().as_bytes().to_vec()).collect() }
    }

    /// Checks `header` against `body` at `now_ms` (Unix milliseconds, real clock).
    pub fn verify(&self, header: Option<&str>, body: &[u8], now_ms: i64) -> Result<(), SignatureError> {
        let header = header.ok_or(SignatureError::Missing)?;
        let (digits, ts, digest) = parse(header).ok_or(SignatureError::Malformed)?;
        if (now_ms - ts).abs() > TOLERANCE_MS {
            return Err(SignatureError::Stale);
        }
        for key in &self.keys {
            let mut mac = HmacSha256::new_from_slice(key).map_err(|_| SignatureError::Mismatch)?;
            mac.update(body);
            mac.update(digits.as_bytes());
            // `verify_slice` compares in constant time.
            if mac.verify_slice(&digest).is_ok() {
                return Ok(());
            }
        }
        Err(SignatureError::Mismatch)
    }
}

/// Splits a header into (the timestamp's digits, the timestamp, the digest).
fn parse(header: &str) -> Option<(&str, i64, [u8; 32])> {
    let rest = header.strip_prefix("v=")?;
    let (digits, rest) = rest.split_once(",d=")?;
    let is_hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if rest.len() != 64 || !rest.bytes().all(is_hex) {
        return None;
    }
    let ts = digits.parse().ok()?;
    let mut digest = [0u8; 32];
    hex::decode_to_slice(rest, &mut digest).ok()?;
    Some((digits, ts, digest))
}

/// Signs `body` as Retell would at `ts_ms` (for tests, the simulator and local trials).
pub fn sign(key: &str, body: &[u8], ts_ms: i64) -> String {
    let digits = ts_ms.to_string();
    let mut mac = HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac.update(digits.as_bytes());
    format!("v={digits},d={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    struct Vectors {
        tolerance_ms: i64,
        vectors: Vec<Vector>,
    }

    #[derive(Deserialize)]
    struct Vector {
        key: String,
        body: String,
        header: String,
        now_ms: i64,
        valid: bool,
        note: String,
    }

    #[test]
    fn every_fixture_vector() {
        let file: Vectors =
            serde_json::from_str(include_str!("../../../fixtures/retell/signature-vectors.json")).unwrap();
        assert_eq!(file.tolerance_ms, TOLERANCE_MS);
        assert!(file.vectors.len() >= 20);
        for v in &file.vectors {
            let verifier = Verifier::new([&v.key]);
            let header = (!v.header.is_empty()).then_some(v.header.as_str());
            let result = verifier.verify(header, v.body.as_bytes(), v.now_ms);
            assert_eq!(result.is_ok(), v.valid, "{}: {result:?}", v.note);
        }
    }

    #[test]
    fn signing_round_trips_and_any_key_verifies() {
        let body = "{\"name\":\"book\",\"args\":{\"city\":\"Málaga\"}}".as_bytes();
        let header = sign("second", body, 1_714_608_475_945);
        let verifier = Verifier::new(["first", "second"]);
        assert_eq!(verifier.verify(Some(&header), body, 1_714_608_475_945), Ok(()));
        assert_eq!(
            Verifier::new(["first"]).verify(Some(&header), body, 1_714_608_475_945),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(verifier.verify(None, body, 0), Err(SignatureError::Missing));
        assert_eq!(
            verifier.verify(Some(&header.to_uppercase()), body, 1_714_608_475_945),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verifier.verify(Some(&header), body, 1_714_608_475_945 + TOLERANCE_MS + 1),
            Err(SignatureError::Stale)
        );
    }
}
