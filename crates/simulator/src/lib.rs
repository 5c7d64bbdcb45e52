//! The call simulator: plays realistic phone calls against running frontdesk servers exactly as
//! Retell would — signed webhooks, function calls with what callers really say, Retell's retries
//! and out-of-order deliveries — then checks through the admin API that nothing was lost or
//! double-booked, and reports latency. It is the load test, the chaos test and the demo.

pub mod client;
pub mod rng;
pub mod scenario;
pub mod stats;
