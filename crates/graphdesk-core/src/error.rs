//! The core's error type: what happened and what the user can do about it. Messages never hold a secret; the shell turns
//! each variant into a tagged IPC error the UI branches on.

use crate::keystore::KeyringError;
use crate::redirect::RedirectError;

/// Everything the core can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// An action needs an account and none is signed in.
    #[error("not signed in: sign in first, then try again")]
    NotSignedIn,
    /// Configuration is missing or invalid; `field` names what to fix.
    #[error("invalid configuration for {field}: {reason}")]
    Config { field: String, reason: String },
    /// The OS keyring failed.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// A sign-in redirect (deep link or loopback request) was refused.
    #[error(transparent)]
    Redirect(#[from] RedirectError),
}
