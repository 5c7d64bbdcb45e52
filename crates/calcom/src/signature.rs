//! `X-Cal-Signature-256`: lowercase hex HMAC-SHA256 of the raw body, keyed with the webhook
//! secret. Cal.com sends no timestamp, so there is no replay protection in the signature itself:
//! duplicates are recognised by the inbox's dedupe key instead.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The header name.
pub const HEADER: &str = "x-cal-signature-256";

/// Whether `header` is the signature of `body` under `secret` (constant-time comparison).
pub fn verify(secret: &str, body: &[u8], header: Option<&str>) -> bool {
    let Some(header) = header else { return false };
    let mut digest = [0u8; 32];
    if header.len() != 64 || hex::decode_to_slice(header, &mut digest).is_err() {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(body);
    mac.verify_slice(&digest).is_ok()
}

/// Signs `body` as Cal.com would (for tests and the fake).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let body = br#"{"triggerEvent":"BOOKING_CREATED"}"#;
        let header = sign("whsec", body);
        assert!(verify("whsec", body, Some(&header)));
        assert!(!verify("other", body, Some(&header)));
        assert!(!verify("whsec", b"{}", Some(&header)));
        assert!(!verify("whsec", body, None));
        assert!(!verify("whsec", body, Some("abc")));
        assert!(!verify("whsec", body, Some(&header.to_uppercase().replace('A', "G"))));
    }
}
