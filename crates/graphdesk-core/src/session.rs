//! A signed-in session: the token engine for one app registration (the configured one, or the demo tenant's), its
//! persisted cache, and the Graph API it calls. The service holds at most one; every window action, tray action and CLI
//! command goes through it, and every change to the cache is saved before the action reports success.

use std::sync::Mutex;

use serde::Serialize;

use crate::cache::persist::CacheFile;
use crate::engine::{Account, SilentOptions, TokenEngine, TokenSource};
use crate::error::CoreError;
use crate::flows::auth_code::{Cancel, InteractiveOptions, Opener};
use crate::graph::{Api, ApiClient, UserProfile};

/// Where the session's tokens come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SessionMode {
    /// The built-in emulated tenant (no app registration configured): clearly not Microsoft.
    #[serde(rename_all = "camelCase")]
    Demo { tenant_url: String },
    /// The user's own app registration.
    #[serde(rename_all = "camelCase")]
    Configured {
        authority: String,
        client_id: String,
    },
}

/// The outcome of a sign-in or a refresh, as the window shows it. No token: copying one is its own explicit action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSummary {
    pub account: Account,
    pub expires_on: u64,
    pub scopes: String,
    pub source: TokenSource,
    /// Set when the token cache could not be saved (no keyring, say): the session works, but will not survive a restart.
    pub cache_warning: Option<String>,
}

/// The session.
#[derive(Debug)]
pub struct Session {
    engine: TokenEngine,
    cache_file: CacheFile,
    mode: SessionMode,
    api: Api,
    /// The account the tray and quick refresh act on: the last one signed in or chosen.
    active: Mutex<Option<String>>,
    /// Why the persisted cache was not loaded, for the window to say.
    warning: Option<String>,
}

impl Session {
    /// Opens a session, loading the persisted cache. A cache that cannot be loaded is reported (second value) and the
    /// session starts empty; an unreadable file was moved aside, never deleted.
    pub fn open(
        engine: TokenEngine,
        cache_file: CacheFile,
        mode: SessionMode,
        api: Api,
    ) -> (Self, Option<String>) {
        let (engine, warning) = match cache_file.load() {
            Ok(loaded) => {
                let warning = loaded.recovered.map(|r| {
                    format!("The token cache could not be read ({}); it was moved to {} and GraphDesk starts empty.", r.reason, r.moved_to)
                });
                (engine.with_cache(loaded.cache), warning)
            }
            Err(error) => (
                engine,
                Some(format!(
                    "Your saved sign-ins could not be opened ({error})."
                )),
            ),
        };
        let active = engine.accounts().first().map(|a| a.home_account_id.clone());
        let session = Self {
            engine,
            cache_file,
            mode,
            api,
            active: Mutex::new(active),
            warning: warning.clone(),
        };
        (session, warning)
    }

    pub fn engine(&self) -> &TokenEngine {
        &self.engine
    }

    pub fn mode(&self) -> &SessionMode {
        &self.mode
    }

    /// The session's cache file.
    pub fn cache_path(&self) -> &std::path::Path {
        self.cache_file.path()
    }

    /// Why the persisted cache was not loaded at open, if it was not.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// The signed-in accounts.
    pub fn accounts(&self) -> Vec<Account> {
        self.engine.accounts()
    }

    /// The active account's home account id.
    pub fn active(&self) -> Option<String> {
        self.active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set_active(&self, home_account_id: Option<String>) {
        *self.active.lock().unwrap_or_else(|p| p.into_inner()) = home_account_id;
    }

    /// Makes `account` (home account id or username) the active one.
    pub fn choose(&self, account: &str) -> Result<Account, CoreError> {
        let found = self.engine.account(account).ok_or(CoreError::NotSignedIn)?;
        self.set_active(Some(found.home_account_id.clone()));
        Ok(found)
    }

    /// Saves the cache; the warning to show when it could not be saved.
    fn persist(&self) -> Option<String> {
        match self.engine.save_to(&self.cache_file) {
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(%error, "token cache not saved");
                Some(format!(
                    "Signed in, but the token cache could not be saved: {error}"
                ))
            }
        }
    }

    /// Interactive sign-in in the browser (the deep link brings the answer back).
    pub async fn sign_in(
        &self,
        opener: &dyn Opener,
        cancel: &Cancel,
    ) -> Result<TokenSummary, CoreError> {
        let scopes = self.engine.config().default_scopes.clone();
        let result = self
            .engine
            .acquire_token_interactive(&scopes, &InteractiveOptions::default(), opener, cancel)
            .await?;
        self.set_active(Some(result.account.home_account_id.clone()));
        Ok(TokenSummary {
            cache_warning: self.persist(),
            account: result.account,
            expires_on: result.expires_on,
            scopes: result.scopes,
            source: result.source,
        })
    }

    /// A token for the active account without the user (cache or refresh), as the tray's quick refresh does.
    pub async fn quick_refresh(&self) -> Result<TokenSummary, CoreError> {
        let account = self.active().ok_or(CoreError::NotSignedIn)?;
        let scopes = self.engine.config().default_scopes.clone();
        let result = self
            .engine
            .acquire_token_silent(&scopes, &account, &SilentOptions::default())
            .await?;
        Ok(TokenSummary {
            cache_warning: self.persist(),
            account: result.account,
            expires_on: result.expires_on,
            scopes: result.scopes,
            source: result.source,
        })
    }

    /// The account's Graph profile.
    pub async fn profile(&self, account: &str) -> Result<UserProfile, CoreError> {
        let profile = ApiClient::new(&self.engine, self.api.clone())
            .me(account, &Cancel::new())
            .await;
        // A profile call may have refreshed a token: keep the cache current.
        self.persist();
        profile
    }

    /// Signs `account` out of GraphDesk (its tokens and the account leave the cache; other accounts stay).
    pub fn sign_out(&self, account: &str) -> Result<Option<String>, CoreError> {
        let found = self.engine.account(account).ok_or(CoreError::NotSignedIn)?;
        self.engine.remove_account(&found.home_account_id);
        if self.active().as_deref() == Some(found.home_account_id.as_str()) {
            self.set_active(
                self.engine
                    .accounts()
                    .first()
                    .map(|a| a.home_account_id.clone()),
            );
        }
        Ok(self.persist())
    }
}
