//! The token engine: silent-first acquisition over the MSAL-schema cache, and the flows that fill it. Clock, sleep and
//! HTTP are injected; the cache sits behind a lock held only for lookups and saves, never across a request.
//!
//! Silent acquisition follows MSAL's order: a cached access token with more than 5 minutes left (and its `refresh_on` not
//! passed) → the refresh token → a typed "UI required". Refreshes are single-flight per account: concurrent callers queue
//! on the account's lock and the ones behind the first find its fresh token in the cache.
//!
//! Here: the engine's state, its accounts and its cache. Its children: `silent` (the silent path), `redeem` (the token
//! endpoint, for every grant, and filing answers in the cache) and `flows/` (the ways to sign in with the user).

pub mod flows;
mod redeem;
mod silent;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde::Serialize;

use crate::authority::{Endpoints, ResolvedAuthority};
pub use crate::cache::account::{Account, TenantProfile};
use crate::cache::account::{account_with_profiles, group_tenant_profiles};
use crate::cache::{CacheScope, TokenCache};
use crate::clock::{Clock, Sleeper};
use crate::cloud::InstanceMetadata;
use crate::config::ClientConfig;
use crate::error::CoreError;
use crate::http::{HttpClient, HttpRequest};
use crate::protocol;
use crate::secret::AccessToken;

/// An access token with less than this left counts as expired (MSAL: 5 minutes).
pub const EXPIRY_BUFFER_SECONDS: u64 = 300;

/// The longest `Retry-After` the engine waits out by itself before retrying; longer ones are returned to the caller.
const MAX_RETRY_AFTER_SECONDS: u64 = 60;

/// Where a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum TokenSource {
    Cache,
    Refresh,
    Interactive,
    DeviceCode,
    UsernamePassword,
    /// Integrated Windows Authentication (a federation server's SAML assertion).
    IntegratedWindows,
    /// The Windows broker (WAM): the OS holds the account and its tokens.
    Broker,
}

/// An acquired access token.
#[derive(Debug, Clone)]
pub struct TokenResult {
    pub access_token: AccessToken,
    pub expires_on: u64,
    /// Granted scopes.
    pub scopes: String,
    pub account: Account,
    pub source: TokenSource,
}

/// What the cache answered for an account: its token, or the account back (for the refresh that follows a miss).
enum CacheLookup {
    Hit(TokenResult),
    Miss(Account),
}

/// Options for a silent call.
#[derive(Debug, Clone, Default)]
pub struct SilentOptions {
    /// Skip the cached access token and refresh.
    pub force_refresh: bool,
    /// A claims challenge to satisfy (bypasses the cache).
    pub claims: Option<String>,
}

/// One account's refresh lock, and how many refreshes it has seen (so a caller that waited knows one happened).
#[derive(Debug, Default)]
struct RefreshLock {
    lock: tokio::sync::Mutex<()>,
    generation: std::sync::atomic::AtomicU64,
}

/// The engine.
#[derive(Debug)]
pub struct TokenEngine {
    pub(crate) config: ClientConfig,
    authority: ResolvedAuthority,
    pub(crate) http: Arc<dyn HttpClient>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    /// Shared with saves, which run on a blocking thread and hold the lock only to merge and serialise.
    cache: Arc<RwLock<TokenCache>>,
    refresh_locks: Mutex<HashMap<String, Arc<RefreshLock>>>,
    pub(crate) pending: Arc<crate::engine::flows::pending::PendingAuthorizations>,
    /// Where this app's tokens live in the cache (computed once: every lookup uses it).
    scope: CacheScope,
    /// The instance metadata discovered for an authority host no built-in group names (fetched once).
    instance: tokio::sync::OnceCell<InstanceMetadata>,
}

impl TokenEngine {
    /// An engine with an empty cache.
    pub fn new(
        config: ClientConfig,
        http: Arc<dyn HttpClient>,
        clock: Arc<dyn Clock>,
        sleeper: Arc<dyn Sleeper>,
    ) -> Self {
        let authority = ResolvedAuthority::new(config.authority.clone());
        let redirect = config.redirect_uri.clone();
        let scope = CacheScope {
            environment: config.authority.environment(),
            realm: config.authority.tenant(),
            client_id: config.client_id.clone(),
        };
        Self {
            scope,
            config,
            authority,
            http,
            clock,
            sleeper,
            cache: Arc::new(RwLock::new(TokenCache::new())),
            refresh_locks: Mutex::new(HashMap::new()),
            pending: Arc::new(crate::engine::flows::pending::PendingAuthorizations::new(
                redirect,
            )),
            instance: tokio::sync::OnceCell::new(),
        }
    }

