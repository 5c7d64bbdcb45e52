//! A timer with sub-millisecond precision for the open loop's send times.
//!
//! tokio's timer counts in whole milliseconds and rounds every deadline up to the next one, so a
//! request due at 12.1 ms goes out at 13 ms or later: on average ~0.8 ms late, measured. The open
//! loop counts the generator's lateness against the servers (latency runs from the intended send
//! time), so that rounding alone added most of a millisecond to every figure. Here one thread
//! keeps the waiting deadlines in order and sleeps on a channel with a timeout until the first is
//! due; the kernel keeps that timeout to within tens of microseconds.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Instant;

use tokio::sync::oneshot;

/// One deadline and whom to wake at it.
type Wait = (Instant, oneshot::Sender<()>);

/// A handle on the timer thread; the thread ends when the last handle is dropped.
#[derive(Clone, Debug)]
pub struct Timer {
    waits: mpsc::Sender<Wait>,
}

impl Timer {
    /// Starts the timer thread.
    pub fn start() -> std::io::Result<Timer> {
        let (waits, incoming) = mpsc::channel();
        std::thread::Builder::new().name("sim-timer".into()).spawn(move || run(&incoming))?;
        Ok(Timer { waits })
    }

    /// Returns at `due`, never before it.
    pub async fn sleep_until(&self, due: Instant) {
        if due <= Instant::now() {
            return;
        }
        let (wake, woken) = oneshot::channel();
        if self.waits.send((due, wake)).is_err() || woken.await.is_err() {
            // The thread is gone (it never stops while a handle lives): tokio's timer will do.
            tokio::time::sleep_until(due.into()).await;
        }
    }
}

/// The timer thread: wakes each waiter once its deadline has passed, earliest first.
fn run(incoming: &mpsc::Receiver<Wait>) {
    // Ordered by deadline; the sequence number keeps two waits for the same instant apart.
    let mut waiting: BTreeMap<(Instant, u64), oneshot::Sender<()>> = BTreeMap::new();
    let mut sequence = 0_u64;
    loop {
        let now = Instant::now();
        while let Some(entry) = waiting.first_entry() {
            if entry.key().0 > now {
                break;
            }
            // A waiter that gave up (its task was dropped) is simply not there to wake.
            let _ = entry.remove().send(());
        }
        let next = match waiting.first_key_value() {
            Some(((due, _), _)) => incoming.recv_timeout(due.saturating_duration_since(now)),
            None => incoming.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match next {
            Ok((due, wake)) => {
                sequence += 1;
                waiting.insert((due, sequence), wake);
            }
            Err(RecvTimeoutError::Timeout) => {}
            // Every handle is gone, so nobody can be waiting any more.
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn sleepers_wake_at_their_time_never_before() {
        let timer = Timer::start().unwrap();
        let start = Instant::now();
        // Asked for out of order, some at the same instant.
        let offsets = [9, 2, 5, 5, 1, 7, 3];
        let mut sleepers = tokio::task::JoinSet::new();
        for ms in offsets {
            let timer = timer.clone();
            let due = start + Duration::from_millis(ms);
            sleepers.spawn(async move {
                timer.sleep_until(due).await;
                (due, Instant::now())
            });
        }
        let mut woken = 0;
        while let Some(result) = sleepers.join_next().await {
            let (due, at) = result.unwrap();
            assert!(at >= due, "woke {:?} early", due - at);
            woken += 1;
        }
        assert_eq!(woken, offsets.len());
    }

    #[test]
    fn a_waiter_that_gives_up_does_not_stop_the_others() {
        // The thread itself, without `Timer`'s fallback to tokio's timer that would hide its death.
        let (waits, incoming) = mpsc::channel();
        let thread = std::thread::spawn(move || run(&incoming));
        let start = Instant::now();
        let (quitter, gave_up) = oneshot::channel();
        drop(gave_up);
        waits.send((start + Duration::from_millis(2), quitter)).unwrap();
        let (wake, woken) = oneshot::channel();
        waits.send((start + Duration::from_millis(4), wake)).unwrap();
        assert_eq!(woken.blocking_recv(), Ok(()), "woken by the thread, not dropped by it");
        drop(waits);
        thread.join().expect("the thread ends, without a panic, once its last handle is gone");
    }
}
