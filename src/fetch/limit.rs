//! A rate limiter shared by every request of a run: at most `max` request starts in any window.
//!
//! SEC's fair-access policy allows 10 requests per second per user, across all of a user's
//! connections. A token bucket would allow a burst of `max` at the end of one second and another
//! at the start of the next; a sliding window of start times never does. The window is slightly
//! longer than a second so that network jitter (a request delayed a few milliseconds on its way
//! out, the next one not) cannot push eleven arrivals into one of the server's seconds.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// At most `max` acquisitions in any `window`.
#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    starts: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    /// `per_second` requests per second, with a 5% margin on the window.
    pub fn per_second(per_second: u32) -> Self {
        Self::new(per_second, Duration::from_millis(1050))
    }

    /// At most `max` requests in any `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        RateLimiter {
            max: max.max(1) as usize,
            window,
            starts: Mutex::new(VecDeque::new()),
        }
    }

    /// Waits until a request may start, and records it. Waiters are served in turn (tokio's
    /// mutex is fair), so no task starves.
    pub async fn acquire(&self) {
        let mut starts = self.starts.lock().await;
        loop {
            let now = Instant::now();
            while starts
                .front()
                .is_some_and(|t| now.duration_since(*t) >= self.window)
            {
                starts.pop_front();
            }
            if starts.len() < self.max {
                starts.push_back(now);
                return;
            }
            if let Some(oldest) = starts.front() {
                tokio::time::sleep_until(*oldest + self.window).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_than_max_in_a_window() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        let times = rt.block_on(async {
            let limiter = RateLimiter::per_second(10);
            let start = Instant::now();
            let tasks = (0..35).map(|_| async {
                limiter.acquire().await;
                Instant::now().duration_since(start)
            });
            futures_util::future::join_all(tasks).await
        });
        let mut times = times;
        times.sort();
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| **u - *t < Duration::from_secs(1))
                .count();
            assert!(
                in_window <= 10,
                "{in_window} starts within a second of {t:?}"
            );
        }
        // 35 starts at 10 per window need three further windows.
        assert!(times[34] >= Duration::from_millis(3150), "{:?}", times[34]);
    }
}
