//! Random secrets: API tokens and session cookies.
//!
//! A secret is 32 random bytes from the operating system. Only its SHA-256 is stored: the
//! secrets are random, so a slow password hash would add nothing but latency. An API token reads
//! `fd_<prefix>_<secret>`; the prefix (public, unique) finds the stored row, then the hashes are
//! compared in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What every API token starts with, so that one found in a log or a repository is recognised.
pub const TOKEN_PREFIX: &str = "fd_";

/// Bytes of randomness in a secret.
const SECRET_BYTES: usize = 32;

/// Bytes of the public part of a token (shown in lists to tell tokens apart).
const PREFIX_BYTES: usize = 6;

/// `n` random bytes, hex-encoded.
fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    // The operating system's generator failing is not something to serve requests without.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    hex::encode(bytes)
}

/// SHA-256 of a secret, hex: what is stored.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether two stored hashes are equal, in time independent of where they differ.
pub fn same_hash(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A new session cookie value.
pub fn session_secret() -> String {
    random_hex(SECRET_BYTES)
}

/// A freshly made API token: shown once, then only its prefix and hash are kept.
#[derive(Clone)]
pub struct NewTokenSecret {
    /// The whole token, for the person who asked for it.
    pub token: String,
    /// Its public part (`fd_` and 12 hex digits).
    pub prefix: String,
    /// SHA-256 of the whole token.
    pub hash: String,
}

/// Makes a new API token.
pub fn new_token() -> NewTokenSecret {
    let prefix = format!("{TOKEN_PREFIX}{}", random_hex(PREFIX_BYTES));
    let token = format!("{prefix}_{}", random_hex(SECRET_BYTES));
    let hash = hash(&token);
    NewTokenSecret { token, prefix, hash }
}

/// The public prefix of something that looks like one of our tokens.
pub fn token_prefix(token: &str) -> Option<&str> {
    let (prefix, secret) = token.rsplit_once('_')?;
    (prefix.starts_with(TOKEN_PREFIX) && prefix.len() == TOKEN_PREFIX.len() + 2 * PREFIX_BYTES && !secret.is_empty())
        .then_some(prefix)
}

/// A password for somebody who did not choose one: 20 characters from an alphabet without
/// look-alikes (about 100 bits).
pub fn generated_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    // 256 is not a multiple of the alphabet's length; the bias (< 1%) is irrelevant at 100 bits.
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_prefix_and_hashes_to_its_hash() {
        let t = new_token();
        assert!(t.token.starts_with("fd_"));
        assert_eq!(token_prefix(&t.token), Some(t.prefix.as_str()));
        assert!(same_hash(&hash(&t.token), &t.hash));
        assert!(t.token.len() >= 3 + 12 + 1 + 64, "at least 32 random bytes");
        assert_ne!(new_token().token, t.token);
        assert_eq!(token_prefix("demo-admin-token"), None);
        assert_eq!(token_prefix("fd_short_x"), None);
    }
}
