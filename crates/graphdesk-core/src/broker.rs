//! Platform brokers: the Web Account Manager (WAM) and Integrated Windows Authentication (IWA) on Windows. They sign the
//! user in with the Windows session's account, can satisfy device-based conditional access, and keep tokens in the OS
//! instead of GraphDesk's cache. The engine reaches them only through [`Broker`]. No implementation exists yet — the
//! build machines are Linux and cannot compile or test Windows code — so [`platform_broker`] answers "unsupported on this
//! platform" everywhere; the Windows implementation follows the design below.
//!
//! # Windows design
//!
//! - **WAM** (`windows` crate, `Windows.Security.Authentication.Web.Core`): `WebAuthenticationCoreManager::
//!   FindAccountProviderAsync("https://login.microsoft.com", authority)` gives the provider; a `WebTokenRequest` carries
//!   the client id, the scopes (space-joined), and properties `authority`, `redirect_uri` (`ms-appx-web://
//!   Microsoft.AAD.BrokerPlugin/{client_id}`, which the app registration must list) and `claims`. Silent requests use
//!   `GetTokenSilentlyAsync` with the `WebAccount` found by `FindAccountAsync(provider, account_id)`; interactive ones
//!   `RequestTokenForWindowAsync(hwnd, request)` through `IWebAuthenticationCoreManagerInterop`, parented to GraphDesk's
//!   window so the prompt is modal to it. `WebTokenRequestStatus::UserInteractionRequired` maps to
//!   [`CoreError::UiRequired`]; `ProviderError` carries an AADSTS code in `ResponseError.ErrorCode`.
//! - **IWA**: a token request with `grant_type=urn:ietf:params:oauth:grant-type:saml1_1-bearer` after obtaining a WS-Trust
//!   SAML assertion from the federated IdP's `windowstransport` endpoint (found through the user realm discovery
//!   `…/common/userrealm/{upn}?api-version=1.0`) with the logged-on user's Kerberos ticket (SSPI). Managed (non-federated)
//!   tenants cannot use it: that is a typed error telling the user to sign in interactively.
//! - The broker's accounts are listed beside the cache's, marked as broker accounts; sign-out calls
//!   `WebAccount.SignOutAsync`. Tokens from the broker are not written to GraphDesk's cache (the OS holds them).
//! - Tests: a Windows CI job runs the same engine tests with a fake `Broker`, and a manual checklist covers real WAM.

use crate::clock::BoxFuture;
use crate::engine::{Account, TokenResult};
use crate::error::CoreError;

/// Which broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokerKind {
    /// Web Account Manager (Windows 10+).
    Wam,
    /// Integrated Windows Authentication (domain-joined Windows, federated tenants).
    IntegratedWindowsAuth,
}

/// A platform broker.
pub trait Broker: Send + Sync + std::fmt::Debug {
    fn kind(&self) -> BrokerKind;
    /// Accounts the OS knows for this app.
    fn accounts(&self) -> BoxFuture<'_, Result<Vec<Account>, CoreError>>;
    /// A token without UI; "UI required" when the broker needs the user.
    fn acquire_token_silent<'a>(
        &'a self,
        scopes: &'a [String],
        account: &'a Account,
    ) -> BoxFuture<'a, Result<TokenResult, CoreError>>;
    /// A token with the broker's own UI.
    fn acquire_token_interactive<'a>(
        &'a self,
        scopes: &'a [String],
        login_hint: Option<&'a str>,
    ) -> BoxFuture<'a, Result<TokenResult, CoreError>>;
    /// Signs the account out of this app in the OS.
    fn sign_out<'a>(&'a self, account: &'a Account) -> BoxFuture<'a, Result<(), CoreError>>;
}

/// The broker of `kind` on this platform: none exists outside Windows.
pub fn platform_broker(kind: BrokerKind) -> Result<Box<dyn Broker>, CoreError> {
    Err(CoreError::Unsupported {
        what: match kind {
            BrokerKind::Wam => "the Web Account Manager (WAM) broker".into(),
            BrokerKind::IntegratedWindowsAuth => "Integrated Windows Authentication".into(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brokers_are_unsupported_here_with_a_clear_message() {
        for kind in [BrokerKind::Wam, BrokerKind::IntegratedWindowsAuth] {
            let error = platform_broker(kind).expect_err("not on this platform");
            assert!(matches!(error, CoreError::Unsupported { .. }));
            assert!(error.to_string().contains("not available on this platform"));
        }
    }
}
