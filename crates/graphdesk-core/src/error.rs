//! The core's error type: what happened and what the user can do about it. Messages never hold a secret; the shell turns
//! each variant into a tagged IPC error the UI branches on.

use serde::Serialize;

/// Why a token cannot be had without the user: the seed's `MsalUiRequiredException`. "Nothing cached" and "the refresh
/// was refused" are different reasons, as in MSAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum UiRequiredReason {
    /// The account is not in the cache.
    NoAccount,
    /// The account has no token or refresh token for these scopes.
    NothingCached,
    /// The identity platform refused the refresh token (`invalid_grant`): expired, revoked, password changed.
    RefreshRefused,
    /// Multi-factor authentication or a conditional-access policy needs the user (`interaction_required`).
    InteractionRequired,
    /// The user (or an admin) must consent to the scopes (`consent_required`).
    ConsentRequired,
    /// The user must sign in again (`login_required`).
    LoginRequired,
    /// A resource asked for more claims (continuous access evaluation, a claims challenge).
    ClaimsChallenge,
    /// A refresh answered for an account the cache cannot tie to the one it refreshed (no ID token to compare, or
    /// another person): the user signs in again and the answer is not stored.
    AccountMismatch,
}

/// Everything the UI needs to explain a "UI required" answer and to retry interactively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UiRequired {
    pub reason: UiRequiredReason,
    /// The OAuth error code, when the platform answered (`invalid_grant`, `interaction_required`, …).
    pub error: Option<String>,
    pub suberror: Option<String>,
    /// A claims challenge to pass to the interactive request.
    pub claims: Option<String>,
    pub aadsts: Option<u32>,
    pub correlation_id: Option<String>,
    /// The platform's description, without its trace ids.
    pub description: Option<String>,
}

impl UiRequired {
    /// A "UI required" with no server answer behind it.
    pub fn local(reason: UiRequiredReason) -> Self {
        Self {
            reason,
            error: None,
            suberror: None,
            claims: None,
            aadsts: None,
            correlation_id: None,
            description: None,
        }
    }
}

/// An error the identity platform (or a web API) answered with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ServerError {
    pub status: u16,
    pub error: String,
    pub description: Option<String>,
    pub aadsts: Option<u32>,
    pub correlation_id: Option<String>,
    pub suberror: Option<String>,
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.aadsts, &self.description) {
            (Some(code), Some(description)) => {
                write!(f, "{} (AADSTS{code}): {description}", self.error)
            }
            (None, Some(description)) => write!(f, "{}: {description}", self.error),
            _ => write!(f, "{} (HTTP {})", self.error, self.status),
        }
    }
}

