//! The app's managed state: one core service, reached through one accessor by commands, the tray and deep links alike.

use graphdesk_core::paths::AppPaths;
use graphdesk_core::{CoreError, GraphDesk};
use tauri::{AppHandle, Manager, Runtime};

/// What Tauri manages for GraphDesk.
#[derive(Debug)]
pub struct AppState {
    service: GraphDesk,
}

impl AppState {
    /// The service for this user's directories (`GRAPHDESK_DATA_DIR` overrides them).
    pub fn for_current_user() -> Result<Self, CoreError> {
        Ok(Self {
            service: GraphDesk::new(AppPaths::for_current_user()?)?,
        })
    }

    /// A service rooted at `dir`, for tests.
    #[cfg(test)]
    pub fn rooted_at(dir: &std::path::Path) -> Self {
        Self {
            service: GraphDesk::new(AppPaths::rooted_at(dir))
                .expect("the default redirect URI is valid"),
        }
    }

    /// The core service.
    pub fn service(&self) -> &GraphDesk {
        &self.service
    }
}

/// The core service of a running app.
pub fn service<R: Runtime>(app: &AppHandle<R>) -> &GraphDesk {
    app.state::<AppState>().inner().service()
}

/// Brings the main window back (it may be hidden in the tray) and gives it focus.
pub fn show_main_window<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window(crate::MAIN_WINDOW) else {
        tracing::warn!("the main window is gone");
        return;
    };
    for (what, result) in [
        ("show", window.show()),
        ("unminimize", window.unminimize()),
        ("focus", window.set_focus()),
    ] {
        if let Err(error) = result {
            tracing::warn!(%error, "could not {what} the window");
        }
    }
}
