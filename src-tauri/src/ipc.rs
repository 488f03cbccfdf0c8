//! What crosses to the window besides command answers: the events' names (the UI listens by these names, see
//! `ui/src/ipc.ts`) and their payloads. Payloads never carry a secret: a received link is described by its fingerprint
//! and the verdict; a token by its summary, never its value.

use graphdesk_core::session::TokenSummary;
use serde::Serialize;

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