/// Everything the core can fail with. Not `non_exhaustive`: the shell maps every variant to an IPC kind with no
/// wildcard arm, so a new variant does not compile until the window can tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// An action needs an account and none is signed in.
    #[error("not signed in: sign in first, then try again")]
    NotSignedIn,
    /// The user must sign in interactively.
    #[error("{}", ui_required_message(.0))]
    UiRequired(Box<UiRequired>),
    /// The identity platform or the API answered with an error.
    #[error("the server refused: {0}")]
    Server(Box<ServerError>),
    /// A web API (Graph) answered with an error.
    #[error("the API refused: {0}")]
    Graph(Box<GraphError>),
    /// No answer: offline, DNS, TLS, connection reset.
    #[error("network problem: {detail}; check the connection and try again")]
    Network { detail: String },
    /// The server was too slow.
    #[error("the server did not answer in time; try again")]
    Timeout,
    /// The server is throttling; retry after the given seconds.
    #[error("the server is busy; try again in {retry_after} s")]
    Throttled { retry_after: u64 },
    /// The server's answer is not what the protocol says.
    #[error("the server's answer could not be understood: {detail}")]
    Protocol { detail: String },
    /// The sign-in was cancelled by the user or the app.
    #[error("the sign-in was cancelled")]
    Cancelled,
    /// The user declined the sign-in (a device code refused at the sign-in page: `authorization_declined`).
    #[error("the sign-in was declined at the sign-in page; start it again to sign in")]
    Declined,
    /// The identity platform (or the user) refused the interactive sign-in: `access_denied`, a policy, a bad request.
    #[error("the sign-in was refused: {error}{}", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    SignInRefused {
        error: String,
        description: Option<String>,
        aadsts: Option<u32>,
    },
    /// The sign-in took longer than allowed.
    #[error("the sign-in timed out; start it again")]
    SignInTimeout,
    /// The ID token failed a check (audience, issuer, expiry, nonce).
    #[error("the ID token failed validation: {reason}")]
    InvalidIdToken { reason: String },
    /// The token cache could not be read or written.
    #[error("token cache: {detail}")]
    Cache { detail: String },
    /// Configuration is missing or invalid; `field` names what to fix.
    #[error("invalid configuration for {field}: {reason}")]
    Config { field: ConfigField, reason: String },
    /// A request the user made is not one that can be sent; `field` names what to fix.
    #[error("{field}: {reason}")]
    InvalidRequest { field: RequestField, reason: String },
    /// The settings file could not be read or written (the settings in it stay as they were).
    #[error("the settings file {detail}")]
    SettingsFile { detail: String },
    /// No browser could be opened for the sign-in. `kind` says why (the launcher's error kind), never with the
    /// sign-in URL, which carries `state`, `nonce` and the PKCE challenge.
    #[error(
        "no browser could be opened for the sign-in ({kind}); set GRAPHDESK_BROWSER to a browser command, or sign in with a device code"
    )]
    BrowserUnavailable { kind: String },
    /// The user did not confirm a change that needs confirming (settings that repoint where GraphDesk signs in).
    #[error("not changed: {what} needs your confirmation, which was not given")]
    NotConfirmed { what: String },
    /// The system clipboard would not take the text.
    #[error("the clipboard refused the text ({detail})")]
    Clipboard { detail: String },
    /// Demo mode's emulated tenant could not start.
    #[error("the demo tenant could not start: {detail}")]
    DemoUnavailable { detail: String },
    /// The OS keyring failed.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// A sign-in redirect (deep link or loopback request) was refused.
    #[error(transparent)]
    Redirect(#[from] RedirectError),
    /// Integrated Windows Authentication could not sign the user in.
    #[error(transparent)]
    WindowsSignIn(#[from] WindowsSignInError),
    /// The feature does not exist on this platform (brokers outside Windows).
    #[error("{what} is not available on this platform")]
    Unsupported { what: String },
}

/// A configuration field that can be wrong: the settings' own names (camelCase, as the settings file and the window's
/// form name them), so the window marks the input the error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum ConfigField {
    /// The application (client) id.
    ClientId,
    /// The tenant, or a full authority URL.
    Tenant,
    RedirectUri,
    DefaultScopes,
    /// A file of extra trusted root certificates (or its PEM text).
    ExtraRootCaFile,
    LogLevel,
    /// Client capabilities (`cp1`); configuration only.
    ClientCapabilities,
    /// Instance metadata supplied with the configuration.
    InstanceMetadata,
    /// A web API's base URL.
    ApiBaseUrl,
    /// Where GraphDesk keeps its files (`GRAPHDESK_DATA_DIR`, or a home directory).
    DataDir,
    /// Signing in through the Windows broker (WAM).
    UseWindowsBroker,
}

impl std::fmt::Display for ConfigField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ClientId => "the client id",
            Self::Tenant => "the tenant (authority)",
            Self::RedirectUri => "the redirect URI",
            Self::DefaultScopes => "the default scopes",
            Self::ExtraRootCaFile => "the extra root CA file",
            Self::LogLevel => "the log level",
            Self::ClientCapabilities => "the client capabilities",
            Self::InstanceMetadata => "the instance metadata",
            Self::ApiBaseUrl => "the web API's base URL",
            Self::DataDir => "the data directory",
            Self::UseWindowsBroker => "the Windows broker setting",
        })
    }
}

/// A part of a user's request that can be wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum RequestField {
    /// A web API path or next link.
    Path,
    /// A request body.
    Body,
    /// A username for the username/password sign-in.
    Username,
    /// The device-code sign-in the request is about.
    DeviceCode,
    /// A token named by the window.
    Token,
    /// A file to read or write (a cache to import, or to export to).
    File,
}

impl std::fmt::Display for RequestField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Path => "the path",
            Self::Body => "the body",
            Self::Username => "the username",
            Self::DeviceCode => "the device-code sign-in",
            Self::Token => "the token",
            Self::File => "the file",
        })
    }
}

fn ui_required_message(ui: &UiRequired) -> String {
    let what = match ui.reason {
        UiRequiredReason::NoAccount => "this account is not signed in on this machine",
        UiRequiredReason::NothingCached => "there is no token for these scopes yet",
        UiRequiredReason::RefreshRefused => "the sign-in has expired or was revoked",
        UiRequiredReason::InteractionRequired => {
            "multi-factor authentication or a sign-in policy needs you"
        }
        UiRequiredReason::ConsentRequired => "the app needs your consent for these permissions",
        UiRequiredReason::LoginRequired => "you need to sign in again",
        UiRequiredReason::ClaimsChallenge => "the service asked for a fresh sign-in",
        UiRequiredReason::AccountMismatch => {
            "the sign-in service answered for an account this one cannot be matched to"
        }
    };
    match ui.aadsts {
        Some(code) => format!("sign-in required: {what} (AADSTS{code}); sign in interactively"),
        None => format!("sign-in required: {what}; sign in interactively"),
    }
}

