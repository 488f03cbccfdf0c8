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

/// The outcome of a quick refresh started from the tray.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum QuickRefreshDone {
    Refreshed { result: TokenSummary },
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
