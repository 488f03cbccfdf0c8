//! The tray icon and its menu. The menu handler is a plain function over the core service ([`perform`]), so it is tested
//! without a status-notifier host (nothing can click a tray headless); the window offers the same actions as commands.

use tauri::menu::{MenuBuilder, MenuEvent, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Runtime};

use crate::events::{self, QuickRefreshDone};
use crate::state;

/// The tray's id, to find it again (tooltip updates).
pub const TRAY_ID: &str = "graphdesk-tray";

/// What the tray menu can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayAction {
    QuickRefresh,
    ShowWindow,
    Quit,
}

impl TrayAction {
    const ALL: [TrayAction; 3] = [Self::QuickRefresh, Self::ShowWindow, Self::Quit];

    /// The menu item id.
    pub fn id(self) -> &'static str {
        match self {
            Self::QuickRefresh => "quick-refresh",
            Self::ShowWindow => "show-window",
            Self::Quit => "quit",
        }
    }

    /// The menu item label.
    fn label(self) -> &'static str {
        match self {
            Self::QuickRefresh => "Quick refresh",
            Self::ShowWindow => "Show window",
            Self::Quit => "Quit GraphDesk",
        }
    }

    /// The action for a menu item id.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.id() == id)
    }
}

/// Builds the tray icon with its menu.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let mut menu = MenuBuilder::new(app);
    for action in TrayAction::ALL {
        if action == TrayAction::Quit {
            menu = menu.separator();
        }
        menu = menu.item(&MenuItem::with_id(
            app,
            action.id(),
            action.label(),
            true,
            None::<&str>,
        )?);
    }
    let menu = menu.build()?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(tauri::include_image!("../icons/tray.png"))
        .tooltip("GraphDesk — not signed in")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu_event)
        .build(app)?;
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match TrayAction::from_id(event.id().as_ref()) {
        Some(action) => perform(app, action),
        None => tracing::warn!(id = event.id().as_ref(), "unknown tray menu item"),
    }
}

/// Carries out a tray action.
pub fn perform<R: Runtime>(app: &AppHandle<R>, action: TrayAction) {
    match action {
        TrayAction::QuickRefresh => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let done = quick_refresh(state::service(&app)).await;
                events::emit(&app, events::QUICK_REFRESH_DONE, done);
            });
        }
        TrayAction::ShowWindow => state::show_main_window(app),
        TrayAction::Quit => app.exit(0),
    }
}

/// Quick refresh as the tray reports it.
pub async fn quick_refresh(service: &graphdesk_core::GraphDesk) -> QuickRefreshDone {
    match service.quick_refresh().await {
        Ok(result) => QuickRefreshDone::Refreshed { result },
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

    #[test]
    fn menu_ids_round_trip() {
        for action in TrayAction::ALL {
            assert_eq!(TrayAction::from_id(action.id()), Some(action));
        }
        assert_eq!(TrayAction::from_id("bogus"), None);
    }

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
