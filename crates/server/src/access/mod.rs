//! Who is asking: operators' credentials and how a request becomes a [`Principal`].
//!
//! - [`secret`]: random secrets (API tokens, session cookies), stored only as SHA-256 and
//!   compared in constant time.
//! - [`password`]: argon2id password hashes, computed off the async threads.
//! - [`authenticate`]: the middleware that turns a bearer token or a session cookie into the
//!   request's [`Principal`], and the [`Operator`] extractor handlers take it from.
//! - [`login`]: logging in and out, with failed attempts limited per account and per client
//!   address ([`client`]).
//!
//! What a principal may see is its `Scope` (`frontdesk_domain::access`), which the store's
//! operator-facing queries take; what it may do is its `Role`.
//!
//! [`Principal`]: frontdesk_domain::access::Principal

pub mod authenticate;
pub mod client;
pub mod login;
pub mod password;
pub mod secret;

pub use authenticate::Operator;
