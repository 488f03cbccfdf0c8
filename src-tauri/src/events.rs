//! Events the shell emits to the window: their names (the UI listens by these names, see `ui/src/ipc.ts`) and payloads.
//! Payloads never carry a secret: a received link is described by its fingerprint and the verdict.

use graphdesk_core::service::RedirectReceipt;
use graphdesk_core::session::TokenSummary;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

use crate::ipc_error::IpcError;

/// A sign-in redirect arrived through a deep link; payload: [`RedirectReceipt`].
pub const DEEP_LINK_RECEIVED: &str = "graphdesk://deep-link-received";
/// The tray's quick refresh finished; payload: [`QuickRefreshDone`].
pub const QUICK_REFRESH_DONE: &str = "graphdesk://quick-refresh-done";

/// A device-code sign-in started; payload: `DeviceCodeFlow` (code, URL, message, expiry — not the device code).
pub const DEVICE_CODE: &str = "graphdesk://device-code";
/// A device-code poll; payload: `DeviceCodeProgress`.
pub const DEVICE_CODE_PROGRESS: &str = "graphdesk://device-code-progress";
/// A token was acquired or refreshed (window, tray or background); payload: [`TokenSummary`].
pub const TOKEN_CHANGED: &str = "graphdesk://token-changed";
/// The session opened at start (or could not be); payload: `null`, or the [`IpcError`] why not.
pub const SESSION_OPENED: &str = "graphdesk://session-opened";
/// Accounts were added, removed or the active one changed; no payload.
pub const ACCOUNTS_CHANGED: &str = "graphdesk://accounts-changed";

/// The outcome of a quick refresh started from the tray.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum QuickRefreshDone {
    Refreshed { result: Box<TokenSummary> },
    Failed { error: IpcError },
}

/// Emits `payload` as `event` to the main window, logging (not failing) when the window cannot take it.
pub fn emit<R: Runtime, P: Serialize + Clone>(app: &AppHandle<R>, event: &str, payload: P) {
    if let Err(error) = app.emit_to(crate::MAIN_WINDOW, event, payload) {
        tracing::warn!(%error, event, "could not emit to the window");
    }
}

/// Announces a received deep link.
pub fn deep_link_received<R: Runtime>(app: &AppHandle<R>, receipt: &RedirectReceipt) {
    emit(app, DEEP_LINK_RECEIVED, receipt.clone());
}

/// Announces a new token: the window's token panel and account list, and the tray's tooltip, follow it.
pub fn token_changed<R: Runtime>(app: &AppHandle<R>, summary: &TokenSummary) {
    crate::tray::show_token(app, Some(summary));
    emit(app, TOKEN_CHANGED, summary.clone());
    accounts_changed(app);
}

/// Announces a change to the accounts or the active one: the window re-reads them, the tray rebuilds its menu.
pub fn accounts_changed<R: Runtime>(app: &AppHandle<R>) {
    crate::tray::accounts_changed(app);
    emit(app, ACCOUNTS_CHANGED, ());
}

/// Announces that the session opened at start (or why it could not).
pub fn session_opened<R: Runtime>(app: &AppHandle<R>, error: Option<IpcError>) {
    emit(app, SESSION_OPENED, error);
    accounts_changed(app);
}
