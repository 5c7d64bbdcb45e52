//! Languages and locales: which catalogue speaks to the caller, how dates and money are said.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::money::Currency;

/// A language frontdesk has a message catalogue for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// German.
    De,
    /// English.
    En,
}

/// A company's locale, e.g. `de-DE`: a supported language and an optional region.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Locale {
    tag: String,
    language: Language,
    region: Option<String>,
}

/// A locale whose language has no catalogue, or a malformed tag.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unsupported locale `{0}` (supported languages: de, en; e.g. de-DE, en-US)")]
pub struct UnsupportedLocale(pub String);

impl Locale {
    /// Parses a BCP 47 tag of the form `ll` or `ll-RR`.
    pub fn parse(tag: &str) -> Result<Self, UnsupportedLocale> {
        let err = || UnsupportedLocale(tag.to_owned());
        let mut parts = tag.split(['-', '_']);
        let language = match parts.next().map(str::to_ascii_lowercase).as_deref() {
            Some("de") => Language::De,
            Some("en") => Language::En,
            _ => return Err(err()),
        };
        let region = match parts.next() {
            Some(r) if r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()) => Some(r.to_ascii_uppercase()),
            Some(_) => return Err(err()),
            None => None,
        };
        if parts.next().is_some() {
            return Err(err());
        }
        let tag = match &region {
            Some(r) => format!("{}-{r}", language.code()),
            None => language.code().to_owned(),
        };
        Ok(Self { tag, language, region })
    }

    /// The normalised tag, e.g. `de-DE`.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The catalogue language.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The region for reading national phone numbers (`DE`, `US`); defaults by language.
    pub fn phone_region(&self) -> &str {
        self.region.as_deref().unwrap_or(match self.language {
            Language::De => "DE",
            Language::En => "US",
        })
    }

    /// The currency used when a tenant does not name one.
    pub fn default_currency(&self) -> Currency {
        match self.region.as_deref() {
            Some("US") => Currency::Usd,
            Some(_) => Currency::Eur,
            None => match self.language {
                Language::De => Currency::Eur,
                Language::En => Currency::Usd,
            },
        }
    }
}

impl Language {
    /// ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
        }
    }

    /// Parses an ISO 639-1 code of a supported language.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "de" => Some(Self::De),
            "en" => Some(Self::En),
            _ => None,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_supported_locales() {
        let l = Locale::parse("de-DE").unwrap();
        assert_eq!((l.language(), l.phone_region(), l.tag()), (Language::De, "DE", "de-DE"));
        assert_eq!(Locale::parse("en_us").unwrap().tag(), "en-US");
        assert_eq!(Locale::parse("en-US").unwrap().default_currency(), Currency::Usd);
        assert!(Locale::parse("fr-FR").is_err());
        assert!(Locale::parse("de-DE-x").is_err());
    }
}
