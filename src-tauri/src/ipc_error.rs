//! The one error type that crosses IPC: tagged by `kind`, one kind for each of the core's errors (no wildcard arm: a new
//! core error does not compile until it has its kind here and its words in the window), each with a `message` a user can
//! act on and the detail the window branches on. Built from the core's errors; never holds a secret because they never do.

use graphdesk_core::CoreError;
use graphdesk_core::error::{
    ConfigField, GraphError, KeyringError, RedirectError, RequestField, ServerError, UiRequired,
    WindowsSignInError,
};
use serde::Serialize;

/// An error as the webview receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
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
    /// No answer from the network: offline, DNS, TLS, a reset connection.
    Network { message: String },
    /// The server did not answer in time.
    Timeout { message: String },
    /// The server is throttling: try again after `retry_after` seconds.
    Throttled { retry_after: u64, message: String },
    /// The server's answer broke the protocol.
    Protocol { message: String },
    /// The sign-in was cancelled (the Cancel button, or a new sign-in in its place).
    Cancelled { message: String },
    /// The user declined the sign-in at the sign-in page.
    Declined { message: String },
    /// The identity platform or the user refused the interactive sign-in.
    SignInRefused {
        error: String,
        aadsts: Option<u32>,
        message: String,
    },
    /// The sign-in took longer than allowed (or its device code expired).
    SignInTimeout { message: String },
    /// The ID token failed validation.
    InvalidIdToken { message: String },
    /// The token cache could not be read or written.
    Cache { message: String },
    /// Configuration needs fixing; `field` names the setting, which the window marks.
    Config { field: ConfigField, message: String },
    /// A request the user made cannot be sent; `field` names what to fix.
    InvalidRequest {
        field: RequestField,
        message: String,
    },
    /// The settings file could not be read or written.
    SettingsFile { message: String },
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
    /// No browser could be opened for the sign-in.
    BrowserUnavailable { message: String },
    /// The user did not confirm the change.
    NotConfirmed { message: String },
    /// The clipboard refused the text.
    Clipboard { message: String },
    /// Demo mode's tenant could not start.
    DemoUnavailable { message: String },
    /// Integrated Windows Authentication gave no token; `detail.why` says what to do instead.
    WindowsSignIn {
        detail: WindowsSignInError,
        message: String,
    },
    /// The feature does not exist on this platform.
    Unsupported { message: String },
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
            | Self::Timeout { message }
            | Self::Throttled { message, .. }
            | Self::Protocol { message }
            | Self::Cancelled { message }
            | Self::Declined { message }
            | Self::SignInRefused { message, .. }
            | Self::SignInTimeout { message }
            | Self::InvalidIdToken { message }
            | Self::Cache { message }
            | Self::Config { message, .. }
            | Self::InvalidRequest { message, .. }
            | Self::SettingsFile { message }
            | Self::Keyring { message, .. }
            | Self::Redirect { message, .. }
            | Self::WindowsSignIn { message, .. }
            | Self::BrowserUnavailable { message }
            | Self::NotConfirmed { message }
            | Self::Clipboard { message }
            | Self::DemoUnavailable { message }
            | Self::Unsupported { message } => message.clone(),
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
            CoreError::Network { .. } => Self::Network { message },
            CoreError::Timeout => Self::Timeout { message },
            CoreError::Throttled { retry_after } => Self::Throttled {
                retry_after,
                message,
            },
            CoreError::Protocol { .. } => Self::Protocol { message },
            CoreError::Cancelled => Self::Cancelled { message },
            CoreError::Declined => Self::Declined { message },
            CoreError::SignInRefused { error, aadsts, .. } => Self::SignInRefused {
                error,
                aadsts,
                message,
            },
            CoreError::SignInTimeout => Self::SignInTimeout { message },
            CoreError::InvalidIdToken { .. } => Self::InvalidIdToken { message },
            CoreError::Cache { .. } => Self::Cache { message },
            CoreError::Config { field, .. } => Self::Config { field, message },
            CoreError::InvalidRequest { field, .. } => Self::InvalidRequest { field, message },
            CoreError::SettingsFile { .. } => Self::SettingsFile { message },
            CoreError::Keyring(detail) => Self::Keyring { detail, message },
            CoreError::Redirect(detail) => Self::Redirect { detail, message },
            CoreError::BrowserUnavailable { .. } => Self::BrowserUnavailable { message },
            CoreError::NotConfirmed { .. } => Self::NotConfirmed { message },
            CoreError::Clipboard { .. } => Self::Clipboard { message },
            CoreError::DemoUnavailable { .. } => Self::DemoUnavailable { message },
            CoreError::WindowsSignIn(detail) => Self::WindowsSignIn { detail, message },
            CoreError::Unsupported { .. } => Self::Unsupported { message },
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One core error of every kind, as the window may receive them.
    pub(crate) fn one_of_each() -> Vec<CoreError> {
        use graphdesk_core::error::UiRequiredReason;
        vec![
            CoreError::NotSignedIn,
            CoreError::ui_required(UiRequired::local(UiRequiredReason::NothingCached)),
            CoreError::Server(Box::new(ServerError {
                status: 400,
                error: "invalid_request".into(),
                description: Some("AADSTS90014: a field is missing".into()),
                aadsts: Some(90014),
                correlation_id: Some("c0ffee".into()),
                suberror: None,
            })),
            CoreError::Graph(Box::new(GraphError {
                status: 403,
                code: "Authorization_RequestDenied".into(),
                message: "Insufficient privileges".into(),
                request_id: Some("r-1".into()),
                client_request_id: None,
            })),
            CoreError::Network {
                detail: "connection refused".into(),
            },
            CoreError::Timeout,
            CoreError::Throttled { retry_after: 30 },
            CoreError::Protocol {
                detail: "no access_token".into(),
            },
            CoreError::Cancelled,
            CoreError::Declined,
            CoreError::SignInRefused {
                error: "access_denied".into(),
                description: None,
                aadsts: Some(65004),
            },
            CoreError::SignInTimeout,
            CoreError::InvalidIdToken {
                reason: "wrong audience".into(),
            },
            CoreError::Cache {
                detail: "damaged".into(),
            },
            CoreError::Config {
                field: ConfigField::ClientId,
                reason: "must be a GUID".into(),
            },
            CoreError::InvalidRequest {
                field: RequestField::Body,
                reason: "not JSON".into(),
            },
            CoreError::SettingsFile {
                detail: "cannot be written".into(),
            },
            CoreError::Keyring(KeyringError::Locked {
                detail: "locked".into(),
            }),
            CoreError::Redirect(RedirectError::ReplayedState),
            CoreError::BrowserUnavailable {
                kind: "not found".into(),
            },
            CoreError::NotConfirmed {
                what: "the new authority".into(),
            },
            CoreError::Clipboard {
                detail: "no display".into(),
            },
            CoreError::DemoUnavailable {
                detail: "port in use".into(),
            },
            CoreError::WindowsSignIn(WindowsSignInError::ManagedUser {
                domain: "contoso.com".into(),
            }),
            CoreError::Unsupported {
                what: "the WAM broker".into(),
            },
        ]
    }

    #[test]
    fn every_core_error_has_its_own_kind_and_keeps_its_detail() {
        let kinds: Vec<String> = one_of_each()
            .into_iter()
            .map(|e| {
                let json = serde_json::to_value(IpcError::from(e)).expect("json");
                assert!(
                    json["message"].as_str().is_some_and(|m| !m.is_empty()),
                    "{json}"
                );
                json["kind"].as_str().expect("a kind").to_owned()
            })
            .collect();
        let distinct: std::collections::BTreeSet<&String> = kinds.iter().collect();
        assert_eq!(
            distinct.len(),
            kinds.len(),
            "two core errors share a kind: {kinds:?}"
        );

        let throttled =
            serde_json::to_value(IpcError::from(CoreError::Throttled { retry_after: 30 }))
                .expect("json");
        assert_eq!(throttled["retryAfter"], 30);
        let config = serde_json::to_value(IpcError::from(CoreError::Config {
            field: ConfigField::ExtraRootCaFile,
            reason: "no certificate".into(),
        }))
        .expect("json");
        assert_eq!(config["field"], "extraRootCaFile");
    }

    #[test]
    fn the_window_has_words_for_every_kind() {
        let view = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/view.ts"),
        )
        .expect("view.ts");
        let describe = view
            .split("export function describeError")
            .nth(1)
            .expect("describeError");
        for error in one_of_each() {
            let json = serde_json::to_value(IpcError::from(error)).expect("json");
            let kind = json["kind"].as_str().expect("a kind");
            assert!(
                describe.contains(&format!("case \"{kind}\":")),
                "the window's describeError has no case for `{kind}`"
            );
        }
    }

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
