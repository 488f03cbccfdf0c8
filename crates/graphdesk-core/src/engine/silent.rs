//! Silent acquisition, MSAL's order: a cached access token with more than 5 minutes left (its `refresh_on` not passed)
//! → the refresh token, one refresh per account at a time → a typed "UI required".

use std::sync::Arc;

use super::{
    CacheLookup, EXPIRY_BUFFER_SECONDS, RefreshLock, SilentOptions, TokenEngine, TokenResult,
    TokenSource,
};
use crate::cache::account::Account;
use crate::error::{CoreError, UiRequired, UiRequiredReason};
use crate::scopes::{Scopes, request_scope};
use crate::secret::AccessToken;

impl TokenEngine {
    /// A token for `scopes` without the user, as `home_account_id` (`uid.utid`; not a username): from the cache, or by
    /// refreshing. Anything else is "UI required".
    pub async fn acquire_token_silent(
        &self,
        scopes: &[String],
        home_account_id: &str,
        options: &SilentOptions,
    ) -> Result<TokenResult, CoreError> {
        let wanted = Scopes::from_iter(scopes.iter().map(String::as_str));
        // By home account id only, through the index (the hot path), as MSAL's silent call takes an account: a username
        // is resolved by the caller (`Session::resolve`, `account`), never guessed here.
        let account = self.cached_account(home_account_id).ok_or_else(|| {
            CoreError::ui_required(UiRequired::local(UiRequiredReason::NoAccount))
        })?;
        let bypass_cache = options.force_refresh || options.claims.is_some();
        let account = if bypass_cache {
            account
        } else {
            match self.cached(account, &wanted, true) {
                CacheLookup::Hit(hit) => return Ok(hit),
                CacheLookup::Miss(account) => account,
            }
        };
        // Single flight: one refresh per account at a time. Whoever waited re-checks the cache; a forced refresh is
        // satisfied by a refresh that completed while it waited (claims challenges always get their own).
        let refresh = self.refresh_lock(&account.home_account_id);
        let seen = refresh.generation.load(std::sync::atomic::Ordering::SeqCst);
        let _guard = refresh.lock.lock().await;
        let refreshed_meanwhile =
            refresh.generation.load(std::sync::atomic::Ordering::SeqCst) != seen;
        let account = if !bypass_cache || (options.claims.is_none() && refreshed_meanwhile) {
            match self.cached(account, &wanted, true) {
                CacheLookup::Hit(hit) => return Ok(hit),
                CacheLookup::Miss(account) => account,
            }
        } else {
            account
        };
        match self
            .refresh(&account, scopes, options.claims.as_deref())
            .await
        {
            Ok(result) => {
                refresh
                    .generation
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Ok(result)
            }
            // Past refresh_on the old token is still good: keep serving it while the platform is unhappy.
            Err(error) if !bypass_cache => match self.cached(account, &wanted, false) {
                CacheLookup::Hit(hit) => Ok(hit),
                CacheLookup::Miss(_) => Err(error),
            },
            Err(error) => Err(error),
        }
    }

    /// A cached access token for `account` covering `wanted`: valid for 5 more minutes, and (when `respect_refresh_on`)
    /// not yet due for its proactive refresh. The account moves into the result (the hot path clones it no more), and
    /// comes back on a miss.
    fn cached(&self, account: Account, wanted: &Scopes, respect_refresh_on: bool) -> CacheLookup {
        let now = self.clock.now();
        let (primary, fallback) = self.lookup_realms(&account);
        let hit = self.read_cache(|cache| {
            let home = &account.home_account_id;
            let at = cache
                .access_token_in(&self.scope, primary, home, wanted)
                .or_else(|| {
                    fallback
                        .and_then(|realm| cache.access_token_in(&self.scope, realm, home, wanted))
                })?;
            let valid = at.expires_on.0 > now.saturating_add(EXPIRY_BUFFER_SECONDS);
            let due = respect_refresh_on && at.refresh_on.is_some_and(|r| now >= r.0);
            (valid && !due).then(|| {
                (
                    AccessToken::new(at.secret.clone()),
                    at.expires_on.0,
                    at.target.clone(),
                )
            })
        });
        match hit {
            Some((access_token, expires_on, scopes)) => CacheLookup::Hit(TokenResult {
                access_token,
                expires_on,
                scopes,
                account,
                source: TokenSource::Cache,
            }),
            None => CacheLookup::Miss(account),
        }
    }

    /// The realms a silent lookup for `account` searches, in order (issue 13; MSAL .NET's rule). A named tenant is its
    /// own realm. `common`, `organizations` and `consumers` mean the account's home tenant: its `utid` (where GraphDesk,
    /// MSAL .NET and msal-node file those tokens), then the literal segment (where MSAL Python files them). Never another
    /// tenant's: a guest tenant's token is not an answer through `common`.
    fn lookup_realms<'a>(&'a self, account: &'a Account) -> (&'a str, Option<&'a str>) {
        if !crate::cache::is_multi_tenant(&self.scope.realm) {
            return (&self.scope.realm, None);
        }
        let home = crate::cache::account::home_tenant(&account.home_account_id).or_else(|| {
            account
                .tenant_profiles
                .iter()
                .find(|p| p.is_home_tenant)
                .map(|p| p.tenant_id.as_str())
        });
        match home {
            Some(home) => (home, Some(&self.scope.realm)),
            None => (&self.scope.realm, None),
        }
    }

    fn refresh_lock(&self, home_account_id: &str) -> Arc<RefreshLock> {
        let mut locks = self.refresh_locks.lock().unwrap_or_else(|p| p.into_inner());
        locks
            .entry(home_account_id.to_ascii_lowercase())
            .or_default()
            .clone()
    }

    async fn refresh(
        &self,
        account: &Account,
        scopes: &[String],
        claims: Option<&str>,
    ) -> Result<TokenResult, CoreError> {
        let scope = self.cache_scope();
        let refresh_token = self
            .read_cache(|c| {
                c.refresh_token(&scope, &account.home_account_id)
                    .map(|rt| rt.secret.clone())
            })
            .ok_or_else(|| {
                CoreError::ui_required(UiRequired::local(UiRequiredReason::NothingCached))
            })?;
        let mut form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token),
            ("scope", request_scope(scopes)),
        ];
        if let Some(claims) = self.config.claims_parameter(claims) {
            form.push(("claims", claims));
        }
        // On invalid_grant the refresh token stays in the cache: a new MFA or policy may be the cause, not the token.
        let response = self.token_request(form).await?;
        self.save(response, scopes, None, TokenSource::Refresh, Some(account))
    }
}
