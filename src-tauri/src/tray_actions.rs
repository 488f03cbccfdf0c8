//! What a click in the tray does: quick refresh (announced everywhere, with a notification), switching the active account,
//! showing the window, quitting. The tray itself only shows things and hands each click here as a [`TrayChoice`].

use tauri::{AppHandle, Runtime};

use crate::events;
use crate::ipc::QuickRefreshDone;
use crate::state;
use crate::tray::{TrayAction, TrayChoice};

/// Carries out a choice made in the tray's menu.
pub fn perform<R: Runtime>(app: &AppHandle<R>, choice: TrayChoice) {
    match choice {
        TrayChoice::Account(account) => switch_account(app, &account),
        TrayChoice::Action(TrayAction::QuickRefresh) => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let done = quick_refresh(state::service(&app)).await;
                events::quick_refresh_done(&app, done);
            });
        }
        TrayChoice::Action(TrayAction::ShowWindow) => state::show_main_window(app),
        TrayChoice::Action(TrayAction::Quit) => app.exit(0),
    }
}

/// Makes `account` the active one, from the tray.
fn switch_account<R: Runtime>(app: &AppHandle<R>, account: &str) {
    match state::service(app)
        .require_session()
        .and_then(|s| s.choose(account))
    {
        Ok(_) => events::accounts_changed(app),
        Err(error) => tracing::warn!(%error, "could not switch account from the tray"),
    }
}

/// Quick refresh as the tray reports it.
pub async fn quick_refresh(service: &graphdesk_core::GraphDesk) -> QuickRefreshDone {
    match service.quick_refresh().await {
        Ok(result) => QuickRefreshDone::Refreshed {
            result: Box::new(result),
        },
        Err(error) => {
            tracing::info!(%error, "quick refresh from the tray did not refresh");
            QuickRefreshDone::Failed {
                error: error.into(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc_error::IpcError;

    #[tokio::test]
    async fn quick_refresh_without_an_account_reports_not_signed_in() {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = crate::state::AppState::rooted_at(dir.path());
        match quick_refresh(state.service()).await {
            QuickRefreshDone::Failed {
                error: IpcError::NotSignedIn { .. },
            } => {}
            other => panic!("expected not signed in, got {other:?}"),
        }
    }
}
