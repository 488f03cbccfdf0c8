//! A signed-in session: the token engine for one app registration (the configured one, or the demo tenant's), its
//! persisted cache, and the Graph API it calls. The service holds at most one; every window action, tray action and CLI
//! command goes through it, and every change to the cache is saved before the action reports success.
//!
//! Here: the session and its flows. Its child `brokered` routes sign-in through the Windows broker (WAM) when the user
//! chose it, and runs Integrated Windows Authentication.

mod brokered;

use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::broker::{Broker, ParentWindow};
use crate::cache::persist::CacheFile;
use crate::engine::flows::auth_code::{Cancel, InteractiveOptions, Opener};
use crate::engine::flows::device_code::{DeviceCodeFlow, DeviceCodeProgress};
use crate::engine::{Account, SilentOptions, TokenEngine, TokenResult, TokenSource};
use crate::error::CoreError;
use crate::graph::{Api, ApiClient, ApiRequest, ApiResponse, Photo, UserProfile};
use crate::jwt_view::JwtView;
use crate::secret::{AccessToken, Password};

/// Where the session's tokens come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TokenSummary {
    pub account: Account,
    pub expires_on: u64,
    pub scopes: String,
    pub source: TokenSource,
    /// Set when the token cache could not be saved (no keyring, say): the session works, but will not survive a restart.
    pub cache_warning: Option<String>,
    /// The access token's header and claims when it is a JWT (as jwt.ms shows them); the token itself is not here.
    pub decoded: Option<JwtView>,
    /// Names this access token for [`Session::access_token_by_id`] (a short hash: it cannot be turned back into the
    /// token). The window copies "the token it shows" by this id, and the token itself never crosses to it.
    pub token_id: String,
}

/// The id a [`TokenSummary`] names its access token by.
fn token_id(token: &str) -> String {
    crate::redirect::fingerprint(token)
}

/// A Graph (or web API) answer as the request bar shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ApiResult {
    #[serde(flatten)]
    pub response: ApiResponse,
    /// The body as JSON, when it is JSON.
    pub json: Option<serde_json::Value>,
    /// The body as text, when it is text but not JSON (at most 64 KiB).
    pub text: Option<String>,
    pub body_bytes: usize,
    /// `@odata.nextLink`, for "next page".
    pub next_link: Option<String>,
}

impl ApiResult {
    fn of(response: ApiResponse) -> Self {
        let json: Option<serde_json::Value> = serde_json::from_slice(&response.body).ok();
        let text = match json {
            Some(_) => None,
            None => std::str::from_utf8(&response.body)
                .ok()
                .map(|t| t.chars().take(64 * 1024).collect()),
        };
        let next_link = json
            .as_ref()
            .and_then(|j| j["@odata.nextLink"].as_str())
            .map(str::to_owned);
        Self {
            body_bytes: response.body.len(),
            response,
            json,
            text,
            next_link,
        }
    }
}

