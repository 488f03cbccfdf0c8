//! The token cache in memory: an MSAL unified-schema document plus indexes, so a silent lookup costs the same with one
//! account or ten thousand — a hash lookup by account, then a scan of that account's few access tokens for one whose
//! scopes are a superset of the request.

pub mod account;
mod accounts;
mod changes;
pub mod interop;
pub mod persist;
pub mod schema;

pub use changes::Changes;
use changes::Touched;

use std::collections::{BTreeMap, HashMap};

use schema::{
    AccessTokenEntry, AccountEntry, AppMetadataEntry, CacheDocument, Epoch, IdTokenEntry,
    RefreshTokenEntry, account_key, app_metadata_key, credential_key,
};

use crate::error::CoreError;
use crate::scopes::Scopes;

/// Where tokens of one app live: the parts of MSAL's keys every lookup shares.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheScope {
    /// The authority host (`login.microsoftonline.com`), MSAL's `environment`.
    pub environment: String,
    /// The tenant segment of the token endpoint, MSAL's `realm`.
    pub realm: String,
    pub client_id: String,
}

/// An index key: the parts lower-cased and joined by a byte no part holds, built in one allocation (the silent
/// path builds one per lookup).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct IndexKey(String);

impl IndexKey {
    fn new(parts: &[&str]) -> Self {
        let mut key = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                key.push('\u{1f}');
            }
            key.push_str(part);
        }
        key.make_ascii_lowercase();
        Self(key)
    }
}

/// The lookup key of an account's access tokens: home account id, environment, client id, realm.
fn account_tokens(home: &str, environment: &str, client_id: &str, realm: &str) -> IndexKey {
    IndexKey::new(&[home, environment, client_id, realm])
}

/// Everything a token response adds to the cache.
#[derive(Debug, Clone)]
pub struct NewTokens<'a> {
    pub home_account_id: &'a str,
    pub access_token: &'a str,
    /// Granted scopes (the response's `scope`, or the requested ones when it has none).
    pub target: &'a str,
    pub expires_on: u64,
    pub extended_expires_on: Option<u64>,
    pub refresh_on: Option<u64>,
    pub refresh_token: Option<&'a str>,
    pub family_id: Option<&'a str>,
    pub id_token: Option<&'a str>,
    pub account: Option<NewAccount<'a>>,
    pub now: u64,
}

/// The account a response signed in.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub local_account_id: &'a str,
    pub username: &'a str,
    pub name: Option<&'a str>,
}

/// The cache.
#[derive(Debug, Default)]
pub struct TokenCache {
    doc: CacheDocument,
    /// Access token keys by account, with their parsed scopes.
    access_tokens: HashMap<IndexKey, Vec<(String, Scopes)>>,
    /// Refresh token keys by (home account id, environment, client id): the app's own and the family ones it holds.
    refresh_tokens: HashMap<IndexKey, Vec<String>>,
    /// Account keys by (home account id, environment).
    accounts: HashMap<IndexKey, Vec<String>>,
    /// What changed since the document was loaded or last marked saved: what a save lays over another process's file.
    touched: Touched,
}

