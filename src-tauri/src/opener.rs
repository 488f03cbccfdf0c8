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
        let failed = |detail: String| CoreError::Config {
            field: "browser".into(),
            reason: format!("could not open the sign-in page: {detail}"),
        };
        match std::env::var_os(BROWSER_ENV).filter(|v| !v.is_empty()) {
            Some(browser) => std::process::Command::new(browser)
                .arg(url)
                .spawn()
                .map(drop)
                .map_err(|e| failed(e.to_string())),
            None => self
                .app
                .opener()
                .open_url(url, None::<&str>)
                .map_err(|e| failed(e.to_string())),
        }
    }
}
