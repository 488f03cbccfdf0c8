//! Opening the sign-in page: the system browser through `tauri-plugin-opener`, or the command named by
//! `GRAPHDESK_BROWSER` (a specific browser, a private window, or the end-to-end tests' scripted browser).

use graphdesk_core::CoreError;
use graphdesk_core::flows::auth_code::Opener;
use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;

/// Environment variable naming a browser command; it gets the URL as its only argument.
pub const BROWSER_ENV: &str = "GRAPHDESK_BROWSER";

/// The app's opener.
#[derive(Debug)]
pub struct AppOpener<R: Runtime> {
    app: AppHandle<R>,
}

impl<R: Runtime> AppOpener<R> {
    pub fn new(app: AppHandle<R>) -> Self {
        Self { app }
    }
}

impl<R: Runtime> Opener for AppOpener<R> {
    fn open(&self, url: &str) -> Result<(), CoreError> {
        // The launchers' errors quote the command line, and so the sign-in URL with its `state`, `nonce` and PKCE
        // challenge: only the kind of failure is kept (SECURITY.md: errors carry reasons, never values).
        match std::env::var_os(BROWSER_ENV).filter(|v| !v.is_empty()) {
            Some(browser) => std::process::Command::new(browser)
                .arg(url)
                .spawn()
                .map(drop)
                .map_err(|e| CoreError::BrowserUnavailable {
                    kind: e.kind().to_string(),
                }),
            None => self.app.opener().open_url(url, None::<&str>).map_err(|e| {
                CoreError::BrowserUnavailable {
                    kind: opener_failure(&e).to_owned(),
                }
            }),
        }
    }
}

/// What kind of failure the opener plugin reported, in words that hold no part of the URL.
fn opener_failure(error: &tauri_plugin_opener::Error) -> &'static str {
    match error {
        tauri_plugin_opener::Error::Io(_) => "the desktop's web launcher, such as xdg-open, failed",
        tauri_plugin_opener::Error::UnknownProgramName(_) => "no such browser",
        _ => "the desktop has no handler for web links",
    }
}

/// Makes the Windows broker's prompts modal to GraphDesk's main window (its `HWND`), as WAM wants; elsewhere nothing.
pub fn parent_broker_prompts<R: tauri::Runtime>(
    app: &tauri::AppHandle<R>,
    session: &graphdesk_core::session::Session,
) {
    #[cfg(windows)]
    {
        use tauri::Manager as _;
        if let Some(window) = app.get_webview_window(crate::MAIN_WINDOW)
            && let Ok(hwnd) = window.hwnd()
        {
            session.set_parent_window(graphdesk_core::broker::ParentWindow(hwnd.0 as isize));
        }
    }
    #[cfg(not(windows))]
    let _ = (app, session);
}
