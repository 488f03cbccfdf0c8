//! The one error type that crosses IPC: tagged by `kind` so the UI can branch (`notSignedIn`, `config`, `keyring`, …), with
//! a `message` a user can act on. Built from the core's errors; never holds a secret because they never do.

use graphdesk_core::CoreError;
use graphdesk_core::error::{ServerError, UiRequired};
use graphdesk_core::graph::GraphError;
use graphdesk_core::keystore::KeyringError;
use graphdesk_core::redirect::RedirectError;
use serde::Serialize;

/// An error as the webview receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum IpcError {
    /// No account is signed in.
    NotSignedIn { message: String },
    /// The user must sign in interactively; `detail` says why (reason, AADSTS code, correlation id, claims).
    UiRequired {
        detail: Box<UiRequired>,
        message: String,
    },
    /// The identity platform refused.
    Server {
        detail: Box<ServerError>,
        message: String,
    },
    /// The web API (Graph) refused.
    Graph {
        detail: Box<GraphError>,
        message: String,
    },
    /// No answer from the network, a timeout, or throttling.
    Network { message: String },
    /// The sign-in was cancelled or took too long.
    Cancelled { message: String },
    /// The identity platform or the user refused the interactive sign-in.
    SignInRefused {
        error: String,
        aadsts: Option<u32>,
        message: String,
    },
    /// The token cache could not be read or written.
    Cache { message: String },
    /// Configuration needs fixing; `field` names it.
    Config { field: String, message: String },
    /// The OS keyring failed.
    Keyring {
        detail: KeyringError,
        message: String,
    },
    /// A sign-in redirect was refused.
    Redirect {
        detail: RedirectError,
        message: String,
    },
    /// A failure the UI has no special handling for.
    Internal { message: String },
}

impl IpcError {
    /// The message a user reads (every variant carries one).
    pub fn user_message(&self) -> String {
        match self {
            Self::NotSignedIn { message }
            | Self::UiRequired { message, .. }
            | Self::Server { message, .. }
            | Self::Graph { message, .. }
            | Self::Network { message }
            | Self::Cancelled { message }
            | Self::SignInRefused { message, .. }
            | Self::Cache { message }
            | Self::Config { message, .. }
            | Self::Keyring { message, .. }
            | Self::Redirect { message, .. }
            | Self::Internal { message } => message.clone(),
        }
    }
}

impl From<CoreError> for IpcError {
    fn from(error: CoreError) -> Self {
        let message = error.to_string();
        match error {
            CoreError::NotSignedIn => Self::NotSignedIn { message },
            CoreError::UiRequired(detail) => Self::UiRequired { detail, message },
            CoreError::Server(detail) => Self::Server { detail, message },
            CoreError::Graph(detail) => Self::Graph { detail, message },
            CoreError::Network { .. } | CoreError::Timeout | CoreError::Throttled { .. } => {
                Self::Network { message }
            }
            CoreError::Cancelled | CoreError::SignInTimeout => Self::Cancelled { message },
            CoreError::SignInRefused { error, aadsts, .. } => Self::SignInRefused {
                error,
                aadsts,
                message,
            },
            CoreError::Cache { .. } => Self::Cache { message },
            CoreError::Config { field, .. } => Self::Config { field, message },
            CoreError::Keyring(detail) => Self::Keyring { detail, message },
            CoreError::Redirect(detail) => Self::Redirect { detail, message },
            _ => Self::Internal { message },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_tagged_by_kind() {
        let json = serde_json::to_value(IpcError::from(CoreError::NotSignedIn)).expect("json");
        assert_eq!(json["kind"], "notSignedIn");
        assert!(
            json["message"]
                .as_str()
                .is_some_and(|m| m.contains("sign in"))
        );

        let json = serde_json::to_value(IpcError::from(CoreError::Redirect(
            RedirectError::MissingParameter {
                name: "state".into(),
            },
        )))
        .expect("json");
        assert_eq!(json["kind"], "redirect");
        assert_eq!(json["detail"]["reason"], "missingParameter");
        assert_eq!(json["detail"]["name"], "state");
    }
}
