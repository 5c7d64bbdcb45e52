//! Language: understanding what callers say, and what the agent says back.
//!
//! - [`when`]: dates and times in German and English.
//! - [`spoken`]: dates, times, money and lists as they are said in each language.
//! - [`catalogue`]: every sentence spoken to a caller, per language.

pub mod catalogue;
pub mod spoken;
pub mod when;
