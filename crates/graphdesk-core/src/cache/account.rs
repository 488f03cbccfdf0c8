//! Accounts as MSAL models them: one person (`home_account_id`, `uid.utid`) with a tenant profile per tenant they
//! signed in to — the home tenant and any they are a guest in, each with its own object id — folded from the cache's
//! Account entries (MSAL .NET writes one per tenant; msal-node one with `tenantProfiles`; MSAL Python one per realm).

use serde::Serialize;

use crate::cache::schema::AccountEntry;
use crate::id_token::IdTokenClaims;

/// The home tenant (`utid`) of a `home_account_id` (`uid.utid`); `None` for an account keyed by an ID token's `sub`.
pub fn home_tenant(home_account_id: &str) -> Option<&str> {
    home_account_id
        .split_once('.')
        .map(|(_, utid)| utid)
        .filter(|utid| !utid.is_empty())
}

/// A signed-in account, as the UI lists it. No secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// `uid.utid`: MSAL's account identifier.
    pub home_account_id: String,
    pub environment: String,
    pub realm: String,
    pub username: String,
    pub name: Option<String>,
    /// The user's object id in the tenant.
    pub local_account_id: String,
    /// The tenants this account has signed in to with this app (its home tenant and any it is a guest in), home first.
    pub tenant_profiles: Vec<TenantProfile>,
}

/// One tenant an account has signed in to (MSAL's tenant profile): the same person, a per-tenant object id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TenantProfile {
    pub tenant_id: String,
    pub local_account_id: String,
    pub name: Option<String>,
    /// Whether this is the account's home tenant (the `utid` half of its home account id).
    pub is_home_tenant: bool,
}

impl TenantProfile {
    /// A cache entry's profile. GraphDesk, MSAL .NET and msal-node file an entry under its tenant id; MSAL Python under
    /// the authority's segment, so one of its entries filed under `common`, `organizations` or `consumers` is in the
    /// account's home tenant (`utid`).
    fn of(a: &AccountEntry) -> Self {
        let home_tenant = home_tenant(&a.home_account_id);
        let multi_tenant = crate::cache::is_multi_tenant(&a.realm);
        let tenant_id = match home_tenant {
            Some(utid) if multi_tenant => utid.to_owned(),
            _ => a.realm.clone(),
        };
        Self {
            is_home_tenant: home_tenant.is_some_and(|t| t.eq_ignore_ascii_case(&tenant_id)),
            tenant_id,
            local_account_id: a.local_account_id.clone(),
            name: a.name.clone(),
        }
    }
}

impl From<&AccountEntry> for Account {
    fn from(a: &AccountEntry) -> Self {
        Self {
            home_account_id: a.home_account_id.clone(),
            environment: a.environment.clone(),
            realm: a.realm.clone(),
            username: a.username.clone(),
            name: a.name.clone(),
            local_account_id: a.local_account_id.clone(),
            tenant_profiles: vec![TenantProfile::of(a)],
        }
    }
}

/// One account from its entries (one per tenant it signed in to): its own fields from the home tenant's entry when
/// there is one, every entry as a tenant profile, home first.
pub(crate) fn account_with_profiles(mut entries: Vec<&AccountEntry>) -> Option<Account> {
    if let [only] = entries.as_slice() {
        // The common case, and the silent path's: one tenant.
        return Some(Account::from(*only));
    }
    entries.sort_by_cached_key(|e| (!TenantProfile::of(e).is_home_tenant, e.realm.clone()));
    let mut account = Account::from(*entries.first()?);
    account.tenant_profiles = entries.iter().map(|e| TenantProfile::of(e)).collect();
    Some(account)
}

/// Folds the cache's account entries (one per account and tenant) into accounts with their tenant profiles.
pub(crate) fn group_tenant_profiles<'a>(
    entries: impl IntoIterator<Item = &'a AccountEntry>,
) -> Vec<Account> {
    let mut by_home: std::collections::BTreeMap<String, Vec<&AccountEntry>> =
        std::collections::BTreeMap::new();
    for entry in entries {
        by_home
            .entry(entry.home_account_id.to_ascii_lowercase())
            .or_default()
            .push(entry);
    }
    by_home
        .into_values()
        .filter_map(account_with_profiles)
        .collect()
}

/// Whether an ID token is of the person `account` names: its `sub` is the account's key (an account signed in without
/// `client_info`), or its `oid` is the account's object id.
pub(crate) fn same_person(account: &Account, claims: &IdTokenClaims) -> bool {
    claims.sub.eq_ignore_ascii_case(&account.home_account_id)
        || claims.oid.as_deref().is_some_and(|oid| {
            !oid.is_empty() && oid.eq_ignore_ascii_case(&account.local_account_id)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::{CacheScope, NewAccount, NewTokens, TokenCache};

    fn sign_in(cache: &mut TokenCache, home: &str, realm: &str, oid: &str, username: &str) {
        let scope = CacheScope {
            environment: "login.example".into(),
            realm: realm.into(),
            client_id: "client".into(),
        };
        cache.save(
            &scope,
            &NewTokens {
                home_account_id: home,
                access_token: "at",
                target: "User.Read",
                expires_on: 5_000,
                extended_expires_on: None,
                refresh_on: None,
                refresh_token: Some("rt"),
                family_id: None,
                id_token: None,
                account: Some(NewAccount {
                    local_account_id: oid,
                    username,
                    name: Some(realm),
                }),
                now: 1_000,
            },
        );
    }

    #[test]
    fn a_guest_sign_in_is_a_tenant_profile_of_the_same_account_with_home_first() {
        let mut cache = TokenCache::new();
        sign_in(
            &mut cache,
            "uid.home-t",
            "guest-t",
            "oid-in-guest",
            "ada@home",
        );
        sign_in(
            &mut cache,
            "uid.home-t",
            "organizations",
            "oid-at-home",
            "ada@home",
        );
        sign_in(&mut cache, "uid2.other-t", "other-t", "oid-2", "bob@other");

        let accounts = group_tenant_profiles(cache.accounts("login.example"));
        assert_eq!(accounts.len(), 2, "{accounts:#?}");
        let ada = accounts
            .iter()
            .find(|a| a.home_account_id == "uid.home-t")
            .expect("ada is listed");
        assert_eq!(ada.realm, "organizations");
        assert_eq!(ada.local_account_id, "oid-at-home");
        let tenants: Vec<(&str, &str, bool)> = ada
            .tenant_profiles
            .iter()
            .map(|p| {
                (
                    p.tenant_id.as_str(),
                    p.local_account_id.as_str(),
                    p.is_home_tenant,
                )
            })
            .collect();
        assert_eq!(
            tenants,
            [
                ("home-t", "oid-at-home", true),
                ("guest-t", "oid-in-guest", false)
            ]
        );

        // Signing out removes every tenant profile of that account, and only that account.
        assert!(cache.remove_account("login.example", "uid.home-t"));
        let left = group_tenant_profiles(cache.accounts("login.example"));
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].username, "bob@other");
        assert_eq!(left[0].tenant_profiles.len(), 1);
    }
}
