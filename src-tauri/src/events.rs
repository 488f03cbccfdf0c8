//! The one fan-out for "something changed": a new token, changed accounts, a received link, a finished quick refresh.
//! Each announcement reaches every place that shows it — the window (an event, named and shaped in [`crate::ipc`]), the
//! tray's menu and tooltip, a notification — so no module that acts needs to know who is watching.

use graphdesk_core::service::RedirectReceipt;
use graphdesk_core::session::TokenSummary;
use tauri::{AppHandle, Emitter, Runtime};

use crate::ipc::{self, Event, QuickRefreshDone};
use crate::ipc_error::IpcError;
use crate::{notify, tray};

/// Emits the event `E` with its payload to the main window, logging (not failing) when the window cannot take it.
pub fn emit<E: Event, R: Runtime>(app: &AppHandle<R>, payload: E::Payload) {
    if let Err(error) = app.emit_to(crate::MAIN_WINDOW, E::NAME, payload) {
        tracing::warn!(%error, event = E::NAME, "could not emit to the window");
    }
}

/// Announces a received deep link.
pub fn deep_link_received<R: Runtime>(app: &AppHandle<R>, receipt: &RedirectReceipt) {
    emit::<ipc::DeepLinkReceived, _>(app, receipt.clone());
}

/// Announces a new token: the window's token panel and account list, and the tray's tooltip, follow it.
pub fn token_changed<R: Runtime>(app: &AppHandle<R>, summary: &TokenSummary) {
    tray::show_token(app, Some(summary));
    emit::<ipc::TokenChanged, _>(app, summary.clone());
    accounts_changed(app);
}

/// Announces a change to the accounts or the active one: the window re-reads them, the tray rebuilds its menu.
pub fn accounts_changed<R: Runtime>(app: &AppHandle<R>) {
    tray::accounts_changed(app);
    emit::<ipc::AccountsChanged, _>(app, ());
}

/// Announces that the session opened at start (or why it could not).
pub fn session_opened<R: Runtime>(app: &AppHandle<R>, error: Option<IpcError>) {
    emit::<ipc::SessionOpened, _>(app, error);
    accounts_changed(app);
}

/// Announces the outcome of a quick refresh (from the tray): the new token everywhere, a notification, and the window.
pub fn quick_refresh_done<R: Runtime>(app: &AppHandle<R>, done: QuickRefreshDone) {
    if let QuickRefreshDone::Refreshed { result } = &done {
        token_changed(app, result);
    }
    notify::quick_refresh_done(app, &done);
    emit::<ipc::QuickRefreshFinished, _>(app, done);
}
