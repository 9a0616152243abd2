//! One ledger import at a time per county (一个县同一时间只导入一个台账文件): an upload that
//! arrives while the county's import runs waits its turn in line, and its page can ask how many
//! imports are still ahead of it. Two large files at once would each take their memory and fight
//! over the same households; in line, they take turns.
//!
//! A [`Ticket`] is a place in the county's line: [`Ticket::wait_turn`] blocks until every import
//! ahead of it is done, and dropping the ticket (the import finished, failed or was abandoned)
//! lets the next one go. [`ImportQueue::global`] is the server's line; the command line imports
//! with the database to itself and does not queue.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard, PoisonError};

/// The lines of imports waiting, one per county.
#[derive(Default)]
pub struct ImportQueue {
    lines: Mutex<HashMap<String, VecDeque<Place>>>,
    turn: Condvar,
    next: AtomicU64,
}

/// One import in line: its number and the label its page asks about.
struct Place {
    id: u64,
    label: String,
}

/// A place in a county's line; leaving it (drop) lets the next import go.
pub struct Ticket<'q> {
    queue: &'q ImportQueue,
    county: String,
    id: u64,
}

impl ImportQueue {
    pub fn new() -> ImportQueue {
        ImportQueue::default()
    }

    /// The server's line.
    pub fn global() -> &'static ImportQueue {
        static QUEUE: LazyLock<ImportQueue> = LazyLock::new(ImportQueue::new);
        &QUEUE
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, VecDeque<Place>>> {
        // every change under the lock is whole, so a panic elsewhere leaves the lines intact
        self.lines.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the last place in `county`'s line, under `label` (what [`ImportQueue::position`]
    /// is asked with).
    pub fn join(&self, county: &str, label: &str) -> Ticket<'_> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock()
            .entry(county.to_string())
            .or_default()
            .push_back(Place {
                id,
                label: label.to_string(),
            });
        Ticket {
            queue: self,
            county: county.to_string(),
            id,
        }
    }

    /// How many imports are ahead of the one under `label` in `county`'s line (0: it is
    /// running, or about to); `None` when there is none under that label.
    pub fn position(&self, county: &str, label: &str) -> Option<usize> {
        self.lock()
            .get(county)?
            .iter()
            .position(|p| p.label == label)
    }
}

impl Ticket<'_> {
    /// How many imports are ahead of this one.
    pub fn ahead(&self) -> usize {
        self.queue
            .lock()
            .get(&self.county)
            .and_then(|line| line.iter().position(|p| p.id == self.id))
            .unwrap_or(0)
    }

    /// Blocks until this import is the first in its county's line.
    pub fn wait_turn(&self) {
        let mut lines = self.queue.lock();
        loop {
            let first = lines
                .get(&self.county)
                .and_then(|line| line.front())
                .map(|p| p.id);
            if first.is_none_or(|id| id == self.id) {
                return;
            }
            lines = self
                .queue
                .turn
                .wait(lines)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        let mut lines = self.queue.lock();
        if let Some(line) = lines.get_mut(&self.county) {
            line.retain(|p| p.id != self.id);
            if line.is_empty() {
                lines.remove(&self.county);
            }
        }
        drop(lines);
        self.queue.turn.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    #[test]
    fn a_second_import_of_a_county_waits_until_the_first_is_done_and_sees_its_place() {
        let queue = ImportQueue::new();
        let first = queue.join("510821", "u1:a");
        first.wait_turn(); // the first goes at once
        let second = queue.join("510821", "u2:b");
        let other_county = queue.join("510822", "u3:c");
        other_county.wait_turn(); // another county does not wait
        assert_eq!(queue.position("510821", "u1:a"), Some(0));
        assert_eq!(queue.position("510821", "u2:b"), Some(1));
        assert_eq!(second.ahead(), 1);
        assert_eq!(queue.position("510821", "u9:z"), None);

        let second_running = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                second.wait_turn();
                second_running.store(true, Ordering::SeqCst);
            });
            std::thread::sleep(Duration::from_millis(100));
            assert!(
                !second_running.load(Ordering::SeqCst),
                "the second import waits while the first runs"
            );
            drop(first);
        });
        assert!(second_running.load(Ordering::SeqCst));
        assert_eq!(queue.position("510821", "u2:b"), Some(0));
        drop(second);
        assert_eq!(queue.position("510821", "u2:b"), None);
    }

    #[test]
    fn an_abandoned_place_lets_those_behind_it_move_up() {
        let queue = ImportQueue::new();
        let first = queue.join("510821", "a");
        let second = queue.join("510821", "b");
        let third = queue.join("510821", "c");
        assert_eq!(third.ahead(), 2);
        drop(second);
        assert_eq!(third.ahead(), 1);
        drop(first);
        third.wait_turn();
        assert_eq!(third.ahead(), 0);
    }
}
