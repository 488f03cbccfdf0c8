//! Time and waiting, injected: the engine asks a [`Clock`] for the time and a [`Sleeper`] to wait, so expiry, `refresh_on`,
//! `Retry-After` and device-code polling are tested by moving a manual clock instead of waiting.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A future the engine can hold across threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Seconds since the Unix epoch.
pub trait Clock: Send + Sync + Debug {
    fn now(&self) -> u64;
}

/// Waiting.
pub trait Sleeper: Send + Sync + Debug {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

/// Tokio's timer.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock tests set and advance; sleeping on it advances it instantly (so waits cost nothing and are observable).
#[derive(Debug, Default)]
pub struct ManualClock {
    now: AtomicU64,
    slept: AtomicU64,
}

impl ManualClock {
    /// A clock at `now`.
    pub fn at(now: u64) -> Self {
        Self {
            now: AtomicU64::new(now),
            slept: AtomicU64::new(0),
        }
    }

    /// Moves time forward.
    pub fn advance(&self, seconds: u64) {
        self.now.fetch_add(seconds, Ordering::SeqCst);
    }

    /// Total seconds "slept" through this clock.
    pub fn slept(&self) -> u64 {
        self.slept.load(Ordering::SeqCst)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }
}

impl Sleeper for std::sync::Arc<ManualClock> {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let seconds = duration.as_secs_f64().ceil() as u64;
        self.now.fetch_add(seconds, Ordering::SeqCst);
        self.slept.fetch_add(seconds, Ordering::SeqCst);
        Box::pin(tokio::task::yield_now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_sleep_advances_time_without_waiting() {
        let clock = std::sync::Arc::new(ManualClock::at(1_000));
        let started = std::time::Instant::now();
        clock.sleep(Duration::from_secs(3_600)).await;
        assert_eq!(clock.now(), 4_600);
        assert_eq!(clock.slept(), 3_600);
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(SystemClock.now() > 1_700_000_000);
    }
}
