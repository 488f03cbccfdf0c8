//! Import and export of caches written by MSAL Python, msal-node, MSAL .NET and other GraphDesks. They share the
//! unified schema with differences this module absorbs (measured on MSAL Python 1.39 and msal-node 7.2 against the
//! emulated tenant, and read from each library's code; `MSAL-SEMANTICS.md`):
//!
//! | | MSAL Python | msal-node | MSAL .NET | GraphDesk |
//! |---|---|---|---|---|
//! | `environment` | host, port dropped | host:port | preferred cache host | authority host:port |
//! | `realm` via `common`/`organizations` | the literal segment | `tid` | `tid` | `tid` (.NET, node) |
//! | credential key | 6 parts | 7 parts (+ claims hash, scheme) | 6 parts | 6 parts |
//! | refresh token | `target` filled | no `target` | no `target` | no `target`, family ones by family id |
//!
//! Import keeps the world's shape: realms and tenant profiles stay as the writer wrote them (a guest tenant's tokens
//! stay the guest tenant's), every refresh token stays (family ones too), PoP and SSH-cert tokens stay under keys of
//! their own. Only this app's entries move to GraphDesk's environment spelling (an alias or a dropped port names the
//! same authority), re-keyed so the indexed lookups find them; everything else — other apps, other clouds, unknown
//! sections and fields, entries that do not fit the schema — is kept verbatim. Export writes this app's entries in the
//! chosen library's conventions and everything else as it is.

use std::collections::BTreeSet;

use serde::Serialize;

use super::schema::{
    AccessTokenEntry, CacheDocument, EntryWarning, account_key, app_metadata_key, credential_key,
};
use super::{CacheScope, TokenCache, is_bearer, is_family, is_multi_tenant};
use crate::cache::schema::RefreshTokenEntry;
use crate::cloud::InstanceMetadata;
use crate::error::CoreError;

/// Whose conventions an export follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub enum Dialect {
    MsalPython,
    MsalNode,
}

/// What an import brought in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ImportSummary {
    pub accounts: usize,
    pub access_tokens: usize,
    pub refresh_tokens: usize,
    /// Entries for other apps or clouds, and tokens of another scheme than Bearer, kept as they were.
    pub kept_foreign: usize,
    /// Entries that do not fit the schema: kept verbatim, written back, never used.
    pub warnings: Vec<EntryWarning>,
}

