//! Password hashes: argon2id with the crate's default parameters (the OWASP recommendation:
//! 19 MiB, 2 passes), stored as PHC strings so that parameters can be raised later without
//! invalidating old hashes. Hashing takes tens of milliseconds of CPU: it runs on the blocking
//! pool, never on the threads answering calls.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Longest password accepted (argon2 itself takes more; nobody types more).
pub const MAX_LEN: usize = 1024;

/// Shortest password accepted.
pub const MIN_LEN: usize = 10;

/// Why a password is not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Too short or too long.
    #[error("a password has {MIN_LEN} to {MAX_LEN} characters")]
    Length,
}

/// Checks a new password's length.
pub fn acceptable(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if (MIN_LEN..=MAX_LEN).contains(&n) { Ok(()) } else { Err(PasswordError::Length) }
}

/// The PHC string of `password` with a fresh salt.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(&password)).await?
}

/// [`hash`] on the current thread (for the command line).
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

/// Whether `password` matches `phc`. Without a stored hash (an unknown account) a dummy hash is
/// checked, so that the answer takes as long as for a real account and does not reveal which
/// accounts exist.
pub async fn verify(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let phc = phc
            .unwrap_or_else(|| DUMMY.get_or_init(|| hash_now("not a password of anybody").unwrap_or_default()).clone());
        Argon2::default().verify_password(password.as_bytes(), phc.as_str()).is_ok()
    })
    .await
    .unwrap_or(false)
}

static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse battery".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(phc.clone())).await);
        assert!(!verify("correct horse battery!".into(), Some(phc)).await);
        assert!(!verify("anything".into(), None).await);
        assert_eq!(acceptable("short"), Err(PasswordError::Length));
    }
}