impl TokenCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// A cache over a parsed document.
    pub fn from_document(doc: CacheDocument) -> Self {
        let mut cache = Self {
            doc,
            ..Self::default()
        };
        cache.reindex();
        cache
    }

    /// Parses a JSON cache (any MSAL library's).
    pub fn from_json(bytes: &[u8]) -> Result<Self, CoreError> {
        let doc = schema::parse_document(bytes).map_err(|e| CoreError::Cache {
            detail: format!("the cache is not an MSAL token cache ({e})"),
        })?;
        Ok(Self::from_document(doc))
    }

    /// The JSON document.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(&self.doc).unwrap_or_default()
    }

    /// The document.
    pub fn document(&self) -> &CacheDocument {
        &self.doc
    }

    fn reindex(&mut self) {
        self.access_tokens.clear();
        self.refresh_tokens.clear();
        // Only Bearer tokens answer a lookup: a PoP or SSH-cert token with the same scopes is kept, never served (issue 13;
        // msal-node and MSAL .NET filter by token type, MSAL Python does not — GraphDesk follows .NET and node).
        for (key, at) in self
            .doc
            .access_tokens
            .iter()
            .filter(|(_, at)| is_bearer(at))
        {
            let account = account_tokens(
                &at.home_account_id,
                &at.environment,
                &at.client_id,
                &at.realm,
            );
            self.access_tokens
                .entry(account)
                .or_default()
                .push((key.clone(), Scopes::parse(&at.target)));
        }
        for (key, rt) in &self.doc.refresh_tokens {
            self.refresh_tokens
                .entry(rt_index(
                    &rt.home_account_id,
                    &rt.environment,
                    &rt.client_id,
                ))
                .or_default()
                .push(key.clone());
        }
        self.accounts.clear();
        for (key, account) in &self.doc.accounts {
            self.accounts
                .entry(account_index(
                    &account.home_account_id,
                    &account.environment,
                ))
                .or_default()
                .push(key.clone());
        }
    }

    /// The account `home_account_id` in `environment` (any realm; the first one when it has several tenant profiles).
    pub fn account(&self, environment: &str, home_account_id: &str) -> Option<&AccountEntry> {
        self.accounts
            .get(&account_index(home_account_id, environment))?
            .iter()
            .find_map(|key| self.doc.accounts.get(key))
    }

    /// Every tenant profile of `home_account_id` in `environment` (one entry per realm it signed in to).
    pub fn account_entries(&self, environment: &str, home_account_id: &str) -> Vec<&AccountEntry> {
        self.accounts
            .get(&account_index(home_account_id, environment))
            .map(|keys| {
                keys.iter()
                    .filter_map(|key| self.doc.accounts.get(key))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The access token of `home_account_id` whose scopes cover `scopes`, the one expiring last, in `scope`'s realm.
    pub fn access_token(
        &self,
        scope: &CacheScope,
        home_account_id: &str,
        scopes: &Scopes,
    ) -> Option<&AccessTokenEntry> {
        self.access_token_in(scope, &scope.realm, home_account_id, scopes)
    }

    /// The Bearer access token of `home_account_id` in `realm` whose scopes cover `scopes`, the one expiring last.
    pub fn access_token_in(
        &self,
        scope: &CacheScope,
        realm: &str,
        home_account_id: &str,
        scopes: &Scopes,
    ) -> Option<&AccessTokenEntry> {
        let account = account_tokens(home_account_id, &scope.environment, &scope.client_id, realm);
        self.access_tokens
            .get(&account)?
            .iter()
            .filter(|(_, granted)| scopes.is_subset_of(granted))
            .filter_map(|(key, _)| self.doc.access_tokens.get(key))
            .max_by_key(|at| at.expires_on)
    }

    /// The account's refresh token for this app (any realm, any scopes): its own, else a family (FOCI) one this app
    /// holds.
    pub fn refresh_token(
        &self,
        scope: &CacheScope,
        home_account_id: &str,
    ) -> Option<&RefreshTokenEntry> {
        let keys = self.refresh_tokens.get(&rt_index(
            home_account_id,
            &scope.environment,
            &scope.client_id,
        ))?;
        let entries = || {
            keys.iter()
                .filter_map(|key| self.doc.refresh_tokens.get(key))
        };
        entries()
            .find(|rt| !is_family(rt))
            .or_else(|| entries().next())
    }

    /// Every account in this environment.
    pub fn accounts(&self, environment: &str) -> Vec<&AccountEntry> {
        self.doc
            .accounts
            .values()
            .filter(|a| a.environment.eq_ignore_ascii_case(environment))
            .collect()
    }

    /// The ID token of an account for this app and realm.
    pub fn id_token(&self, scope: &CacheScope, home_account_id: &str) -> Option<&IdTokenEntry> {
        let key = credential_key(
            home_account_id,
            &scope.environment,
            "IdToken",
            &scope.client_id,
            &scope.realm,
            "",
        );
        self.doc.id_tokens.get(&key)
    }

    /// Stores a token response: replaces the account's access tokens whose scopes overlap the new ones, the refresh
    /// token (rotation), the ID token and the account.
    pub fn save(&mut self, scope: &CacheScope, tokens: &NewTokens<'_>) {
        let home = tokens.home_account_id;
        let granted = Scopes::parse(tokens.target);
        let account = account_tokens(home, &scope.environment, &scope.client_id, &scope.realm);
        let slot = self.access_tokens.entry(account).or_default();
        let doc_ats = &mut self.doc.access_tokens;
        let touched = &mut self.touched;
        slot.retain(|(key, target)| {
            let overlaps = target.iter().any(|s| granted.iter().any(|g| g == s));
            if overlaps {
                doc_ats.remove(key);
                touched.access_tokens.insert(key.clone());
            }
            !overlaps
        });
        let key = credential_key(
            home,
            &scope.environment,
            "AccessToken",
            &scope.client_id,
            &scope.realm,
            tokens.target,
        );
        doc_ats.insert(
            key.clone(),
            AccessTokenEntry {
                home_account_id: home.to_owned(),
                environment: scope.environment.clone(),
                credential_type: "AccessToken".into(),
                client_id: scope.client_id.clone(),
                secret: tokens.access_token.to_owned(),
                realm: scope.realm.clone(),
                target: tokens.target.to_owned(),
                cached_at: Epoch(tokens.now),
                expires_on: Epoch(tokens.expires_on),
                refresh_on: tokens.refresh_on.map(Epoch),
                token_type: Some("Bearer".into()),
                other: tokens
                    .extended_expires_on
                    .map(|at| {
                        BTreeMap::from([(
                            "extended_expires_on".to_owned(),
                            serde_json::Value::String(at.to_string()),
                        )])
                    })
                    .unwrap_or_default(),
            },
        );
        touched.access_tokens.insert(key.clone());
        slot.push((key, granted));

        if let Some(secret) = tokens.refresh_token {
            // Rotation: the new refresh token replaces the app's previous one of the same kind. With `foci` it is
            // saved only as the family's (MSAL .NET), so the app's own one it supersedes goes too.
            let family = tokens.family_id.filter(|f| !f.is_empty());
            let index = rt_index(home, &scope.environment, &scope.client_id);
            let keys = self.refresh_tokens.remove(&index).unwrap_or_default();
            let (doc_rts, touched) = (&mut self.doc.refresh_tokens, &mut self.touched);
            let kept: Vec<String> = keys
                .into_iter()
                .filter(|key| {
                    let superseded = doc_rts
                        .get(key)
                        .is_none_or(|rt| family.is_some() || !is_family(rt));
                    if superseded {
                        doc_rts.remove(key);
                        touched.refresh_tokens.insert(key.clone());
                    }
                    !superseded
                })
                .collect();
            let key = credential_key(
                home,
                &scope.environment,
                "RefreshToken",
                family.unwrap_or(&scope.client_id),
                "",
                "",
            );
            doc_rts.insert(
                key.clone(),
                RefreshTokenEntry {
                    home_account_id: home.to_owned(),
                    environment: scope.environment.clone(),
                    credential_type: "RefreshToken".into(),
                    client_id: scope.client_id.clone(),
                    secret: secret.to_owned(),
                    target: None,
                    realm: None,
                    family_id: family.map(str::to_owned),
                    other: Default::default(),
                },
            );
            touched.refresh_tokens.insert(key.clone());
            let mut keys = kept;
            keys.retain(|k| k != &key);
            keys.push(key);
            self.refresh_tokens.insert(index, keys);
        }
        if let Some(secret) = tokens.id_token {
            let key = credential_key(
                home,
                &scope.environment,
                "IdToken",
                &scope.client_id,
                &scope.realm,
                "",
            );
            self.touched.id_tokens.insert(key.clone());
            self.doc.id_tokens.insert(
                key,
                IdTokenEntry {
                    home_account_id: home.to_owned(),
                    environment: scope.environment.clone(),
                    credential_type: "IdToken".into(),
                    client_id: scope.client_id.clone(),
                    secret: secret.to_owned(),
                    realm: scope.realm.clone(),
                    other: Default::default(),
                },
            );
        }
        if let Some(account) = &tokens.account {
            let key = account_key(home, &scope.environment, &scope.realm);
            let index = self
                .accounts
                .entry(account_index(home, &scope.environment))
                .or_default();
            if !index.contains(&key) {
                index.push(key.clone());
            }
            let other = self
                .doc
                .accounts
                .get(&key)
                .map(|a| a.other.clone())
                .unwrap_or_default();
            self.touched.accounts.insert(key.clone());
            self.doc.accounts.insert(
                key,
                AccountEntry {
                    home_account_id: home.to_owned(),
                    environment: scope.environment.clone(),
                    realm: scope.realm.clone(),
                    local_account_id: account.local_account_id.to_owned(),
                    username: account.username.to_owned(),
                    authority_type: "MSSTS".into(),
                    name: account.name.map(str::to_owned),
                    other,
                },
            );
        }
        // App metadata records family membership (MSAL Python and .NET read it to pick a refresh token): created once,
        // and marked a family member when an answer says so.
        let metadata = app_metadata_key(&scope.environment, &scope.client_id);
        let family = tokens.family_id.filter(|f| !f.is_empty());
        match self.doc.app_metadata.entry(metadata) {
            std::collections::btree_map::Entry::Vacant(vacant) => {
                self.touched.app_metadata.insert(vacant.key().clone());
                vacant.insert(AppMetadataEntry {
                    client_id: scope.client_id.clone(),
                    environment: scope.environment.clone(),
                    family_id: family.map(str::to_owned),
                    other: Default::default(),
                });
            }
            std::collections::btree_map::Entry::Occupied(mut occupied) => {
                if let Some(family) = family
                    && occupied.get().family_id.as_deref() != Some(family)
                {
                    self.touched.app_metadata.insert(occupied.key().clone());
                    occupied.get_mut().family_id = Some(family.to_owned());
                }
            }
        }
    }

    fn len(&self) -> usize {
        self.doc.access_tokens.len()
            + self.doc.refresh_tokens.len()
            + self.doc.id_tokens.len()
            + self.doc.accounts.len()
    }
}

/// Whether an access token entry is a plain Bearer token: `AccessToken` (not msal-node's `AccessToken_With_AuthScheme`)
/// whose `token_type` (MSAL Python, .NET) or `tokenType` (msal-node) is absent or `Bearer`.
pub fn is_bearer(at: &AccessTokenEntry) -> bool {
    let bearer =
        |t: Option<&str>| t.is_none_or(|t| t.is_empty() || t.eq_ignore_ascii_case("bearer"));
    at.credential_type.eq_ignore_ascii_case("AccessToken")
        && bearer(at.token_type.as_deref())
        && bearer(
            at.other
                .get("tokenType")
                .and_then(serde_json::Value::as_str),
        )
}

/// Whether a refresh token is a family (FOCI) one.
pub fn is_family(rt: &RefreshTokenEntry) -> bool {
    rt.family_id.as_deref().is_some_and(|f| !f.is_empty())
}

/// Whether a realm is one of the multi-tenant aliases (`common`, `organizations`, `consumers`) rather than a tenant.
pub fn is_multi_tenant(realm: &str) -> bool {
    ["common", "organizations", "consumers"]
        .iter()
        .any(|alias| realm.eq_ignore_ascii_case(alias))
}

fn account_index(home: &str, environment: &str) -> IndexKey {
    IndexKey::new(&[home, environment])
}

fn rt_index(home: &str, environment: &str, client_id: &str) -> IndexKey {
    IndexKey::new(&[home, environment, client_id])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_keys_ignore_case_and_never_run_parts_together() {
        assert_eq!(
            IndexKey::new(&["UID.UTID", "Login.Example"]),
            IndexKey::new(&["uid.utid", "login.example"])
        );
        assert_ne!(
            IndexKey::new(&["ab", "c"]),
            IndexKey::new(&["a", "bc"]),
            "the separator keeps part boundaries"
        );
    }

    fn scope() -> CacheScope {
        CacheScope {
            environment: "login.example".into(),
            realm: "organizations".into(),
            client_id: "client".into(),
        }
    }

    fn tokens<'a>(
        home: &'a str,
        at: &'a str,
        target: &'a str,
        rt: Option<&'a str>,
    ) -> NewTokens<'a> {
        NewTokens {
            home_account_id: home,
            access_token: at,
            target,
            expires_on: 5_000,
            extended_expires_on: None,
            refresh_on: None,
            refresh_token: rt,
            family_id: None,
            id_token: Some("id.token.x"),
            account: Some(NewAccount {
                local_account_id: "oid",
                username: "u@example",
                name: Some("U"),
            }),
            now: 1_000,
        }
    }

    #[test]
    fn lookups_match_scope_supersets_per_account() {
        let mut cache = TokenCache::new();
        cache.save(
            &scope(),
            &tokens("a.t", "AT-A", "User.Read Mail.Read", Some("RT-A")),
        );
        cache.save(&scope(), &tokens("b.t", "AT-B", "User.Read", Some("RT-B")));
        let hit = cache
            .access_token(
                &scope(),
                "a.t",
                &Scopes::parse("https://graph.microsoft.com/mail.read"),
            )
            .expect("hit");
        assert_eq!(hit.secret, "AT-A");
        assert!(
            cache
                .access_token(&scope(), "b.t", &Scopes::parse("Mail.Read"))
                .is_none()
        );
        assert_eq!(
            cache.refresh_token(&scope(), "B.T").expect("rt").secret,
            "RT-B"
        );
        assert_eq!(cache.accounts("login.example").len(), 2);
        assert!(cache.id_token(&scope(), "a.t").is_some());
        assert_eq!(
            cache
                .account("LOGIN.example", "A.T")
                .expect("indexed")
                .username,
            "u@example"
        );
        assert!(cache.account("login.example", "c.t").is_none());
    }

    #[test]
    fn saving_replaces_overlapping_tokens_and_rotates_the_refresh_token() {
        let mut cache = TokenCache::new();
        cache.save(&scope(), &tokens("a.t", "AT-1", "User.Read", Some("RT-1")));
        cache.save(&scope(), &tokens("a.t", "AT-2", "Calendars.Read", None));
        cache.save(
            &scope(),
            &tokens("a.t", "AT-3", "User.Read Mail.Read", Some("RT-2")),
        );
        assert_eq!(
            cache.document().access_tokens.len(),
            2,
            "AT-1 overlapped and was replaced"
        );
        assert_eq!(
            cache
                .access_token(&scope(), "a.t", &Scopes::parse("User.Read"))
                .expect("hit")
                .secret,
            "AT-3"
        );
        assert_eq!(cache.document().refresh_tokens.len(), 1);
        assert_eq!(
            cache.refresh_token(&scope(), "a.t").expect("rt").secret,
            "RT-2"
        );
    }

    /// FOCI, as MSAL .NET saves it: an answer with `foci` is kept only as the family's refresh token (keyed by the
    /// family id), superseding the app's own; an answer without it is the app's own again, the family's staying.
    #[test]
    fn a_family_answer_supersedes_the_apps_own_refresh_token_and_keeps_its_family_key() {
        let mut cache = TokenCache::new();
        cache.save(
            &scope(),
            &tokens("a.t", "AT-1", "User.Read", Some("RT-OWN")),
        );
        let mut family = tokens("a.t", "AT-2", "User.Read", Some("RT-FAMILY"));
        family.family_id = Some("1");
        cache.save(&scope(), &family);
        let keys: Vec<&String> = cache.document().refresh_tokens.keys().collect();
        assert_eq!(keys, ["a.t-login.example-refreshtoken-1--"], "{keys:?}");
        assert_eq!(
            cache.refresh_token(&scope(), "a.t").expect("rt").secret,
            "RT-FAMILY"
        );

        cache.save(
            &scope(),
            &tokens("a.t", "AT-3", "User.Read", Some("RT-OWN-2")),
        );
        assert_eq!(cache.document().refresh_tokens.len(), 2);
        assert_eq!(
            cache.refresh_token(&scope(), "a.t").expect("rt").secret,
            "RT-OWN-2",
            "the app's own first (msal-node's order), the family's kept"
        );
    }

    #[test]
    fn removing_an_account_leaves_the_others() {
        let mut cache = TokenCache::new();
        cache.save(&scope(), &tokens("a.t", "AT-A", "User.Read", Some("RT-A")));
        cache.save(&scope(), &tokens("b.t", "AT-B", "User.Read", Some("RT-B")));
        cache.mark_saved();
        assert!(cache.remove_account("login.example", "a.t"));
        assert!(cache.has_changed());
        assert!(!cache.remove_account("login.example", "a.t"));
        assert!(
            cache
                .access_token(&scope(), "a.t", &Scopes::parse("User.Read"))
                .is_none()
        );
        assert!(cache.refresh_token(&scope(), "a.t").is_none());
        assert_eq!(
            cache
                .access_token(&scope(), "b.t", &Scopes::parse("User.Read"))
                .expect("b")
                .secret,
            "AT-B"
        );
        assert_eq!(cache.accounts("login.example").len(), 1);
    }

    #[test]
    fn json_round_trip_keeps_the_index_working() {
        let mut cache = TokenCache::new();
        cache.save(&scope(), &tokens("a.t", "AT-A", "User.Read", Some("RT-A")));
        let again = TokenCache::from_json(&cache.to_json()).expect("parsed");
        assert!(!again.has_changed());
        assert_eq!(
            again
                .access_token(&scope(), "a.t", &Scopes::parse("user.read"))
                .expect("hit")
                .secret,
            "AT-A"
        );
        assert!(TokenCache::from_json(b"[1,2]").is_err());
    }
}
