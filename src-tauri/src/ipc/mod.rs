//! What crosses to the window besides command answers: the events, each a type naming its wire name and its payload, so
//! an event cannot be sent with the wrong payload. `ui/src/ipc.gen.ts` is generated from these and from the commands
//! (see `generate.rs`). Payloads never carry a secret: a received link is described by its fingerprint and the verdict;
//! a token by its summary, never its value.

use graphdesk_core::engine::flows::device_code::{DeviceCodeFlow, DeviceCodeProgress};
use graphdesk_core::service::RedirectReceipt;
use graphdesk_core::session::TokenSummary;
use serde::Serialize;

use crate::ipc_error::IpcError;

#[cfg(test)]
mod generate;

/// An event the shell sends to the window.
pub trait Event {
    /// The name the window listens by.
    const NAME: &'static str;
    /// What it carries.
    type Payload: Serialize + Clone;
}

/// Declares the events: a type each, and (for the generated TypeScript) the list of them.
macro_rules! events {
    ($($(#[doc = $doc:literal])* $event:ident = $name:literal => $payload:ty;)*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Clone, Copy)]
            pub struct $event;

            impl Event for $event {
                const NAME: &'static str = $name;
                type Payload = $payload;
            }
        )*

        /// Every event as (type name, wire name, payload's TypeScript), in declaration order.
        #[cfg(test)]
        pub(crate) fn all_events(cfg: &ts_rs::Config) -> Vec<(&'static str, &'static str, String)> {
            vec![$((stringify!($event), $name, <$payload as ts_rs::TS>::name(cfg))),*]
        }
    };
}

events! {
    /// A sign-in redirect arrived through a deep link: how it was judged, by its fingerprint.
    DeepLinkReceived = "graphdesk://deep-link-received" => RedirectReceipt;
    /// The tray's quick refresh finished.
    QuickRefreshFinished = "graphdesk://quick-refresh-done" => QuickRefreshDone;
    /// A device-code sign-in started: the code, the page, the expiry (not the device code).
    DeviceCodeShown = "graphdesk://device-code" => DeviceCodeFlow;
    /// A device-code poll.
    DeviceCodeProgressed = "graphdesk://device-code-progress" => DeviceCodeProgress;
    /// A token was acquired or refreshed (window, tray or background).
    TokenChanged = "graphdesk://token-changed" => TokenSummary;
    /// The session opened at start: `null`, or why it could not.
    SessionOpened = "graphdesk://session-opened" => Option<IpcError>;
    /// Accounts were added, removed or the active one changed.
    AccountsChanged = "graphdesk://accounts-changed" => ();
}

/// The outcome of a quick refresh started from the tray.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum QuickRefreshDone {
    Refreshed { result: Box<TokenSummary> },
    Failed { error: IpcError },
}
