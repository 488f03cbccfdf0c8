//! Windows' own ways to a token, behind traits the engine and the service hold: the Web Account Manager broker
//! ([`Broker`]; the OS keeps the account and its tokens, and can satisfy device-based conditional access) and the
//! Windows session's Kerberos sign-in for Integrated Windows Authentication
//! ([`crate::flows::iwa::WindowsIdentity`]). The mapping of WAM's requests and answers is plain Rust in [`wam`], tested
//! everywhere; the WinRT and SSPI calls sit in the `#[cfg(windows)]` module `windows`, which CI compiles, lints and
//! links for `x86_64-pc-windows-gnu` (it cannot run there: no Windows host). Elsewhere both answer "unsupported".

pub mod wam;
#[cfg(windows)]
mod windows;

use std::sync::Arc;

use crate::clock::BoxFuture;
use crate::config::ClientConfig;
use crate::engine::{Account, TokenResult};
use crate::error::CoreError;
use crate::flows::iwa::WindowsIdentity;

/// The window a broker's prompt is modal to (an `HWND` on Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParentWindow(pub isize);

/// A platform broker.
pub trait Broker: Send + Sync + std::fmt::Debug {
    /// Accounts the OS knows for this app.
    fn accounts(&self) -> BoxFuture<'_, Result<Vec<Account>, CoreError>>;
    /// A token without UI; "UI required" when the broker needs the user.
    fn acquire_token_silent<'a>(
        &'a self,
        scopes: &'a [String],
        account: &'a Account,
    ) -> BoxFuture<'a, Result<TokenResult, CoreError>>;
    /// A token with the broker's own UI, modal to `parent`.
    fn acquire_token_interactive<'a>(
        &'a self,
        scopes: &'a [String],
        login_hint: Option<&'a str>,
        parent: Option<ParentWindow>,
    ) -> BoxFuture<'a, Result<TokenResult, CoreError>>;
    /// Signs the account out of this app in the OS.
    fn sign_out<'a>(&'a self, account: &'a Account) -> BoxFuture<'a, Result<(), CoreError>>;
}

#[cfg(not(windows))]
fn unsupported(what: &str) -> CoreError {
    CoreError::Unsupported { what: what.into() }
}

/// The WAM broker for this app: Windows 10 and later only.
pub fn platform_broker(config: &ClientConfig) -> Result<Arc<dyn Broker>, CoreError> {
    #[cfg(windows)]
    {
        Ok(Arc::new(windows::WamBroker::new(config)))
    }
    #[cfg(not(windows))]
    {
        let _ = config;
        Err(unsupported("the Web Account Manager (WAM) broker"))
    }
}

/// The Windows session's identity for Integrated Windows Authentication: SSPI on Windows.
pub fn windows_identity() -> Result<Arc<dyn WindowsIdentity>, CoreError> {
    #[cfg(windows)]
    {
        Ok(Arc::new(windows::SspiIdentity))
    }
    #[cfg(not(windows))]
    {
        Err(unsupported("Integrated Windows Authentication"))
    }
}

#[cfg(all(test, not(windows)))]
mod tests {
    use super::*;

    #[test]
    fn brokers_are_unsupported_here_with_a_clear_message() {
        let config = ClientConfig::builder("5a1e0d3c-9b7f-4e21-8c6d-0f2a4b6c8e10")
            .build()
            .expect("config");
        let error = platform_broker(&config).expect_err("not on this platform");
        assert!(
            error.to_string().contains("WAM")
                && error.to_string().contains("not available on this platform")
        );
        let error = windows_identity().expect_err("not on this platform");
        assert!(
            error
                .to_string()
                .contains("Integrated Windows Authentication")
        );
    }
}
