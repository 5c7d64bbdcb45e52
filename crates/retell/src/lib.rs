//! Retell AI's wire protocol as frontdesk speaks it (see `integrations/retell.md`):
//!
//! - [`signature`]: `X-Retell-Signature` verification and signing.
//! - [`wire`]: call objects, lifecycle events, inbound calls, function calls — lenient parsing.
//! - [`functions`]: the custom functions, their aliases, and tool definitions for agents.
//! - [`status`]: every outcome a function answers, as its contract string.
//! - [`client`]: the REST API (fetching calls for reconciliation).
//! - `fake` (feature `fake`): a fake REST API for tests and the simulator.

pub mod client;
#[cfg(feature = "fake")]
pub mod fake;
pub mod functions;
pub mod signature;
pub mod status;
pub mod wire;