impl CoreError {
    /// A "UI required" error.
    pub fn ui_required(ui: UiRequired) -> Self {
        Self::UiRequired(Box::new(ui))
    }

    /// Whether retrying the same request may succeed (MSAL retries these once).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Network { .. } | Self::Timeout => true,
            Self::Server(server) => server.status >= 500,
            _ => false,
        }
    }
}

/// Why the keyring could not be used. Reasons come from the platform and never contain the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "reason", rename_all = "camelCase")]
#[non_exhaustive]
pub enum KeyringError {
    /// No keyring service could be reached (on Linux: no Secret Service on the session bus).
    #[error(
        "no OS keyring is available ({detail}); on Linux start a Secret Service such as gnome-keyring or KeePassXC"
    )]
    Unavailable { detail: String },
    /// The keyring exists but refused access, usually because it is locked.
    #[error("the OS keyring refused access ({detail}); unlock it and try again")]
    Locked { detail: String },
    /// The stored item is not in the format GraphDesk wrote.
    #[error("the keyring item `{name}` is damaged")]
    Corrupt { name: String },
    /// Anything else the platform reported.
    #[error("the OS keyring failed: {detail}")]
    Platform { detail: String },
}

/// Why Integrated Windows Authentication gave no token. Entra's guidance for each: a managed (cloud-only or
/// hash-synced) domain has no federation server to trust the Windows sign-in, so those users sign in with the Windows
/// broker or interactively.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "why", rename_all = "camelCase")]
pub enum WindowsSignInError {
    #[error(
        "Windows names no work account for this session (a local account has none): sign in to Windows with your work \
         account, or name it (`graphdesk sign-in --windows --username user@contoso.com`)"
    )]
    NoUsername,
    #[error(
        "{domain} is a managed domain: Integrated Windows Authentication works only for federated domains; sign in \
         with the Windows broker (WAM) or interactively"
    )]
    ManagedUser { domain: String },
    #[error("the identity platform does not know this account's domain; check the username")]
    UnknownUser,
    #[error(
        "Integrated Windows Authentication signs in at Microsoft Entra ID; this authority is another OpenID provider"
    )]
    NotEntra,
    #[error("the federation server's metadata names no https endpoint for Windows sign-in")]
    NoWindowsEndpoint,
    #[error("the federation server refused the Windows sign-in ({code}): {reason}")]
    FederationRefused { code: String, reason: String },
    #[error("Windows could not sign in to the federation server ({detail})")]
    Negotiate { detail: String },
}

/// Why a redirect was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "reason", rename_all = "camelCase")]
#[non_exhaustive]
pub enum RedirectError {
    #[error("the sign-in link is too long ({len} bytes, at most {max})")]
    TooLong { len: usize, max: usize },
    #[error("the sign-in link is not a valid URL")]
    Malformed,
    #[error("the link is not a sign-in redirect for this app (expected {expected})")]
    WrongTarget { expected: String },
    #[error("the sign-in link carries a fragment, which this app never asks for")]
    Fragment,
    #[error("the sign-in link has invalid percent-encoding or is not UTF-8")]
    BadEncoding,
    #[error("the sign-in link repeats the parameter `{name}`")]
    DuplicateParameter { name: String },
    #[error("the sign-in link carries `{name}`, which a code-flow redirect never does")]
    ForbiddenParameter { name: String },
    #[error("the sign-in link has no `{name}`")]
    MissingParameter { name: String },
    #[error("the sign-in link carries both a code and an error")]
    CodeAndError,
    #[error("no sign-in is waiting for this link; start the sign-in from GraphDesk")]
    NoSignInInProgress,
    #[error("the link does not belong to the sign-in in progress (unknown state)")]
    UnknownState,
    #[error("the link was already used")]
    ReplayedState,
    #[error("the sign-in this link answers has expired; start it again")]
    ExpiredState,
}

/// A Graph (or API) error: `{"error":{"code","message","innerError":{"request-id","client-request-id","date"}}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct GraphError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    pub client_request_id: Option<String>,
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (HTTP {}): {}", self.code, self.status, self.message)
    }
}
