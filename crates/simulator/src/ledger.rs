//! What the simulated callers were told, kept across the whole run: which appointments each phone
//! number holds (so later calls can move or cancel them) and what state every appointment the
//! server announced must be in at the end.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use crate::rng::Rng;

/// An appointment a caller holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// Appointment id.
    pub id: i64,
    /// Local start as the server said it (`YYYY-MM-DDTHH:MM`).
    pub start: String,
}

/// What must be true of one announced appointment at the end of the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// Local start (`YYYY-MM-DDTHH:MM`) as last announced.
    pub start: String,
    /// Whether a cancellation was announced.
    pub cancelled: bool,
    /// The call that booked it.
    pub call_id: String,
    /// How many distinct requests announced it as newly booked (must be 1).
    pub announced: u32,
    /// Where its confirmation was announced to go by e-mail.
    pub email: Option<String>,
    /// How many moves were announced.
    pub moves: u32,
}

#[derive(Default)]
struct Inner {
    held: HashMap<String, Vec<Held>>,
    expected: BTreeMap<i64, Expected>,
    callbacks: u64,
}

/// The shared ledger. Each appointment is held by at most one call at a time, as one person
/// changes their own booking in one call at a time; contention between callers comes from
/// booking the same popular slots.
#[derive(Default)]
pub struct Ledger(Mutex<Inner>);

impl Ledger {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes one of `phone`'s appointments for this call to change, if they have any.
    pub fn take(&self, phone: &str, rng: &mut Rng) -> Option<Held> {
        let mut inner = self.lock();
        let list = inner.held.get_mut(phone)?;
        if list.is_empty() {
            return None;
        }
        let i = rng.below(list.len() as u64) as usize;
        Some(list.swap_remove(i))
    }

    /// Gives an appointment (still active) back to `phone` for later calls.
    pub fn give_back(&self, phone: &str, held: Held) {
        self.lock().held.entry(phone.to_owned()).or_default().push(held);
    }

    /// The server said `booked`, with a confirmation to `email` if it said so.
    pub fn booked(&self, phone: Option<&str>, held: Held, call_id: &str, email: Option<String>) {
        let mut inner = self.lock();
        inner.expected.entry(held.id).and_modify(|e| e.announced += 1).or_insert_with(|| Expected {
            start: held.start.clone(),
            cancelled: false,
            call_id: call_id.to_owned(),
            announced: 1,
            email,
            moves: 0,
        });
        if let Some(phone) = phone {
            inner.held.entry(phone.to_owned()).or_default().push(held);
        }
    }

    /// The server said `rescheduled` to `start`.
    pub fn rescheduled(&self, id: i64, start: &str) {
        if let Some(e) = self.lock().expected.get_mut(&id) {
            start.clone_into(&mut e.start);
            e.moves += 1;
        }
    }

    /// The server said `cancelled`.
    pub fn cancelled(&self, id: i64) {
        if let Some(e) = self.lock().expected.get_mut(&id) {
            e.cancelled = true;
        }
    }

    /// The server said `callback_requested` (its branch is alerted by e-mail).
    pub fn callback_requested(&self) {
        self.lock().callbacks += 1;
    }

    /// How many callback requests were announced.
    pub fn callbacks(&self) -> u64 {
        self.lock().callbacks
    }

    /// Every announced appointment and what must be true of it.
    pub fn expected(&self) -> BTreeMap<i64, Expected> {
        self.lock().expected.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_appointment_is_held_by_one_call_at_a_time() {
        let ledger = Ledger::default();
        let mut rng = Rng::new(1);
        ledger.booked(Some("+4930"), Held { id: 7, start: "2026-03-10T10:00".into() }, "c1", None);
        let held = ledger.take("+4930", &mut rng).unwrap();
        assert_eq!(ledger.take("+4930", &mut rng), None);
        ledger.rescheduled(7, "2026-03-11T11:00");
        ledger.give_back("+4930", held);
        assert!(ledger.take("+4930", &mut rng).is_some());
        ledger.cancelled(7);
        let e = &ledger.expected()[&7];
        assert_eq!((e.start.as_str(), e.cancelled, e.announced), ("2026-03-11T11:00", true, 1));
    }
}
