//! Money: integer cents in the company's currency, never floating point.

use serde::{Deserialize, Serialize};

/// An amount in the smallest unit of the company's currency (cents).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(pub i64);

/// The currencies frontdesk can speak about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    /// Euro.
    Eur,
    /// US dollar.
    Usd,
}

impl Currency {
    /// ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Eur => "EUR",
            Self::Usd => "USD",
        }
    }
}

impl Cents {
    /// Whole units and the remaining cents, for formatting.
    pub fn split(self) -> (i64, i64) {
        (self.0 / 100, (self.0 % 100).abs())
    }

    /// Converts a decimal amount from an external API (`23.5` cents) to whole cents, rounding half
    /// away from zero. Non-finite or absurd values give `None`.
    pub fn from_decimal_cents(value: f64) -> Option<Self> {
        (value.is_finite() && value.abs() < 1e15).then(|| Self(value.round() as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_rounding() {
        assert_eq!(Cents(2850).split(), (28, 50));
        assert_eq!(Cents::from_decimal_cents(23.5), Some(Cents(24)));
        assert_eq!(Cents::from_decimal_cents(f64::NAN), None);
    }
}
