//! The app's managed state: one core service, reached through one accessor by commands, the tray and deep links alike.

use graphdesk_core::paths::AppPaths;
use graphdesk_core::settings::Settings;
use graphdesk_core::{CoreError, GraphDesk};
use tauri::{AppHandle, Manager, Runtime};

/// What Tauri manages for GraphDesk.
#[derive(Debug)]
pub struct AppState {
    service: GraphDesk,
    /// The demo tenant, while demo mode runs (dropping it stops the server).
    demo: std::sync::Mutex<Option<graphdesk_tenant::RunningTenant>>,
    /// Cancels the interactive sign-in in progress.
    sign_in: std::sync::Mutex<graphdesk_core::flows::auth_code::Cancel>,
    /// The verification page of the device-code sign-in in progress (the only page "Open" may open).
    device_page: std::sync::Mutex<Option<String>>,
}

impl AppState {
    /// The service for this user's directories (`GRAPHDESK_DATA_DIR` overrides them).
    pub fn for_current_user() -> Result<Self, CoreError> {
        Ok(Self::with_service(GraphDesk::new(
            AppPaths::for_current_user()?,
        )?))
    }

    /// A service rooted at `dir`, for tests.
    #[cfg(test)]
    pub fn rooted_at(dir: &std::path::Path) -> Self {
        Self::with_service(
            GraphDesk::new(AppPaths::rooted_at(dir)).expect("the default redirect URI is valid"),
        )
    }

    fn with_service(service: GraphDesk) -> Self {
        Self {
            service,
            demo: std::sync::Mutex::new(None),
            sign_in: std::sync::Mutex::new(Default::default()),
            device_page: std::sync::Mutex::new(None),
        }
    }

    /// The core service.
    pub fn service(&self) -> &GraphDesk {
        &self.service
    }

    /// The settings; the defaults (demo mode) when the file cannot be read, with the reason logged.
    pub fn settings(&self) -> Settings {
        Settings::load(self.service.paths().data_dir()).unwrap_or_else(|error| {
            tracing::warn!(%error, "settings not loaded; using the defaults");
            Settings::default()
        })
    }

    /// Opens the session `settings` describe in place of the current one (the demo tenant stops when it is no longer
    /// needed). Sign-ins in progress are cancelled.
    pub async fn reopen(&self, settings: &Settings) -> Result<(), CoreError> {
        self.cancel_sign_in();
        // Only one demo tenant can hold its ports: stop the old one before starting a new one.
        *self.demo.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let (tenant, session, warning) =
            crate::session::open(self.service.paths(), settings).await?;
        if let Some(warning) = warning {
            tracing::warn!(%warning, "token cache");
        }
        *self.demo.lock().unwrap_or_else(|p| p.into_inner()) = tenant;
        self.service.attach(session);
        Ok(())
    }

    /// A fresh cancel handle for a new sign-in (the previous one, if any, is cancelled).
    pub fn new_sign_in(&self) -> graphdesk_core::flows::auth_code::Cancel {
        let mut current = self.sign_in.lock().unwrap_or_else(|p| p.into_inner());
        current.cancel();
        *current = Default::default();
        current.clone()
    }

    /// Remembers (or forgets) the device-code sign-in's verification page.
    pub fn set_device_page(&self, url: Option<String>) {
        *self.device_page.lock().unwrap_or_else(|p| p.into_inner()) = url;
    }

    /// The device-code sign-in's verification page, if one is in progress.
    pub fn device_page(&self) -> Option<String> {
        self.device_page
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Cancels the sign-in in progress.
    pub fn cancel_sign_in(&self) {
        self.sign_in
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .cancel();
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
