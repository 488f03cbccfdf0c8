//! The session's Windows sign-ins. With the broker (WAM) chosen, interactive sign-ins go through it, and its answers are
//! filed in GraphDesk's cache as MSAL .NET files them — the access token and the account, never a refresh token (the OS
//! keeps that) — so the token panel, copy and the request bar work as for any sign-in; when such a token expires, the
//! silent path asks the broker instead of answering "UI required". Integrated Windows Authentication signs the Windows
//! session's user in through their federation server.

use super::{Session, TokenSummary};
use crate::engine::flows::iwa::WindowsIdentity;
use crate::engine::{SilentOptions, TokenResult};
use crate::error::CoreError;

impl Session {
    /// Silent: the cache or a refresh, then — for a "UI required" with the broker chosen — the broker's silent call.
    pub(super) async fn silent(
        &self,
        scopes: &[String],
        home: &str,
        options: &SilentOptions,
    ) -> Result<TokenResult, CoreError> {
        match self
            .engine
            .acquire_token_silent(scopes, home, options)
            .await
        {
            Err(CoreError::UiRequired(ui)) => match self.broker_silent(scopes, home).await {
                Some(brokered) => brokered,
                None => Err(CoreError::UiRequired(ui)),
            },
            other => other,
        }
    }

    /// The broker's silent answer for the account `home`, filed in the cache; `None` without a broker.
    pub(super) async fn broker_silent(
        &self,
        scopes: &[String],
        home: &str,
    ) -> Option<Result<TokenResult, CoreError>> {
        let broker = self.broker.as_ref()?;
        let account = match self.engine.account(home) {
            Some(account) => account,
            None => return Some(Err(CoreError::NotSignedIn)),
        };
        let result = broker.acquire_token_silent(scopes, &account).await;
        Some(result.map(|result| self.engine.store_brokered(result)))
    }

    /// The broker's interactive sign-in, filed in the cache; `None` without a broker.
    pub(super) async fn broker_interactive(
        &self,
        scopes: &[String],
        login_hint: Option<&str>,
    ) -> Option<Result<TokenResult, CoreError>> {
        let broker = self.broker.as_ref()?;
        let parent = *self.parent_window.lock().unwrap_or_else(|p| p.into_inner());
        let result = broker
            .acquire_token_interactive(scopes, login_hint, parent)
            .await;
        Some(result.map(|result| self.engine.store_brokered(result)))
    }

    /// The signed-in accounts and, with the broker chosen, the accounts Windows holds for this app that GraphDesk has not
    /// signed in yet (as MSAL .NET lists WAM's accounts). A broker that cannot list them leaves the cache's list.
    pub async fn accounts_everywhere(&self) -> Vec<crate::engine::Account> {
        let mut accounts = self.accounts();
        let Some(broker) = &self.broker else {
            return accounts;
        };
        match broker.accounts().await {
            Ok(listed) => {
                for account in listed {
                    if !accounts.iter().any(|a| {
                        a.home_account_id
                            .eq_ignore_ascii_case(&account.home_account_id)
                    }) {
                        accounts.push(account);
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "the Windows broker could not list its accounts"),
        }
        accounts
    }

    /// Makes `account` (home account id or username) the active one. An account only Windows' broker holds is first
    /// signed in silently through it (and filed in the cache), so choosing it needs no prompt.
    pub async fn choose_everywhere(
        &self,
        account: &str,
    ) -> Result<crate::engine::Account, CoreError> {
        if self.engine.account(account).is_some() {
            return self.choose(account);
        }
        let Some(broker) = &self.broker else {
            return self.choose(account);
        };
        let listed = broker.accounts().await?;
        let found = listed
            .into_iter()
            .find(|a| {
                a.home_account_id.eq_ignore_ascii_case(account)
                    || a.username.eq_ignore_ascii_case(account)
            })
            .ok_or(CoreError::NotSignedIn)?;
        let scopes = self.engine.config().default_scopes.clone();
        let result = broker.acquire_token_silent(&scopes, &found).await?;
        let result = self.engine.store_brokered(result);
        self.summarise(result, true).await;
        self.choose(&found.home_account_id)
    }

    /// Signs `account` out of GraphDesk and, with the broker chosen, out of this app in Windows too
    /// (`WebAccount.SignOutAsync`). A broker that fails is a warning: the sign-out from GraphDesk happens regardless.
    pub async fn sign_out_everywhere(&self, account: &str) -> Result<Option<String>, CoreError> {
        let broker_warning = match (&self.broker, self.engine.account(account)) {
            (Some(broker), Some(found)) => broker.sign_out(&found).await.err().map(|error| {
                format!(
                    "Signed out of GraphDesk, but Windows kept the account for this app: {error}"
                )
            }),
            _ => None,
        };
        let warning = self.sign_out(account)?;
        Ok(warning.or(broker_warning))
    }

    /// Integrated Windows Authentication for the default scopes, as the Windows session's user (or `username`).
    pub async fn sign_in_integrated_windows(
        &self,
        username: Option<&str>,
        identity: &dyn WindowsIdentity,
    ) -> Result<TokenSummary, CoreError> {
        let scopes = self.engine.config().default_scopes.clone();
        let result = self
            .engine
            .acquire_token_integrated_windows_auth(&scopes, username, identity)
            .await?;
        Ok(self.summarise(result, true).await)
    }
}
