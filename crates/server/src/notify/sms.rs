//! Text messages through a Twilio-compatible REST API (`FRONTDESK_SMS_URL`): one
//! `POST {base}/2010-04-01/Accounts/{sid}/Messages.json` per message, with the account's
//! credentials as HTTP basic authentication.

use std::fmt;
use std::time::Duration;

use frontdesk_domain::phone::E164;

use super::smtp::Delivery;

/// The SMS provider, parsed from `FRONTDESK_SMS_URL` (`https://SID:TOKEN@api.twilio.com`) and
/// `FRONTDESK_SMS_FROM`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsTarget {
    /// The API's base URL, without credentials.
    pub base_url: String,
    /// The account.
    pub account_sid: String,
    /// Its secret.
    pub auth_token: String,
    /// The number messages come from.
    pub from: E164,
}

impl fmt::Debug for SmsTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsTarget")
            .field("base_url", &self.base_url)
            .field("account_sid", &self.account_sid)
            .field("from", &self.from)
            .finish_non_exhaustive()
    }
}

impl SmsTarget {
    /// Parses the provider URL; the account and its token are the URL's user and password.
    pub fn parse(raw: &str, from: &str) -> Result<Self, String> {
        let mut url = reqwest::Url::parse(raw.trim()).map_err(|e| format!("`FRONTDESK_SMS_URL` is not a URL: {e}"))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err("the SMS provider URL starts with https://".into());
        }
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let account_sid = decode(url.username());
        let auth_token = url.password().map(decode).unwrap_or_default();
        if account_sid.is_empty() || auth_token.is_empty() {
            return Err("the SMS provider URL carries the account and token: https://SID:TOKEN@host".into());
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let from = E164::parse_strict(from).map_err(|e| format!("`FRONTDESK_SMS_FROM`: {e}"))?;
        Ok(Self { base_url: url.as_str().trim_end_matches('/').to_owned(), account_sid, auth_token, from })
    }
}

/// Sends text messages.
#[derive(Clone)]
pub struct SmsSender {
    target: SmsTarget,
    http: reqwest::Client,
}

impl SmsSender {
    /// A sender for `target`.
    pub fn new(target: SmsTarget, timeout: Duration) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().timeout(timeout).build().unwrap_or_default();
        Self { target, http }
    }

    /// Sends `body` to `to`. A retry after a lost answer may send it twice: the provider has no
    /// idempotency key, so the window is the same as with SMTP.
    pub async fn send(&self, to: &str, body: &str) -> Delivery {
        let t = &self.target;
        let url = format!("{}/2010-04-01/Accounts/{}/Messages.json", t.base_url, t.account_sid);
        let form = [("To", to), ("From", t.from.as_str()), ("Body", body)];
        let sent = self.http.post(url).basic_auth(&t.account_sid, Some(&t.auth_token)).form(&form).send().await;
        match sent {
            Ok(r) if r.status().is_success() => Delivery::Accepted,
            Ok(r) if r.status().as_u16() == 429 || r.status().is_server_error() => {
                Delivery::Transient(format!("the SMS provider answered {}", r.status()))
            }
            Ok(r) => Delivery::Permanent(format!("the SMS provider refused the message: {}", r.status())),
            Err(e) => Delivery::Transient(format!("the SMS provider could not be reached: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_carries_account_and_token() {
        let t = SmsTarget::parse("https://AC123:tok@api.twilio.com/", "+4915112345678").unwrap();
        assert_eq!(t.base_url, "https://api.twilio.com");
        assert_eq!((t.account_sid.as_str(), t.auth_token.as_str()), ("AC123", "tok"));
        assert!(!format!("{t:?}").contains("tok\""));
        assert!(SmsTarget::parse("https://api.twilio.com", "+4915112345678").is_err());
        assert!(SmsTarget::parse("https://a:b@api.twilio.com", "12345").is_err());
    }
}
