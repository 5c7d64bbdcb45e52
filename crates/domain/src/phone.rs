//! Phone numbers: validated E.164, and the caller id a call arrives with.

mod ascii_patterns;

use std::fmt;

use serde::{Deserialize, Serialize};

/// A phone number in E.164 form (`+` and up to 15 digits), validated against the numbering plan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct E164(String);

/// Why a string is not a phone number we accept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Not of the form `+<digits>` at all.
    #[error("`{0}` is not an E.164 number (expected + and country code, e.g. +493012345678)")]
    NotE164(String),
    /// Well-formed, but no such number exists in the numbering plan.
    #[error("`{0}` is not a valid phone number")]
    Invalid(String),
}

impl E164 {
    /// Parses a number that must already be in E.164 form (`+4930…`), as tenant files and the
    /// voice platform give them. Spaces, dashes and brackets are not accepted here.
    pub fn parse_strict(raw: &str) -> Result<Self, PhoneError> {
        let digits = raw
            .strip_prefix('+')
            .filter(|d| (8..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
            .filter(|d| !d.starts_with('0'))
            .ok_or_else(|| PhoneError::NotE164(raw.to_owned()))?;
        let parsed = parse_international(raw).ok_or_else(|| PhoneError::Invalid(raw.to_owned()))?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::Invalid(raw.to_owned()));
        }
        Ok(Self(format!("+{digits}")))
    }

    /// Parses what a caller says or types: `+49 160 4366218`, `0160 4366218` (national, read in
    /// `region`, an ISO 3166 code such as `DE`), `(212) 555-0199`.
    pub fn parse_lenient(raw: &str, region: Option<&str>) -> Result<Self, PhoneError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > 32 {
            return Err(PhoneError::NotE164(raw.to_owned()));
        }
        // A number written with its country code is read as such, whatever the region: with a
        // region, the parser would take a leading digit of some foreign numbers for that
        // region's own country code (US: `+49 160…` became `+49 60…`).
        let country = if trimmed.starts_with('+') {
            None
        } else {
            region.and_then(|r| r.parse::<phonenumber::country::Id>().ok())
        };
        // Reading a national number already checks it against the region's patterns.
        if let Some(meta) = country.and_then(|c| phonenumber::metadata::DATABASE.by_id(c.as_ref())) {
            ascii_patterns::prepare(meta.country_code());
        }
        let parsed = phonenumber::parse(country, trimmed).map_err(|_| PhoneError::Invalid(raw.to_owned()))?;
        ascii_patterns::prepare(parsed.code().value());
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::Invalid(raw.to_owned()));
        }
        let formatted = parsed.format().mode(phonenumber::Mode::E164).to_string();
        Ok(Self(formatted))
    }

    /// The number, e.g. `+493033081738`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as people write it where they live: nationally when it belongs to `region`
    /// (`030 33081738` in Germany), internationally otherwise (`+1 212-555-0142`).
    pub fn display_for(&self, region: &str) -> String {
        let Some(parsed) = parse_international(&self.0) else { return self.0.clone() };
        let home = parsed.country().id().is_some_and(|id| id.as_ref().eq_ignore_ascii_case(region));
        let mode = if home { phonenumber::Mode::National } else { phonenumber::Mode::International };
        parsed.format().mode(mode).to_string()
    }

    /// Whether text messages can reach it: a mobile number, or one its country does not tell
    /// apart from a fixed line (as in North America).
    pub fn is_mobile(&self) -> bool {
        let Some(parsed) = parse_international(&self.0) else { return false };
        let metadata = &*phonenumber::metadata::DATABASE;
        matches!(parsed.number_type(metadata), phonenumber::Type::Mobile | phonenumber::Type::FixedLineOrMobile)
    }

    /// The number with the middle digits hidden, for logs: `+4930*****738`.
    pub fn masked(&self) -> String {
        let s = &self.0;
        let keep_end = 3;
        let keep_start = 4.min(s.len().saturating_sub(keep_end));
        let hidden = s.len() - keep_start - keep_end;
        format!("{}{}{}", &s[..keep_start], "*".repeat(hidden), &s[s.len() - keep_end..])
    }
}

