//! The token engine: silent-first acquisition over the MSAL-schema cache, and the flows that fill it. Clock, sleep and
//! HTTP are injected; the cache sits behind a lock held only for lookups and saves, never across a request.
//!
//! Silent acquisition follows MSAL's order: a cached access token with more than 5 minutes left (and its `refresh_on` not
//! passed) → the refresh token → a typed "UI required". Refreshes are single-flight per account: concurrent callers queue
//! on the account's lock and the ones behind the first find its fresh token in the cache.

pub mod flows;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::Serialize;

use crate::authority::{Endpoints, ResolvedAuthority};
pub use crate::cache::account::{Account, TenantProfile};
use crate::cache::account::{account_with_profiles, group_tenant_profiles, same_person};
use crate::cache::{CacheScope, NewAccount, NewTokens, TokenCache};
use crate::clock::{Clock, Sleeper};
use crate::cloud::InstanceMetadata;
use crate::config::ClientConfig;
use crate::error::{CoreError, UiRequired, UiRequiredReason};
use crate::http::{HttpClient, HttpRequest, HttpResponse};
use crate::id_token::{self, Expectations, IdTokenClaims};
use crate::protocol::{self, TokenResponse};
use crate::scopes::{Scopes, request_scope};
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

    /// Signs an account out of this app: removes its access, refresh and ID tokens and the account. Others stay.
    pub fn remove_account(&self, home_account_id: &str) -> bool {
        let environment = self.cache_scope().environment;
        self.write_cache(|cache| cache.remove_account(&environment, home_account_id))
    }

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

    /// The realm a token response is filed under: the authority's tenant when it names one; for `common`,
    /// `organizations` and `consumers` the tenant the token was issued in (the ID token's `tid`, else the home tenant
    /// of `client_info`), as MSAL .NET and msal-node write it.
    fn write_realm(&self, claims: Option<&IdTokenClaims>, home_account_id: &str) -> String {
        if !crate::cache::is_multi_tenant(&self.scope.realm) {
            return self.scope.realm.clone();
        }
        claims
            .and_then(|c| c.tid.clone())
            .filter(|tid| !tid.is_empty())
            .or_else(|| crate::cache::account::home_tenant(home_account_id).map(str::to_owned))
            .unwrap_or_else(|| self.scope.realm.clone())
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

    /// POSTs to the token endpoint with `client_id` and `client_info=1`; retries once on a transient failure and once
    /// after a short `Retry-After`.
    pub(crate) async fn token_request(
        &self,
        form: Vec<(&str, String)>,
    ) -> Result<TokenResponse, CoreError> {
        let endpoint = self.endpoints().await?.token_endpoint.clone();
        let mut fields: Vec<(String, String)> = vec![
            ("client_id".into(), self.config.client_id.clone()),
            ("client_info".into(), "1".into()),
        ];
        fields.extend(form.into_iter().map(|(k, v)| (k.to_owned(), v)));
        let request = HttpRequest::post_form(endpoint, fields);
        let response = match self.send_once(request.clone()).await {
            Err(CoreError::Throttled { retry_after }) if retry_after <= MAX_RETRY_AFTER_SECONDS => {
                self.sleeper.sleep(Duration::from_secs(retry_after)).await;
                self.send_once(request).await
            }
            Err(error) if error.is_transient() => self.send_once(request).await,
            other => other,
        }?;
        protocol::parse_token_response(&response)
    }

    /// One request; non-200 answers become typed errors (so retries can branch on them).
    pub(crate) async fn send_once(&self, request: HttpRequest) -> Result<HttpResponse, CoreError> {
        let request = request.header("client-request-id", new_correlation_id());
        let response = self.http.send(request).await?;
        if response.status == 200 {
            Ok(response)
        } else {
            Err(protocol::oauth_error(&response))
        }
    }

    /// Validates a token response and stores it; returns the access token. `nonce` is checked when the request sent
    /// one; `known` is the account a refresh was for (its identity must not change).
    pub(crate) fn save(
        &self,
        response: TokenResponse,
        requested: &[String],
        nonce: Option<&str>,
        source: TokenSource,
        known: Option<&Account>,
    ) -> Result<TokenResult, CoreError> {
        let now = self.clock.now();
        let claims = match &response.id_token {
            Some(token) => Some(self.check_id_token(token, nonce, now)?),
            None => None,
        };
        let home_account_id = match (&response.client_info, &claims, known) {
            (Some(info), _, _) => info.home_account_id(),
            (None, _, Some(account)) => account.home_account_id.clone(),
            (None, Some(claims), None) => claims.sub.clone(),
            (None, None, None) => {
                return Err(CoreError::Protocol {
                    detail: "the response names no account (no client_info and no id_token)".into(),
                });
            }
        };
        if let Some(account) = known
            && !account
                .home_account_id
                .eq_ignore_ascii_case(&home_account_id)
            && !claims.as_ref().is_some_and(|c| same_person(account, c))
        {
            // Never stored, never "another account" as a protocol error: the user signs in again (the seed's fallback).
            return Err(CoreError::ui_required(UiRequired::local(
                UiRequiredReason::AccountMismatch,
            )));
        }
        // An account first keyed by the ID token's `sub` (signed in without `client_info`, by an older GraphDesk or
        // another library) and now named by `client_info` is the same account: its entries move to `uid.utid`.
        if let Some(claims) = &claims {
            let old_keys = [
                known.map(|a| a.home_account_id.as_str()),
                Some(claims.sub.as_str()),
            ];
            let environment = self.scope.environment.clone();
            for old in old_keys.into_iter().flatten() {
                if !old.eq_ignore_ascii_case(&home_account_id) {
                    self.write_cache(|cache| {
                        cache.rekey_account(&environment, old, &home_account_id)
                    });
                }
            }
        }
        let target = response
            .scope
            .clone()
            .unwrap_or_else(|| requested.join(" "));
        let scope = CacheScope {
            realm: self.write_realm(claims.as_ref(), &home_account_id),
            ..self.cache_scope()
        };
        let account = self.account_of(&home_account_id, &scope.realm, claims.as_ref(), known);
        // Server-supplied numbers never overflow (issue 13: `expires_in: u64::MAX` panicked a debug build).
        let expires_on = now.saturating_add(response.expires_in);
        self.write_cache(|cache| {
            cache.save(
                &scope,
                &NewTokens {
                    home_account_id: &home_account_id,
                    access_token: response.access_token.secret(),
                    target: &target,
                    expires_on,
                    extended_expires_on: response.ext_expires_in.map(|e| now.saturating_add(e)),
                    refresh_on: response.refresh_in.map(|r| now.saturating_add(r)),
                    refresh_token: response.refresh_token.as_ref().map(|t| t.secret()),
                    family_id: response.foci.as_deref(),
                    id_token: response.id_token.as_ref().map(|t| t.secret()),
                    account: Some(NewAccount {
                        local_account_id: &account.local_account_id,
                        username: &account.username,
                        name: account.name.as_deref(),
                    }),
                    now,
                },
            );
        });
        tracing::debug!(source = ?source, scopes = %target, "token stored");
        // As the cache now holds it, with every tenant profile.
        let account = self.cached_account(&home_account_id).unwrap_or(account);
        Ok(TokenResult {
            access_token: response.access_token,
            expires_on,
            scopes: target,
            account,
            source,
        })
    }

    fn check_id_token(
        &self,
        token: &crate::secret::IdToken,
        nonce: Option<&str>,
        now: u64,
    ) -> Result<IdTokenClaims, CoreError> {
        let issuer = self
            .authority
            .endpoints_cached()
            .map(|e| e.issuer.clone())
            .unwrap_or_default();
        id_token::validate(
            token,
            &Expectations {
                client_id: &self.config.client_id,
                issuer: &issuer,
                nonce,
                now,
            },
        )
    }

    /// The account a response names, filed under `realm`.
    fn account_of(
        &self,
        home_account_id: &str,
        realm: &str,
        claims: Option<&IdTokenClaims>,
        known: Option<&Account>,
    ) -> Account {
        let pick = |from_claims: Option<String>, fallback: Option<&str>| {
            from_claims
                .or_else(|| fallback.map(str::to_owned))
                .unwrap_or_default()
        };
        Account {
            home_account_id: home_account_id.to_owned(),
            environment: self.scope.environment.clone(),
            realm: realm.to_owned(),
            tenant_profiles: known.map(|a| a.tenant_profiles.clone()).unwrap_or_default(),
            username: pick(
                claims.and_then(|c| c.preferred_username.clone()),
                known.map(|a| a.username.as_str()),
            ),
            name: claims
                .and_then(|c| c.name.clone())
                .or_else(|| known.and_then(|a| a.name.clone())),
            local_account_id: pick(
                claims.and_then(|c| c.oid.clone().or_else(|| Some(c.sub.clone()))),
                known.map(|a| a.local_account_id.as_str()),
            ),
        }
    }
}

/// A fresh `client-request-id` (the platform echoes it as `correlation_id`).
fn new_correlation_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