    /// Replaces the cache (loaded from disk or imported).
    pub fn with_cache(self, cache: TokenCache) -> Self {
        *self.cache.write().unwrap_or_else(|p| p.into_inner()) = cache;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Reads the cache (for persistence and export).
    pub fn read_cache<T>(&self, read: impl FnOnce(&TokenCache) -> T) -> T {
        read(&self.cache.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Changes the cache (for persistence: marking it saved).
    pub fn write_cache<T>(&self, write: impl FnOnce(&mut TokenCache) -> T) -> T {
        write(&mut self.cache.write().unwrap_or_else(|p| p.into_inner()))
    }

    /// Writes the cache to `file` if it changed since the last save; `Ok(false)` when there was nothing to write. A
    /// blocking call (keyring, file lock, fsync); lookups go on meanwhile. Async callers use [`Self::save_off_runtime`].
    pub fn save_to(&self, file: &crate::cache::persist::CacheFile) -> Result<bool, CoreError> {
        file.save_shared(&self.cache)
    }

    /// [`Self::save_to`] on a blocking thread, so neither a slow disk nor a keyring's unlock prompt holds up the async
    /// runtime's workers.
    pub async fn save_off_runtime(
        &self,
        file: &Arc<crate::cache::persist::CacheFile>,
    ) -> Result<bool, CoreError> {
        let (cache, file) = (self.cache.clone(), file.clone());
        tokio::task::spawn_blocking(move || file.save_shared(&cache))
            .await
            .unwrap_or_else(|stopped| {
                Err(CoreError::Cache {
                    detail: format!("the save stopped before it finished ({stopped})"),
                })
            })
    }

    /// Merges a cache written by MSAL Python, msal-node, MSAL .NET or another GraphDesk, recognising this app's entries
    /// under every alias of its cloud that the instance metadata known so far names (see [`Self::instance_metadata`]).
    pub fn import_cache(
        &self,
        json: &[u8],
    ) -> Result<crate::cache::interop::ImportSummary, CoreError> {
        let clouds = self.known_instance_metadata();
        self.write_cache(|cache| cache.import_with(json, &self.scope, &clouds))
    }

    /// The instance metadata known without a request: the configuration's, the discovered one, or the built-in groups.
    pub fn known_instance_metadata(&self) -> InstanceMetadata {
        self.config
            .instance_metadata
            .clone()
            .or_else(|| self.instance.get().cloned())
            .unwrap_or_default()
    }

    /// The instance metadata of this authority's cloud: supplied by the configuration (used as it is, as MSAL .NET
    /// does), built in for the clouds every MSAL knows, or discovered once from the authority's host
    /// (`/common/discovery/instance`) for any other Entra host. A host the service does not know (`invalid_instance`)
    /// is a cloud of its own; a failed request is not cached and leaves the built-in groups.
    pub async fn instance_metadata(&self) -> InstanceMetadata {
        let environment = &self.scope.environment;
        let entra = *self.config.authority.kind() == crate::authority::AuthorityKind::Entra;
        if self.config.instance_metadata.is_some()
            || !entra
            || InstanceMetadata::builtin().knows(environment)
        {
            return self.known_instance_metadata();
        }
        match self
            .instance
            .get_or_try_init(|| self.discover_instance())
            .await
        {
            Ok(metadata) => metadata.clone(),
            Err(error) => {
                tracing::debug!(%error, "instance discovery failed; using the built-in clouds");
                InstanceMetadata::builtin()
            }
        }
    }

    async fn discover_instance(&self) -> Result<InstanceMetadata, CoreError> {
        let authorize = format!("{}/oauth2/v2.0/authorize", self.config.authority.as_str());
        let url = url::Url::parse_with_params(
            &format!(
                "https://{}/common/discovery/instance",
                self.scope.environment
            ),
            [
                ("api-version", "1.1"),
                ("authorization_endpoint", authorize.as_str()),
            ],
        )
        .map_err(|e| CoreError::Protocol {
            detail: format!("no instance discovery URL for this authority ({e})"),
        })?;
        let response = self.http.send(HttpRequest::get(url)).await?;
        if response.status != 200 {
            return match protocol::error_code(&response).as_deref() {
                Some("invalid_instance") => Ok(InstanceMetadata::builtin()),
                _ => Err(protocol::oauth_error(&response)),
            };
        }
        InstanceMetadata::parse(&response.body).map_err(|detail| CoreError::Protocol { detail })
    }

    /// The cache in MSAL Python's or msal-node's conventions.
    pub fn export_cache(&self, dialect: crate::cache::interop::Dialect) -> Vec<u8> {
        self.read_cache(|cache| cache.export(&self.scope, dialect))
    }

    /// Where this app's tokens live in the cache.
    pub fn cache_scope(&self) -> CacheScope {
        self.scope.clone()
    }

    /// The discovery endpoints (fetched once).
    pub async fn endpoints(&self) -> Result<&Endpoints, CoreError> {
        self.authority.endpoints(self.http.as_ref()).await
    }

    /// The signed-in accounts of this authority's environment.
    pub fn accounts(&self) -> Vec<Account> {
        let scope = self.cache_scope();
        let mut accounts =
            self.read_cache(|cache| group_tenant_profiles(cache.accounts(&scope.environment)));
        accounts.sort_by(|a, b| a.username.cmp(&b.username).then(a.realm.cmp(&b.realm)));
        accounts
    }

    /// The account with this home account id or username (case-insensitive).
    pub fn account(&self, id_or_username: &str) -> Option<Account> {
        self.accounts().into_iter().find(|a| {
            a.home_account_id.eq_ignore_ascii_case(id_or_username)
                || a.username.eq_ignore_ascii_case(id_or_username)
        })
    }

    /// An unexpired access token of this app (its client id; any alias of its cloud) whose value satisfies `matches`.
    pub fn cached_access_token(&self, matches: impl Fn(&str) -> bool) -> Option<AccessToken> {
        let (scope, now) = (self.cache_scope(), self.clock.now());
        self.read_cache(|cache| {
            cache
                .document()
                .access_tokens
                .values()
                .find(|at| {
                    at.client_id.eq_ignore_ascii_case(&scope.client_id)
                        && at.expires_on.0 > now
                        && matches(&at.secret)
                })
                .map(|at| AccessToken::new(at.secret.clone()))
        })
    }

    /// The account with this home account id, by index (the silent path's lookup).
    fn cached_account(&self, home_account_id: &str) -> Option<Account> {
        self.read_cache(|cache| {
            account_with_profiles(cache.account_entries(&self.scope.environment, home_account_id))
        })
    }

    /// Files a token a platform broker (WAM) issued, as MSAL .NET files broker answers: the access token and the
    /// account under this app's environment and the account's realm, no refresh token (the OS keeps the broker's) and
    /// no ID token. Returns the result, its account as the cache now holds it.
    pub fn store_brokered(&self, result: TokenResult) -> TokenResult {
        let now = self.clock.now();
        let account = &result.account;
        let scope = CacheScope {
            realm: account.realm.clone(),
            ..self.cache_scope()
        };
        self.write_cache(|cache| {
            cache.save(
                &scope,
                &crate::cache::NewTokens {
                    home_account_id: &account.home_account_id,
                    access_token: result.access_token.secret(),
                    target: &result.scopes,
                    expires_on: result.expires_on,
                    extended_expires_on: None,
                    refresh_on: None,
                    refresh_token: None,
                    family_id: None,
                    id_token: None,
                    account: Some(crate::cache::NewAccount {
                        local_account_id: &account.local_account_id,
                        username: &account.username,
                        name: account.name.as_deref(),
                    }),
                    now,
                },
            );
        });
        let account = self
            .cached_account(&account.home_account_id)
            .unwrap_or_else(|| result.account.clone());
        TokenResult { account, ..result }
    }

    /// Signs an account out of this app: removes its access, refresh and ID tokens and the account. Others stay.
    pub fn remove_account(&self, home_account_id: &str) -> bool {
        let environment = self.cache_scope().environment;
        self.write_cache(|cache| cache.remove_account(&environment, home_account_id))
    }
}
