//! The app's managed state: one core service, reached through one accessor by commands, the tray and deep links alike.

use graphdesk_core::cancel::Cancel;
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
    /// Cancels the work in progress, one handle per kind: a request never cancels a sign-in, nor the reverse.
    work: std::sync::Mutex<[Cancel; Work::COUNT]>,
    /// The verification page of the device-code sign-in in progress (the only page "Open" may open).
    device_page: std::sync::Mutex<Option<String>>,
    /// Asks the user to confirm a settings change that repoints sign-in (the native dialog, once the app runs).
    confirmer: std::sync::Mutex<Option<crate::confirm::Confirmer>>,
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

    /// The running demo tenant, for tests that play the user at it.
    #[cfg(test)]
    pub fn demo_tenant(
        &self,
    ) -> std::sync::MutexGuard<'_, Option<graphdesk_tenant::RunningTenant>> {
        self.demo.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn with_service(service: GraphDesk) -> Self {
        Self {
            service,
            demo: std::sync::Mutex::new(None),
            work: std::sync::Mutex::new(Default::default()),
            device_page: std::sync::Mutex::new(None),
            confirmer: std::sync::Mutex::new(None),
        }
    }

    /// Sets how a settings change that repoints sign-in is confirmed.
    pub fn set_confirmer(&self, confirmer: crate::confirm::Confirmer) {
        *self.confirmer.lock().unwrap_or_else(|p| p.into_inner()) = Some(confirmer);
    }

    /// Asks the user to confirm `question`. Without a way to ask (no window yet), the answer is no.
    pub async fn confirm(&self, question: String) -> bool {
        let confirmer = self
            .confirmer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match confirmer {
            Some(confirmer) => confirmer.ask(question).await,
            None => false,
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

    /// Opens the session `settings` describe in place of the current one, atomically: the new session is opened beside
    /// the old one (reusing the running demo tenant when both are demo mode), `commit` runs (saving the settings), and
    /// only then does the new session take over and a demo tenant no longer needed stop. When opening or `commit`
    /// fails, the old session, its tenant and the saved settings stay as they were. Sign-ins in progress are cancelled
    /// once the new session takes over.
    pub async fn reopen(
        &self,
        settings: &Settings,
        commit: impl FnOnce() -> Result<(), CoreError>,
    ) -> Result<(), CoreError> {
        let running = self
            .demo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(crate::demo::Reachable::of);
        let (started, session, warning) =
            crate::session::open(self.service.paths(), settings, running.as_ref()).await?;
        commit()?;
        if let Some(warning) = warning {
            tracing::warn!(%warning, "token cache");
        }
        self.cancel(Work::SignIn);
        self.cancel(Work::DeviceCode);
        {
            let mut demo = self.demo.lock().unwrap_or_else(|p| p.into_inner());
            if settings.is_configured() {
                *demo = None;
            } else if started.is_some() {
                *demo = started;
            }
        }
        self.service.attach(session);
        Ok(())
    }

    /// A fresh cancel handle for new work of `kind`; the previous work of that kind, if any, is cancelled.
    pub fn start(&self, kind: Work) -> Cancel {
        let mut work = self.work.lock().unwrap_or_else(|p| p.into_inner());
        let slot = &mut work[kind as usize];
        slot.cancel();
        *slot = Cancel::default();
        slot.clone()
    }

    /// Cancels the work of `kind` in progress.
    pub fn cancel(&self, kind: Work) {
        self.work.lock().unwrap_or_else(|p| p.into_inner())[kind as usize].cancel();
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
}

/// The kinds of work that can be cancelled, each on its own: the window's Cancel stops a sign-in, a new request stops
/// only the request before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// An interactive sign-in in the browser (also the one a request falls back to).
    SignIn = 0,
    /// A device-code sign-in.
    DeviceCode = 1,
    /// A web API request from the request bar.
    Request = 2,
}

impl Work {
    const COUNT: usize = 3;
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
