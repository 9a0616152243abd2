//! Jobs on a clock: what the server does by itself (the monthly screening today; the daily
//! deadline sweep and the monthly task lists of the workflows to come).
//!
//! A job is a name, how often it is due, and a function that does one round of it and says
//! whether the round is done for its period. Each job runs on the scheduler's own thread, one at a
//! time, so a slow round never overlaps the next one; a round that fails is tried again at the
//! next check. The scheduler stops when its handle is dropped.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// What one round of a job did.
pub enum Round {
    /// The job's work for the current period is done: it is not tried again until the period
    /// changes.
    Done,
    /// Nothing to do yet, or a failure worth another try at the next check (the reason is logged).
    Retry(String),
}

/// The period a job's work belongs to (for the monthly screening: the year and month), so that a
/// job done for the period is not run again until the period changes.
pub type Period = (i32, u32);

struct Job {
    name: &'static str,
    period: Box<dyn Fn() -> Period + Send>,
    round: Box<dyn FnMut() -> Round + Send>,
    done_for: Option<Period>,
}

/// Jobs checked every `tick`.
pub struct Scheduler {
    tick: Duration,
    jobs: Vec<Job>,
}

impl Scheduler {
    /// A scheduler that checks its jobs every `tick` (the server uses an hour).
    pub fn new(tick: Duration) -> Scheduler {
        Scheduler {
            tick,
            jobs: Vec::new(),
        }
    }

    /// Adds a job done once per period: `period` says which period it is now, `round` does the
    /// work. The job runs at the first check and then whenever the period has changed since its
    /// last [`Round::Done`].
    pub fn once_per(
        mut self,
        name: &'static str,
        period: impl Fn() -> Period + Send + 'static,
        round: impl FnMut() -> Round + Send + 'static,
    ) -> Scheduler {
        self.jobs.push(Job {
            name,
            period: Box::new(period),
            round: Box::new(round),
            done_for: None,
        });
        self
    }

    /// Runs one check of every job now (what the thread does every tick).
    pub fn check(&mut self) {
        for job in &mut self.jobs {
            let now = (job.period)();
            if job.done_for == Some(now) {
                continue;
            }
            // a round that panics is a failed round: the job is tried again at the next check
            // instead of taking the scheduler's thread down with it
            let round = std::panic::catch_unwind(std::panic::AssertUnwindSafe(&mut job.round));
            match round {
                Ok(Round::Done) => job.done_for = Some(now),
                Ok(Round::Retry(why)) => tracing::warn!(job = job.name, "{why}"),
                Err(_) => tracing::error!(job = job.name, "the round panicked; trying again later"),
            }
        }
    }

    /// Starts the jobs on a thread of their own; they stop when the handle is dropped.
    pub fn start(mut self) -> std::io::Result<Running> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("scheduler".into())
            .spawn(move || loop {
                self.check();
                match stopped.recv_timeout(self.tick) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    _ => break,
                }
            })?;
        Ok(Running {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A started scheduler. Dropping it stops the thread (after the round in progress).
pub struct Running {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn a_job_done_for_its_period_waits_for_the_next_one() {
        let month = Arc::new(AtomicI32::new(1));
        let rounds = Arc::new(AtomicUsize::new(0));
        let (m, r) = (month.clone(), rounds.clone());
        let mut s = Scheduler::new(Duration::from_secs(3600)).once_per(
            "test",
            move || (2026, m.load(Ordering::SeqCst) as u32),
            move || {
                r.fetch_add(1, Ordering::SeqCst);
                Round::Done
            },
        );
        s.check();
        s.check();
        assert_eq!(rounds.load(Ordering::SeqCst), 1, "once in January");
        month.store(2, Ordering::SeqCst);
        s.check();
        s.check();
        assert_eq!(rounds.load(Ordering::SeqCst), 2, "once more in February");
    }

    #[test]
    fn a_failed_round_is_tried_again_at_the_next_check() {
        let rounds = Arc::new(AtomicUsize::new(0));
        let r = rounds.clone();
        let mut s = Scheduler::new(Duration::from_secs(3600)).once_per(
            "test",
            || (2026, 1),
            move || {
                if r.fetch_add(1, Ordering::SeqCst) == 0 {
                    Round::Retry("the database is busy".into())
                } else {
                    Round::Done
                }
            },
        );
        s.check();
        s.check();
        s.check();
        assert_eq!(rounds.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_round_that_panics_is_tried_again_and_the_scheduler_lives_on() {
        let rounds = Arc::new(AtomicUsize::new(0));
        let r = rounds.clone();
        let mut s = Scheduler::new(Duration::from_secs(3600)).once_per(
            "test",
            || (2026, 1),
            move || {
                if r.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("a damaged county");
                }
                Round::Done
            },
        );
        s.check();
        s.check();
        s.check();
        assert_eq!(rounds.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_started_scheduler_runs_its_jobs_and_stops_when_dropped() {
        let rounds = Arc::new(AtomicUsize::new(0));
        let r = rounds.clone();
        let running = Scheduler::new(Duration::from_millis(5))
            .once_per(
                "test",
                || (2026, 1),
                move || {
                    r.fetch_add(1, Ordering::SeqCst);
                    Round::Retry("again".into())
                },
            )
            .start()
            .unwrap();
        while rounds.load(Ordering::SeqCst) < 3 {
            std::thread::sleep(Duration::from_millis(5));
        }
        drop(running);
        let after = rounds.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(
            rounds.load(Ordering::SeqCst),
            after,
            "no round after the drop"
        );
    }
}
