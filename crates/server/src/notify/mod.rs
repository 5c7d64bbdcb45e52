//! Notifications: confirmations, notices of a move or cancellation and reminders to customers
//! (e-mail with a calendar entry, or a text message), alerts of callback requests to branches.
//!
//! Module map: [`enqueue`] writes them with the change that causes them; [`worker`] claims and
//! sends what is due; [`compose`] words them from the templates in `templates/notify/`;
//! [`calendar`] writes the iCalendar entry; [`smtp`] and [`sms`] deliver; [`unsubscribe`] is the
//! one-click opt-out of reminders.

pub mod calendar;
pub mod compose;
pub mod enqueue;
pub mod sms;
pub mod smtp;
pub mod unsubscribe;
pub mod worker;

pub use enqueue::{Change, appointment_changed, callback_requested};
