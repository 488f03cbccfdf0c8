//! Desktop notifications for what happens out of the window's sight: the tray's quick refresh, and a background refresh
//! that needs the user. The wording is a plain function, tested; showing it is best effort (no notification daemon is
//! logged, not fatal).

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

use graphdesk_core::clock::{Clock, SystemClock};

use crate::ipc::QuickRefreshDone;

/// Title and body for a quick refresh's outcome.
pub fn quick_refresh_text(done: &QuickRefreshDone, now: u64) -> (String, String) {
    match done {
        QuickRefreshDone::Refreshed { result } => (
            "Token refreshed".to_owned(),
            format!(
                "{}: valid for {} more minutes.",
                result.account.username,
                result.expires_on.saturating_sub(now).div_ceil(60)
            ),
        ),
        QuickRefreshDone::Failed { error } => {
            ("Quick refresh failed".to_owned(), error.user_message())
        }
    }
}

/// Shows a notification; failures are logged.
pub fn show<R: Runtime>(app: &AppHandle<R>, title: &str, body: &str) {
    if let Err(error) = app.notification().builder().title(title).body(body).show() {
        tracing::info!(%error, "could not show a notification");
    }
}

/// Notifies the outcome of the tray's quick refresh.
pub fn quick_refresh_done<R: Runtime>(app: &AppHandle<R>, done: &QuickRefreshDone) {
    let (title, body) = quick_refresh_text(done, SystemClock.now());
    show(app, &title, &body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc_error::IpcError;

    #[test]
    fn failures_say_what_to_do_and_successes_how_long_the_token_lasts() {
        let (title, body) = quick_refresh_text(
            &QuickRefreshDone::Failed {
                error: IpcError::from(graphdesk_core::CoreError::NotSignedIn),
            },
            0,
        );
        assert_eq!(title, "Quick refresh failed");
        assert!(body.to_lowercase().contains("sign in"), "{body}");
    }
}