/// The session.
#[derive(Debug)]
pub struct Session {
    engine: TokenEngine,
    cache_file: Arc<CacheFile>,
    mode: SessionMode,
    api: Api,
    /// The account the tray and quick refresh act on: the last one signed in or chosen.
    active: Mutex<Option<String>>,
    /// Why the persisted cache was not loaded, for the window to say.
    warning: Option<String>,
    /// The Windows broker, when the user chose it: interactive sign-ins go through it, and silent ones fall back to it
    /// where GraphDesk's cache holds no refresh token (the OS keeps the broker's).
    broker: Option<Arc<dyn Broker>>,
    /// The window the broker's prompt is modal to.
    parent_window: Mutex<Option<ParentWindow>>,
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
            cache_file: Arc::new(cache_file),
            mode,
            api,
            active: Mutex::new(active),
            warning: warning.clone(),
            broker: None,
            parent_window: Mutex::new(None),
        };
        (session, warning)
    }

    /// The session with the Windows broker doing its sign-ins.
    pub fn with_broker(mut self, broker: Arc<dyn Broker>) -> Self {
        self.broker = Some(broker);
        self
    }

    /// Whether sign-ins go through the Windows broker.
    pub fn uses_broker(&self) -> bool {
        self.broker.is_some()
    }

    /// The window the broker's prompts belong to (the shell sets it once its window exists).
    pub fn set_parent_window(&self, window: ParentWindow) {
        *self.parent_window.lock().unwrap_or_else(|p| p.into_inner()) = Some(window);
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

    /// Saves the cache (off the async runtime); the warning to show when it could not be saved.
    async fn persist(&self) -> Option<String> {
        Self::warning_for(self.engine.save_off_runtime(&self.cache_file).await)
    }

    fn warning_for(saved: Result<bool, CoreError>) -> Option<String> {
        match saved {
            Ok(_) => None,
            Err(error) => {
                tracing::warn!(%error, "token cache not saved");
                Some(format!(
                    "Signed in, but the token cache could not be saved: {error}"
                ))
            }
        }
    }

    /// Saves the cache and describes `result` for the window. A new sign-in becomes the active account.
    async fn summarise(&self, result: TokenResult, activate: bool) -> TokenSummary {
        if activate {
            self.set_active(Some(result.account.home_account_id.clone()));
        }
        TokenSummary {
            // A cache hit changed nothing: it saves nothing, and never waits on a save in progress.
            cache_warning: match result.source {
                TokenSource::Cache => None,
                _ => self.persist().await,
            },
            decoded: crate::jwt_view::decode(result.access_token.secret()),
            token_id: token_id(result.access_token.secret()),
            account: result.account,
            expires_on: result.expires_on,
            scopes: result.scopes,
            source: result.source,
        }
    }

    /// `scopes`, or the configured default ones when none are given.
    fn scopes_or_default(&self, scopes: &[String]) -> Vec<String> {
        let given: Vec<String> = scopes
            .iter()
            .flat_map(|s| s.split_whitespace())
            .map(str::to_owned)
            .collect();
        if given.is_empty() {
            self.engine.config().default_scopes.clone()
        } else {
            given
        }
    }

    /// The home account id of `account` (id or username), or of the active account when `None`.
    fn resolve(&self, account: Option<&str>) -> Result<String, CoreError> {
        match account {
            Some(wanted) => Ok(self
                .engine
                .account(wanted)
                .ok_or(CoreError::NotSignedIn)?
                .home_account_id),
            None => self.active().ok_or(CoreError::NotSignedIn),
        }
    }

    /// Interactive sign-in in the browser (the deep link brings the answer back).
    pub async fn sign_in(
        &self,
        opener: &dyn Opener,
        cancel: &Cancel,
    ) -> Result<TokenSummary, CoreError> {
        let scopes = self.engine.config().default_scopes.clone();
        if let Some(result) = self.broker_interactive(&scopes, None).await {
            return Ok(self.summarise(result?, true).await);
        }
        let result = self
            .engine
            .acquire_token_interactive(&scopes, &InteractiveOptions::default(), opener, cancel)
            .await?;
        Ok(self.summarise(result, true).await)
    }

    /// The desktop pattern: a token for `scopes` (default ones when empty) silently from the cache or by refreshing;
    /// only when that answers "UI required", interactively in the browser — for the same account (its username as the
    /// login hint) and with any claims the platform asked for.
    pub async fn acquire_token(
        &self,
        account: Option<&str>,
        scopes: &[String],
        opener: &dyn Opener,
        cancel: &Cancel,
    ) -> Result<TokenSummary, CoreError> {
        let scopes = self.scopes_or_default(scopes);
        let home = self.resolve(account);
        let silent = match &home {
            Ok(home) => self.silent(&scopes, home, &SilentOptions::default()).await,
            Err(_) => Err(CoreError::ui_required(crate::error::UiRequired::local(
                crate::error::UiRequiredReason::NoAccount,
            ))),
        };
        let ui = match silent {
            Ok(result) => return Ok(self.summarise(result, false).await),
            Err(CoreError::UiRequired(ui)) => ui,
            Err(error) => return Err(error),
        };
        tracing::info!(reason = ?ui.reason, "silent acquisition needs the user; signing in interactively");
        let login_hint = home
            .ok()
            .and_then(|h| self.engine.account(&h))
            .map(|a| a.username);
        if let Some(result) = self
            .broker_interactive(&scopes, login_hint.as_deref())
            .await
        {
            return Ok(self.summarise(result?, true).await);
        }
        let options = InteractiveOptions {
            login_hint,
            claims: ui.claims.clone(),
            ..InteractiveOptions::default()
        };
        let result = self
            .engine
            .acquire_token_interactive(&scopes, &options, opener, cancel)
            .await?;
        Ok(self.summarise(result, true).await)
    }

    /// A fresh token for the active account without the user, as the tray's quick refresh does: the refresh token is
    /// redeemed even when the cached access token is still good, so the expiry moves on.
    pub async fn quick_refresh(&self) -> Result<TokenSummary, CoreError> {
        let account = self.active().ok_or(CoreError::NotSignedIn)?;
        let scopes = self.engine.config().default_scopes.clone();
        let options = SilentOptions {
            force_refresh: true,
            ..SilentOptions::default()
        };
        let result = self.silent(&scopes, &account, &options).await?;
        Ok(self.summarise(result, false).await)
    }

    /// A token for `scopes` (default ones when empty) as `account` (the active one when `None`), silently only: the
    /// CLI's answer, and what the window's token panel shows.
    pub async fn token_silent(
        &self,
        account: Option<&str>,
        scopes: &[String],
    ) -> Result<(TokenSummary, AccessToken), CoreError> {
        let home = self.resolve(account)?;
        let scopes = self.scopes_or_default(scopes);
        let result = self
            .silent(&scopes, &home, &SilentOptions::default())
            .await?;
        let token = result.access_token.clone();
        Ok((self.summarise(result, false).await, token))
    }

    /// Starts a device-code sign-in for the default scopes: the code and where to enter it.
    pub async fn start_device_code(&self) -> Result<DeviceCodeFlow, CoreError> {
        let scopes = self.engine.config().default_scopes.clone();
        self.engine.start_device_code(&scopes).await
    }

    /// Polls until the user has entered the code (or declined, or it expired, or `cancel` fired).
    pub async fn complete_device_code(
        &self,
        flow: &DeviceCodeFlow,
        cancel: &Cancel,
        progress: impl FnMut(DeviceCodeProgress) + Send,
    ) -> Result<TokenSummary, CoreError> {
        let result = self
            .engine
            .complete_device_code(flow, cancel, progress)
            .await?;
        Ok(self.summarise(result, true).await)
    }

    /// Username and password (ROPC). Accounts with MFA and personal accounts get a "UI required" that says so.
    pub async fn sign_in_with_password(
        &self,
        username: &str,
        password: &Password,
    ) -> Result<TokenSummary, CoreError> {
        let scopes = self.engine.config().default_scopes.clone();
        let result = self
            .engine
            .acquire_token_by_username_password(&scopes, username, password)
            .await?;
        Ok(self.summarise(result, true).await)
    }

    /// Any request to the session's API (Graph) as `account` (the active one when `None`) with a token for `scopes`
    /// (the API's own when empty), silent-first: "UI required" comes back typed for the caller to sign in and retry.
    pub async fn call_api(
        &self,
        account: Option<&str>,
        scopes: &[String],
        request: &ApiRequest,
        cancel: &Cancel,
    ) -> Result<ApiResult, CoreError> {
        let home = self.resolve(account)?;
        let scopes = scopes
            .iter()
            .flat_map(|s| s.split_whitespace())
            .map(str::to_owned)
            .collect();
        let api = self.api.clone().with_scopes(scopes);
        let mut response = ApiClient::new(&self.engine, api.clone())
            .send(&home, request, cancel)
            .await;
        if matches!(response, Err(CoreError::UiRequired(_)))
            && self
                .broker_silent(&api.scopes, &home)
                .await
                .is_some_and(|r| r.is_ok())
        {
            // The broker renewed the token into the cache: the request goes again, once.
            response = ApiClient::new(&self.engine, api)
                .send(&home, request, cancel)
                .await;
        }
        self.persist().await;
        response.map(ApiResult::of)
    }

    /// The account's (home account id or username) photo, `None` when it has none.
    pub async fn photo(&self, account: &str) -> Result<Option<Photo>, CoreError> {
        let home = self.resolve(Some(account))?;
        let photo = ApiClient::new(&self.engine, self.api.clone())
            .photo(&home, &Cancel::new())
            .await;
        self.persist().await;
        photo
    }

    /// The account's (home account id or username) Graph profile.
    pub async fn profile(&self, account: &str) -> Result<UserProfile, CoreError> {
        let home = self.resolve(Some(account))?;
        let profile = ApiClient::new(&self.engine, self.api.clone())
            .me(&home, &Cancel::new())
            .await;
        // A profile call may have refreshed a token: keep the cache current.
        self.persist().await;
        profile
    }

    /// Merges a cache file MSAL Python, msal-node, MSAL .NET or another GraphDesk wrote, and saves it. For an authority
    /// host no built-in cloud names, instance discovery runs first, so the file's entries under its aliases count as
    /// this app's. Entries that do not fit the schema are kept verbatim and listed in the summary's warnings; a file
    /// that is not a cache, or a save that fails, is an error and the cache on disk stays as it was.
    pub async fn import_cache(
        &self,
        json: &[u8],
    ) -> Result<crate::cache::interop::ImportSummary, CoreError> {
        self.engine.instance_metadata().await;
        let summary = self.engine.import_cache(json)?;
        self.engine.save_off_runtime(&self.cache_file).await?;
        if self.active().is_none() {
            self.set_active(
                self.engine
                    .accounts()
                    .first()
                    .map(|a| a.home_account_id.clone()),
            );
        }
        Ok(summary)
    }

    /// The unexpired access token of this app whose summary carried `id` — the one the window shows — with no token
    /// request. An id no cached token has is an error naming the token (it expired, or was never this app's).
    pub fn access_token_by_id(&self, id: &str) -> Result<AccessToken, CoreError> {
        self.engine
            .cached_access_token(|secret| token_id(secret) == id)
            .ok_or_else(|| CoreError::InvalidRequest {
                field: crate::error::RequestField::Token,
                reason: "that token is no longer in the cache (it expired or was signed out); get a new one".into(),
            })
    }

    /// The cache in MSAL Python's or msal-node's conventions (every entry, this app's re-keyed for that library).
    pub fn export_cache(&self, dialect: crate::cache::interop::Dialect) -> Vec<u8> {
        self.engine.export_cache(dialect)
    }

    /// [`Self::import_cache`] of the file at `path`; a file that cannot be read is an error naming it.
    pub async fn import_cache_file(
        &self,
        path: &std::path::Path,
    ) -> Result<crate::cache::interop::ImportSummary, CoreError> {
        let bytes = std::fs::read(path).map_err(|e| CoreError::InvalidRequest {
            field: crate::error::RequestField::File,
            reason: format!("cannot read {}: {e}", path.display()),
        })?;
        self.import_cache(&bytes).await
    }

    /// [`Self::export_cache`] to the file at `path`, created (or replaced) readable and writable by the user only: it
    /// holds refresh tokens.
    pub fn export_cache_to(
        &self,
        dialect: crate::cache::interop::Dialect,
        path: &std::path::Path,
    ) -> Result<(), CoreError> {
        crate::files::write_private(path, &self.export_cache(dialect)).map_err(|e| {
            CoreError::InvalidRequest {
                field: crate::error::RequestField::File,
                reason: format!("cannot write {}: {e}", path.display()),
            }
        })
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
        Ok(Self::warning_for(self.engine.save_to(&self.cache_file)))
    }
}
