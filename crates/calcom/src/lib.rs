//! Cal.com API v2 as frontdesk speaks it (see `integrations/calcom.md`):
//!
//! - [`signature`]: `X-Cal-Signature-256` on inbound webhooks.
//! - [`wire`]: bookings and webhook deliveries, read leniently; the body of a new booking.
//! - [`client`]: the bookings endpoints, with the right `cal-api-version` header.
//! - `fake` (feature `fake`): a fake API with Cal.com's quirks, for tests.

pub mod client;
#[cfg(feature = "fake")]
pub mod fake;
pub mod signature;
pub mod wire;
