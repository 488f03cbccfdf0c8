//! Redeeming at the token endpoint, for every grant: one request path (`client_info=1`, a `client-request-id`, one retry
//! of a transient failure, `Retry-After` within bounds), then the answer checked (ID token, account) and filed in the
//! cache under the realm MSAL .NET and msal-node would use.

use std::time::Duration;

use super::{MAX_RETRY_AFTER_SECONDS, TokenEngine, TokenResult, TokenSource};
use crate::cache::account::{Account, same_person};
use crate::cache::{CacheScope, NewAccount, NewTokens};
use crate::error::{CoreError, UiRequired, UiRequiredReason};
use crate::http::{HttpRequest, HttpResponse};
use crate::id_token::{self, Expectations, IdTokenClaims};
use crate::protocol::{self, TokenResponse};

impl TokenEngine {
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