/// Reads a number written with its country code, with that country's patterns compiled the
/// compact way (see [`ascii_patterns`]) before anything validates or classifies it.
fn parse_international(raw: &str) -> Option<phonenumber::PhoneNumber> {
    let parsed = phonenumber::parse(None, raw).ok()?;
    ascii_patterns::prepare(parsed.code().value());
    Some(parsed)
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for E164 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse_strict(&raw).map_err(serde::de::Error::custom)
    }
}

/// Who is calling, as far as the caller id tells.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Caller {
    /// A number we can identify customers by.
    Number(E164),
    /// Caller id withheld (`anonymous`), empty, or not a usable number.
    Anonymous,
}

impl Caller {
    /// Reads the platform's `from_number`. Anything that is not a valid E.164 number — the literal
    /// `anonymous`, an empty string, garbage — is an anonymous caller: we never guess who it is.
    pub fn from_platform(raw: Option<&str>) -> Self {
        match raw.map(str::trim) {
            Some(s) if s.starts_with('+') => E164::parse_strict(s).map_or(Self::Anonymous, Self::Number),
            _ => Self::Anonymous,
        }
    }

    /// The number, if the caller is not anonymous.
    pub fn number(&self) -> Option<&E164> {
        match self {
            Self::Number(n) => Some(n),
            Self::Anonymous => None,
        }
    }

    /// Whether the caller withheld their number.
    pub fn is_anonymous(&self) -> bool {
        matches!(self, Self::Anonymous)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_parsing_accepts_only_e164() {
        assert_eq!(E164::parse_strict("+493033081738").unwrap().as_str(), "+493033081738");
        assert_eq!(E164::parse_strict("+12125550123").unwrap().as_str(), "+12125550123");
        for bad in ["493033081738", "+49 30 33081738", "+49-30", "+0123456789", "", "+", "+4930abc"] {
            assert!(E164::parse_strict(bad).is_err(), "{bad} accepted");
        }
        assert!(matches!(E164::parse_strict("+49123"), Err(PhoneError::NotE164(_))));
    }

    #[test]
    fn lenient_parsing_reads_national_numbers() {
        let n = E164::parse_lenient("0160 4366218", Some("DE")).unwrap();
        assert_eq!(n.as_str(), "+491604366218");
        let n = E164::parse_lenient("(212) 555-0199", Some("US")).unwrap();
        assert_eq!(n.as_str(), "+12125550199");
        let n = E164::parse_lenient("+49 160 4366218", None).unwrap();
        assert_eq!(n.as_str(), "+491604366218");
        assert!(E164::parse_lenient("hello", Some("DE")).is_err());
    }

    #[test]
    fn international_numbers_keep_their_country_whatever_the_region() {
        for region in [Some("US"), Some("DE"), Some("GB"), None] {
            for written in ["+491604366218", "+49 160 4366218", " +49 (160) 436-6218 "] {
                assert_eq!(
                    E164::parse_lenient(written, region).unwrap().as_str(),
                    "+491604366218",
                    "{written} in {region:?}"
                );
            }
            assert_eq!(E164::parse_lenient("+1 212 555 0199", region).unwrap().as_str(), "+12125550199");
        }
    }

    #[test]
    fn callers_without_a_valid_number_are_anonymous() {
        assert!(Caller::from_platform(Some("anonymous")).is_anonymous());
        assert!(Caller::from_platform(Some("")).is_anonymous());
        assert!(Caller::from_platform(None).is_anonymous());
        assert!(Caller::from_platform(Some("+1")).is_anonymous());
        assert_eq!(Caller::from_platform(Some("+491604366218")).number().unwrap().as_str(), "+491604366218");
    }

    #[test]
    fn masking_hides_the_middle() {
        let n = E164::parse_strict("+491604366218").unwrap();
        assert_eq!(n.masked(), "+491******218");
    }
}
