//! Background refresh: keeps the active account's token fresh ahead of its expiry, so the tray's tooltip, the CLI and
//! the next Graph call find a good one. A failure backs off (doubling, capped); "UI required" stops the loop for that
//! token until the user acts, with one notification. The schedule is a pure function, tested without waiting.

use std::time::Duration;

use tauri::{AppHandle, Runtime};

use crate::{events, notify, state};

/// Refresh when less than this is left.
pub const REFRESH_AHEAD_SECONDS: u64 = 10 * 60;
/// How often the loop looks when nothing is due.
const TICK: Duration = Duration::from_secs(30);
/// Backoff after failures: 30 s, 1 min, 2 min … at most 15 min.
const MAX_BACKOFF_SECONDS: u64 = 15 * 60;

/// Seconds since the epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What to do about a token expiring at `expires_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Refresh,
    Wait(Duration),
}

/// The next step at `now`, after `failures` failed refreshes in a row.
pub fn next_step(expires_on: u64, now: u64, failures: u32) -> Step {
    if failures > 0 {
        let backoff = graphdesk_core::backoff::Backoff {
            base: Duration::from_secs(30),
            max: Duration::from_secs(MAX_BACKOFF_SECONDS),
        };
        return Step::Wait(backoff.ceiling(failures));
    }
    let due_at = expires_on.saturating_sub(REFRESH_AHEAD_SECONDS);
    if now >= due_at {
        Step::Refresh
    } else {
        Step::Wait(Duration::from_secs(due_at - now).min(TICK))
    }
}

/// Starts the loop for the life of the app.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut failures = 0u32;
        // The token that needed the user: not retried until another one replaces it.
        let mut stuck: Option<(String, u64)> = None;
        loop {
            let wait = tick(&app, &mut failures, &mut stuck).await;
            tokio::time::sleep(wait).await;
        }
    });
}

async fn tick<R: Runtime>(
    app: &AppHandle<R>,
    failures: &mut u32,
    stuck: &mut Option<(String, u64)>,
) -> Duration {
    let Some(session) = state::service(app).session() else {
        return TICK;
    };
    let Some(active) = session.active() else {
        crate::tray::show_token(app, None);
        return TICK;
    };
    // The cached token (no network unless it is already due).
    let current = match session.token_silent(Some(&active), &[]).await {
        Ok((summary, _)) => summary,
        Err(error) => {
            tracing::debug!(%error, "background refresh: no token to keep fresh");
            return TICK;
        }
    };
    if current.source == graphdesk_core::engine::TokenSource::Refresh {
        events::token_changed(app, &current);
    } else {
        crate::tray::show_token(app, Some(&current));
    }
    if stuck.as_ref() == Some(&(active.clone(), current.expires_on)) {
        return TICK;
    }
    match next_step(current.expires_on, now(), *failures) {
        Step::Wait(wait) if *failures == 0 => wait,
        Step::Wait(_) | Step::Refresh => match session.quick_refresh().await {
            Ok(summary) => {
                *failures = 0;
                tracing::info!(expires_on = summary.expires_on, "background refresh");
                events::token_changed(app, &summary);
                TICK
            }
            Err(graphdesk_core::CoreError::UiRequired(ui)) => {
                tracing::info!(reason = ?ui.reason, "background refresh needs the user");
                *stuck = Some((active, current.expires_on));
                notify::show(
                    app,
                    "Sign in again",
                    &format!(
                        "{}'s session needs you: open GraphDesk and sign in.",
                        current.account.username
                    ),
                );
                TICK
            }
            Err(error) => {
                *failures += 1;
                tracing::info!(%error, failures = *failures, "background refresh failed; backing off");
                match next_step(current.expires_on, now(), *failures) {
                    Step::Wait(wait) => wait,
                    Step::Refresh => TICK,
                }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_ten_minutes_ahead_and_backs_off_by_doubling_up_to_fifteen_minutes() {
        assert_eq!(next_step(10_000, 10_000 - 600, 0), Step::Refresh);
        assert_eq!(next_step(10_000, 20_000, 0), Step::Refresh);
        assert_eq!(
            next_step(10_000, 10_000 - 610, 0),
            Step::Wait(Duration::from_secs(10))
        );
        assert_eq!(next_step(10_000, 0, 0), Step::Wait(TICK));
        let backoffs: Vec<u64> = (1..=8)
            .map(|f| match next_step(0, 0, f) {
                Step::Wait(d) => d.as_secs(),
                Step::Refresh => 0,
            })
            .collect();
        assert_eq!(backoffs, [30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(
            next_step(0, 0, u32::MAX),
            Step::Wait(Duration::from_secs(900))
        );
    }
}
