//! frontdesk's domain: what a receptionist knows and decides, with no I/O and no async.
//!
//! - [`access`]: operators' roles and the company scope of what they may see and change.
//! - [`ids`], [`phone`], [`money`], [`time`], [`locale`]: the value types everything else uses.
//! - [`tenant`], [`tenant_file`], [`directory`]: companies, branches, staff, services, policies;
//!   reading them from a tenant file; looking them up during a call.
//! - [`availability`]: which start times can be booked, alternatives, staff assignment.
//! - [`call`]: phone calls and their order-independent merge (invariant I6).
//! - [`records`]: customers, appointments, traces, webhook events, callbacks, outbox jobs.
//! - [`policy`]: cancellation and rescheduling decisions.
//! - [`language`]: understanding dates and times, and the message catalogue per language.
//! - [`matching`]: lenient matching of what callers say against names.

pub mod access;
pub mod availability;
pub mod call;
pub mod directory;
pub mod ids;
pub mod language;
pub mod locale;
pub mod matching;
pub mod money;
pub mod notification;
pub mod phone;
pub mod policy;
pub mod records;
pub mod tenant;
pub mod tenant_file;
pub mod text;
pub mod time;
