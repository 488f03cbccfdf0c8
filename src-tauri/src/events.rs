//! The one fan-out for "something changed": a new token, changed accounts, a received link, a finished quick refresh.
//! Each announcement reaches every place that shows it — the window (an event, named and shaped in [`crate::ipc`]), the
//! tray's menu and tooltip, a notification — so no module that acts needs to know who is watching.

use graphdesk_core::service::RedirectReceipt;
use graphdesk_core::session::TokenSummary;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

use crate::ipc::{self, QuickRefreshDone};
use crate::ipc_error::IpcError;
use crate::{notify, tray};

/// Emits `payload` as `event` to the main window, logging (not failing) when the window cannot take it.
pub fn emit<R: Runtime, P: Serialize + Clone>(app: &AppHandle<R>, event: &str, payload: P) {
    if let Err(error) = app.emit_to(crate::MAIN_WINDOW, event, payload) {
        tracing::warn!(%error, event, "could not emit to the window");
    }
}

/// Announces a received deep link.
pub fn deep_link_received<R: Runtime>(app: &AppHandle<R>, receipt: &RedirectReceipt) {
    emit(app, ipc::DEEP_LINK_RECEIVED, receipt.clone());
}

/// Announces a new token: the window's token panel and account list, and the tray's tooltip, follow it.
pub fn token_changed<R: Runtime>(app: &AppHandle<R>, summary: &TokenSummary) {
    tray::show_token(app, Some(summary));
    emit(app, ipc::TOKEN_CHANGED, summary.clone());
    accounts_changed(app);
}

/// Announces a change to the accounts or the active one: the window re-reads them, the tray rebuilds its menu.
pub fn accounts_changed<R: Runtime>(app: &AppHandle<R>) {
    tray::accounts_changed(app);
    emit(app, ipc::ACCOUNTS_CHANGED, ());
}

/// Announces that the session opened at start (or why it could not).
pub fn session_opened<R: Runtime>(app: &AppHandle<R>, error: Option<IpcError>) {
    emit(app, ipc::SESSION_OPENED, error);
    accounts_changed(app);
}

/// Announces the outcome of a quick refresh (from the tray): the new token everywhere, a notification, and the window.
pub fn quick_refresh_done<R: Runtime>(app: &AppHandle<R>, done: QuickRefreshDone) {
    if let QuickRefreshDone::Refreshed { result } = &done {
        token_changed(app, result);
    }
    notify::quick_refresh_done(app, &done);
    emit(app, ipc::QUICK_REFRESH_DONE, done);
}