/// The key GraphDesk files an access token under: MSAL's six parts for a Bearer token; a token of another scheme (PoP,
/// SSH-cert) gets msal-node's `accesstoken_with_authscheme` descriptor and its scheme appended, so it never takes a
/// Bearer token's place.
pub(super) fn access_token_key(at: &AccessTokenEntry) -> String {
    if is_bearer(at) {
        return credential_key(
            &at.home_account_id,
            &at.environment,
            "AccessToken",
            &at.client_id,
            &at.realm,
            &at.target,
        );
    }
    let scheme = at
        .token_type
        .as_deref()
        .or_else(|| {
            at.other
                .get("tokenType")
                .and_then(serde_json::Value::as_str)
        })
        .unwrap_or("unknown");
    let key_id = at
        .other
        .get("keyId")
        .or_else(|| at.other.get("key_id"))
        .or_else(|| at.other.get("kid"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    format!(
        "{}-{}-{}",
        credential_key(
            &at.home_account_id,
            &at.environment,
            "AccessToken_With_AuthScheme",
            &at.client_id,
            &at.realm,
            &at.target,
        ),
        key_id,
        scheme
    )
    .to_lowercase()
}

/// Whose a refresh token is: its family's when it has one, else its app's.
fn rt_owner(rt: &RefreshTokenEntry) -> &str {
    rt.family_id
        .as_deref()
        .filter(|f| !f.is_empty())
        .unwrap_or(&rt.client_id)
}

/// The key of a refresh token: its owner is its family when it has one (MSAL .NET, msal-node), else its app; a target
/// MSAL Python wrote stays part of it, so that library's one-token-per-scope-set entries all survive.
pub(super) fn refresh_token_key(rt: &RefreshTokenEntry) -> String {
    credential_key(
        &rt.home_account_id,
        &rt.environment,
        "RefreshToken",
        rt_owner(rt),
        "",
        rt.target.as_deref().unwrap_or_default(),
    )
}

impl TokenCache {
    /// Merges a cache written by MSAL Python, msal-node, MSAL .NET or GraphDesk. Imported entries win over existing
    /// ones with the same key; an imported refresh token replaces this app's one of the same kind for that account.
    pub fn import(&mut self, json: &[u8], scope: &CacheScope) -> Result<ImportSummary, CoreError> {
        self.import_with(json, scope, &InstanceMetadata::builtin())
    }

    /// [`Self::import`], with `clouds` saying which environments are aliases of this app's (supplied or discovered
    /// instance metadata on top of the built-in groups).
    pub fn import_with(
        &mut self,
        json: &[u8],
        scope: &CacheScope,
        clouds: &InstanceMetadata,
    ) -> Result<ImportSummary, CoreError> {
        let foreign: CacheDocument =
            super::schema::parse_document(json).map_err(|e| CoreError::Cache {
                detail: format!("not an MSAL token cache ({e})"),
            })?;
        let mut summary = ImportSummary {
            warnings: foreign.warnings.clone(),
            ..ImportSummary::default()
        };
        let ours = |env: &str, client: Option<&str>| {
            clouds.same_environment(env, &scope.environment)
                && client.is_none_or(|c| c.eq_ignore_ascii_case(&scope.client_id))
        };
        let env = scope.environment.clone();
        for (key, mut at) in foreign.access_tokens {
            // Other apps' and clouds' tokens, and tokens of another scheme (PoP, SSH-cert: never an answer to GraphDesk's
            // Bearer requests), stay exactly as written: key, environment and all.
            if !ours(&at.environment, Some(&at.client_id)) || !is_bearer(&at) {
                summary.kept_foreign += 1;
                self.doc.access_tokens.insert(key, at);
                continue;
            }
            at.environment = env.clone();
            self.doc.access_tokens.insert(access_token_key(&at), at);
            summary.access_tokens += 1;
        }
        // One refresh token per account, app and kind (own or family) is what this app uses; the imported ones replace
        // those, and all the imported ones stay.
        let mut replaced = BTreeSet::new();
        for (key, mut rt) in foreign.refresh_tokens {
            if !ours(&rt.environment, Some(&rt.client_id)) {
                summary.kept_foreign += 1;
                self.doc.refresh_tokens.insert(key, rt);
                continue;
            }
            rt.environment = env.clone();
            let kind = (
                rt.home_account_id.to_ascii_lowercase(),
                rt.client_id.to_ascii_lowercase(),
                is_family(&rt),
            );
            if replaced.insert(kind.clone()) {
                self.doc.refresh_tokens.retain(|_, e| {
                    !(e.home_account_id.eq_ignore_ascii_case(&kind.0)
                        && e.client_id.eq_ignore_ascii_case(&kind.1)
                        && is_family(e) == kind.2
                        && e.environment.eq_ignore_ascii_case(&env))
                });
            }
            self.doc.refresh_tokens.insert(refresh_token_key(&rt), rt);
            summary.refresh_tokens += 1;
        }
        for (key, mut id) in foreign.id_tokens {
            if !ours(&id.environment, Some(&id.client_id)) {
                self.doc.id_tokens.insert(key, id);
                continue;
            }
            id.environment = env.clone();
            let key = credential_key(
                &id.home_account_id,
                &env,
                "IdToken",
                &id.client_id,
                &id.realm,
                "",
            );
            self.doc.id_tokens.insert(key, id);
        }
        let mut homes = BTreeSet::new();
        for (key, mut account) in foreign.accounts {
            if !ours(&account.environment, None) {
                self.doc.accounts.insert(key, account);
                continue;
            }
            account.environment = env.clone();
            let key = account_key(&account.home_account_id, &env, &account.realm);
            let home = account.home_account_id.to_ascii_lowercase();
            let known = self
                .doc
                .accounts
                .values()
                .any(|a| a.home_account_id.eq_ignore_ascii_case(&home) && a.environment == env);
            if !known && homes.insert(home) {
                summary.accounts += 1;
            }
            self.doc.accounts.insert(key, account);
        }
        for (key, mut metadata) in foreign.app_metadata {
            if ours(&metadata.environment, Some(&metadata.client_id)) {
                metadata.environment = env.clone();
                self.doc
                    .app_metadata
                    .insert(app_metadata_key(&env, &metadata.client_id), metadata);
            } else {
                self.doc.app_metadata.insert(key, metadata);
            }
        }
        for (section, entries) in foreign.unparsed {
            self.doc
                .unparsed
                .entry(section)
                .or_default()
                .extend(entries);
        }
        self.doc.other.extend(foreign.other);
        self.reindex();
        // What was imported must survive a save over another process's file: everything counts as changed.
        self.touch_everything();
        Ok(summary)
    }

    /// This cache in `dialect`'s conventions, for MSAL Python or msal-node to read.
    pub fn export(&self, scope: &CacheScope, dialect: Dialect) -> Vec<u8> {
        let mut doc = self.doc.clone();
        let env = match dialect {
            Dialect::MsalPython => scope
                .environment
                .split(':')
                .next()
                .unwrap_or(&scope.environment)
                .to_owned(),
            Dialect::MsalNode => scope.environment.clone(),
        };
        // GraphDesk, msal-node and MSAL .NET file a multi-tenant authority's tokens under the tenant id; MSAL Python
        // under the authority's literal segment (and looks them up so). A guest tenant's realm is a tenant id in every
        // library and stays.
        let utid = |home: &str| crate::cache::account::home_tenant(home).map(str::to_owned);
        let realm_of = |home: &str, realm: &str| match dialect {
            Dialect::MsalPython
                if is_multi_tenant(&scope.realm)
                    && utid(home).is_some_and(|t| t.eq_ignore_ascii_case(realm)) =>
            {
                scope.realm.clone()
            }
            Dialect::MsalNode if is_multi_tenant(realm) => {
                utid(home).unwrap_or_else(|| realm.to_owned())
            }
            _ => realm.to_owned(),
        };
        let key = |parts: [&str; 6]| match dialect {
            Dialect::MsalPython => {
                credential_key(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])
            }
            Dialect::MsalNode => format!(
                "{}-",
                credential_key(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])
            ),
        };
        let is_ours = |e: &str, c: &str| {
            e.eq_ignore_ascii_case(&scope.environment) && c.eq_ignore_ascii_case(&scope.client_id)
        };
        doc.access_tokens = std::mem::take(&mut doc.access_tokens)
            .into_iter()
            .map(|(k, mut at)| {
                // PoP and SSH-cert tokens go out exactly as they came in.
                if !is_ours(&at.environment, &at.client_id) || !is_bearer(&at) {
                    return (k, at);
                }
                (at.environment, at.realm) =
                    (env.clone(), realm_of(&at.home_account_id, &at.realm));
                (
                    key([
                        &at.home_account_id,
                        &env,
                        "AccessToken",
                        &at.client_id,
                        &at.realm,
                        &at.target,
                    ]),
                    at,
                )
            })
            .collect();
        doc.refresh_tokens = std::mem::take(&mut doc.refresh_tokens)
            .into_iter()
            .map(|(k, mut rt)| {
                if !is_ours(&rt.environment, &rt.client_id) {
                    return (k, rt);
                }
                rt.environment = env.clone();
                (
                    key([
                        &rt.home_account_id,
                        &env,
                        "RefreshToken",
                        rt_owner(&rt),
                        "",
                        "",
                    ]),
                    rt,
                )
            })
            .collect();
        doc.id_tokens = std::mem::take(&mut doc.id_tokens)
            .into_iter()
            .map(|(k, mut id)| {
                if !is_ours(&id.environment, &id.client_id) {
                    return (k, id);
                }
                (id.environment, id.realm) =
                    (env.clone(), realm_of(&id.home_account_id, &id.realm));
                (
                    key([
                        &id.home_account_id,
                        &env,
                        "IdToken",
                        &id.client_id,
                        &id.realm,
                        "",
                    ]),
                    id,
                )
            })
            .collect();
        doc.accounts = std::mem::take(&mut doc.accounts)
            .into_iter()
            .map(|(k, mut account)| {
                if !account.environment.eq_ignore_ascii_case(&scope.environment) {
                    return (k, account);
                }
                (account.environment, account.realm) = (
                    env.clone(),
                    realm_of(&account.home_account_id, &account.realm),
                );
                (
                    account_key(&account.home_account_id, &env, &account.realm),
                    account,
                )
            })
            .collect();
        doc.app_metadata = std::mem::take(&mut doc.app_metadata)
            .into_iter()
            .map(|(k, mut metadata)| {
                if !is_ours(&metadata.environment, &metadata.client_id) {
                    return (k, metadata);
                }
                metadata.environment = env.clone();
                (app_metadata_key(&env, &metadata.client_id), metadata)
            })
            .collect();
        serde_json::to_vec(&doc).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scopes::Scopes;

    const HOME: &str = "oid-1.tid-1";

    fn scope() -> CacheScope {
        CacheScope {
            environment: "127.0.0.1:8443".into(),
            realm: "organizations".into(),
            client_id: "client-1".into(),
        }
    }

    fn entry(
        env: &str,
        kind: &str,
        realm: Option<&str>,
        target: Option<&str>,
    ) -> serde_json::Value {
        let mut e = serde_json::json!({
            "home_account_id": HOME, "environment": env, "credential_type": kind, "client_id": "client-1", "secret": kind,
            "cached_at": "1", "expires_on": "4102444800",
        });
        if let Some(realm) = realm {
            e["realm"] = realm.into();
        }
        if let Some(target) = target {
            e["target"] = target.into();
        }
        e
    }

    /// The shapes MSAL Python 1.39 and msal-node 7.2 wrote against the emulated tenant.
    fn written_by(dialect: Dialect) -> Vec<u8> {
        let (env, realm, rt_target) = match dialect {
            Dialect::MsalPython => (
                "127.0.0.1",
                "organizations",
                Some("User.Read openid profile"),
            ),
            Dialect::MsalNode => ("127.0.0.1:8443", "tid-1", None),
        };
        serde_json::json!({
            "AccessToken": {"k1": entry(env, "AccessToken", Some(realm), Some("User.Read openid profile"))},
            "RefreshToken": {"k2": entry(env, "RefreshToken", None, rt_target)},
            "IdToken": {"k3": entry(env, "IdToken", Some(realm), None)},
            "Account": {"k4": {"home_account_id": HOME, "environment": env, "realm": realm, "local_account_id": "oid-1",
                "username": "u@example", "authority_type": "MSSTS", "client_info": "kept"}},
            "AppMetadata": {"k5": {"client_id": "client-1", "environment": env}},
            "Unknown": {"x": 1}
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn imported_entries_are_found_by_the_indexed_lookups() {
        for dialect in [Dialect::MsalPython, Dialect::MsalNode] {
            let mut cache = TokenCache::new();
            let summary = cache
                .import(&written_by(dialect), &scope())
                .expect("imported");
            assert_eq!(
                (
                    summary.accounts,
                    summary.access_tokens,
                    summary.refresh_tokens
                ),
                (1, 1, 1),
                "{dialect:?}"
            );
            // Realms stay as the writer wrote them: MSAL Python's literal segment, msal-node's tenant id.
            let realm = match dialect {
                Dialect::MsalPython => "organizations",
                Dialect::MsalNode => "tid-1",
            };
            assert_eq!(
                cache
                    .access_token_in(&scope(), realm, HOME, &Scopes::parse("User.Read"))
                    .expect("AT hit")
                    .secret,
                "AccessToken"
            );
            assert_eq!(
                cache.refresh_token(&scope(), HOME).expect("RT").secret,
                "RefreshToken"
            );
            assert_eq!(
                cache
                    .account("127.0.0.1:8443", HOME)
                    .expect("account")
                    .other["client_info"],
                "kept"
            );
            assert!(cache.document().other.contains_key("Unknown"));
            assert!(cache.has_changed());

            // Saved over a file another process wrote meanwhile, everything imported is kept, and so is theirs.
            let theirs = super::super::schema::parse_document(serde_json::json!({
                "AccessToken": {"theirs": entry("login.example", "AccessToken", Some("t"), Some("Mail.Read"))},
                "Elsewhere": {"y": 2}
            })
            .to_string()
            .as_bytes())
            .expect("their document");
            let merged = cache.merged_onto(theirs);
            assert_eq!(merged.access_tokens.len(), 2, "{dialect:?}");
            assert_eq!(
                (
                    merged.refresh_tokens.len(),
                    merged.id_tokens.len(),
                    merged.accounts.len()
                ),
                (1, 1, 1)
            );
            assert!(merged.other.contains_key("Unknown") && merged.other.contains_key("Elsewhere"));
        }
    }

    #[test]
    fn exports_follow_each_library() {
        let mut cache = TokenCache::new();
        cache
            .import(&written_by(Dialect::MsalNode), &scope())
            .expect("imported");
        let python: serde_json::Value =
            serde_json::from_slice(&cache.export(&scope(), Dialect::MsalPython)).expect("json");
        let (key, at) = python["AccessToken"]
            .as_object()
            .and_then(|m| m.iter().next())
            .expect("AT");
        assert_eq!(
            (at["environment"].as_str(), at["realm"].as_str()),
            (Some("127.0.0.1"), Some("organizations"))
        );
        assert_eq!(
            key,
            &format!(
                "{HOME}-127.0.0.1-accesstoken-client-1-organizations-user.read openid profile"
            )
        );
        let node: serde_json::Value =
            serde_json::from_slice(&cache.export(&scope(), Dialect::MsalNode)).expect("json");
        let (key, at) = node["AccessToken"]
            .as_object()
            .and_then(|m| m.iter().next())
            .expect("AT");
        assert_eq!(
            (at["environment"].as_str(), at["realm"].as_str()),
            (Some("127.0.0.1:8443"), Some("tid-1"))
        );
        assert!(key.ends_with("-tid-1-user.read openid profile-"), "{key}");
        let rt_key = node["RefreshToken"]
            .as_object()
            .and_then(|m| m.keys().next())
            .expect("RT");
        assert!(rt_key.ends_with("-refreshtoken-client-1---"), "{rt_key}");
        assert!(TokenCache::new().import(b"{not json", &scope()).is_err());
    }

    /// The shapes issue 13 lists, in one file as MSAL libraries write them: a BOM, MSAL Python's `local_account_id: null`
    /// and an entry without schema fields, MSAL .NET's ADFS entry (no realm, a negative `extended_expires_on`), msal-node's
    /// PoP token beside the Bearer one with the same scopes, and a family refresh token beside the app's own.
    #[test]
    fn an_odd_but_valid_cache_imports_entry_by_entry_and_exports_whole() {
        let env = "login.microsoftonline.com";
        let doc = serde_json::json!({
            "AccessToken": {
                "bearer": {"home_account_id": HOME, "environment": env, "credential_type": "AccessToken",
                    "client_id": "client-1", "secret": "BEARER", "realm": "tid-1", "target": "s1 s2",
                    "cached_at": "1", "expires_on": "4102444800"},
                "pop": {"home_account_id": HOME, "environment": env, "credential_type": "AccessToken_With_AuthScheme",
                    "client_id": "client-1", "secret": "POP", "realm": "tid-1", "target": "s1 s2",
                    "cached_at": "1", "expires_on": "4102444900", "tokenType": "pop", "keyId": "k"},
                "dotnet-pop": {"home_account_id": HOME, "environment": env, "credential_type": "AccessToken",
                    "client_id": "client-1", "secret": "POP2", "realm": "tid-1", "target": "s1 s2",
                    "cached_at": "1", "expires_on": "4102445000", "token_type": "pop", "kid": "k2"},
                "adfs": {"home_account_id": "sub-x", "environment": "fs.example", "credential_type": "AccessToken",
                    "client_id": "client-1", "secret": "ADFS", "target": "openid", "cached_at": "1",
                    "expires_on": "2", "extended_expires_on": "-62135596800"},
                "an-entry": {"foo": "bar"}
            },
            "RefreshToken": {
                "own": {"home_account_id": HOME, "environment": env, "credential_type": "RefreshToken",
                    "client_id": "client-1", "secret": "RT-OWN"},
                "family": {"home_account_id": HOME, "environment": env, "credential_type": "RefreshToken",
                    "client_id": "client-1", "secret": "RT-FAMILY", "family_id": "1"}
            },
            "Account": {"a": {"home_account_id": HOME, "environment": env, "realm": "tid-1",
                "local_account_id": null, "username": "u@example", "authority_type": "MSSTS"}},
            "customized": "whatever"
        });
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend(doc.to_string().into_bytes());
        let scope = CacheScope {
            environment: env.into(),
            realm: "organizations".into(),
            client_id: "client-1".into(),
        };
        let mut cache = TokenCache::new();
        let summary = cache
            .import(&bytes, &scope)
            .expect("one odd entry never refuses the file");
        assert_eq!(summary.warnings.len(), 1, "{:?}", summary.warnings);
        assert_eq!(summary.warnings[0].section, "AccessToken");
        assert_eq!(
            cache
                .access_token_in(&scope, "tid-1", HOME, &Scopes::parse("s1"))
                .expect("a Bearer token")
                .secret,
            "BEARER",
            "a PoP token is never the answer to a Bearer lookup, however late it expires"
        );
        assert_eq!(
            cache.document().refresh_tokens.len(),
            2,
            "the family refresh token stays"
        );
        assert_eq!(
            cache.refresh_token(&scope, HOME).expect("RT").secret,
            "RT-OWN"
        );

        for dialect in [Dialect::MsalPython, Dialect::MsalNode] {
            let out: serde_json::Value =
                serde_json::from_slice(&cache.export(&scope, dialect)).expect("json");
            let secrets: Vec<&str> = ["AccessToken", "RefreshToken"]
                .iter()
                .flat_map(|s| out[s].as_object().into_iter().flat_map(|m| m.values()))
                .filter_map(|e| e["secret"].as_str())
                .collect();
            for secret in ["BEARER", "POP", "POP2", "ADFS", "RT-OWN", "RT-FAMILY"] {
                assert!(secrets.contains(&secret), "{dialect:?}: {secret} exported");
            }
            assert_eq!(
                out["AccessToken"]["an-entry"],
                serde_json::json!({"foo": "bar"})
            );
            assert_eq!(out["customized"], "whatever");
            let adfs = out["AccessToken"]
                .as_object()
                .and_then(|m| m.values().find(|e| e["secret"] == "ADFS"))
                .expect("adfs");
            assert_eq!(adfs["extended_expires_on"], "-62135596800");
            assert!(adfs.get("realm").is_none(), "no realm stays no realm");
        }
    }

    #[test]
    fn environments_match_across_ports_and_aliases() {
        assert!(InstanceMetadata::builtin().same_environment("127.0.0.1", "127.0.0.1:8443"));
        assert!(InstanceMetadata::builtin().same_environment("127.0.0.1:8443", "127.0.0.1:8443"));
        assert!(!InstanceMetadata::builtin().same_environment("127.0.0.1:9443", "127.0.0.1:8443"));
        assert!(
            InstanceMetadata::builtin()
                .same_environment("login.windows.net", "login.microsoftonline.com")
        );
        assert!(
            !InstanceMetadata::builtin()
                .same_environment("login.microsoftonline.us", "login.microsoftonline.com")
        );
    }
}
