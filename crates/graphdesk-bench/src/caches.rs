//! The synthetic caches every library reads: N accounts × 5 access tokens (one per scope), each with a refresh token, an
//! ID token and its account, for the demo app on the running tenant — built once in GraphDesk's cache and written in
//! each library's own format (GraphDesk: encrypted file; MSAL Python and msal-node: their JSON).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use graphdesk_core::cache::{CacheScope, NewAccount, NewTokens, TokenCache};
use graphdesk_tenant::{DEMO_CLIENT_ID, DEMO_TENANT_ID};

/// Five non-overlapping scope sets: five access tokens per account. A request for `User.Read` asks for a strict subset
/// of the first, so no library can answer it by computing the cache key: each must match scopes.
pub const TARGETS: [&str; 5] = [
    "User.Read User.ReadBasic.All",
    "Mail.Read Mail.Send",
    "Calendars.Read Calendars.ReadWrite",
    "Files.Read Files.Read.All",
    "Sites.Read.All Sites.ReadWrite.All",
];

/// Account `i`'s home account id (`oid.tid`).
pub fn home(i: usize) -> String {
    format!("{}.{DEMO_TENANT_ID}", oid(i))
}

fn oid(i: usize) -> String {
    format!("{i:08x}-0000-4000-8000-000000000000")
}

fn jwt(claims: &serde_json::Value) -> String {
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "kid": "bench"});
    format!(
        "{}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// A cache of `accounts` accounts in `scope`, valid for an hour from `now`.
pub fn build(scope: &CacheScope, issuer: &str, accounts: usize, now: u64) -> TokenCache {
    // Filed under the tenant id, as GraphDesk writes a multi-tenant authority's tokens (MSAL .NET and msal-node do too).
    let scope = &CacheScope {
        realm: DEMO_TENANT_ID.into(),
        ..scope.clone()
    };
    let mut cache = TokenCache::new();
    for i in 0..accounts {
        let (home, oid) = (home(i), oid(i));
        let username = format!("user{i:04}@contoso.example");
        let id_token = jwt(&serde_json::json!({
            "aud": DEMO_CLIENT_ID, "iss": issuer, "tid": DEMO_TENANT_ID, "oid": oid, "sub": format!("sub-{i}"),
            "preferred_username": username, "name": format!("User {i}"), "iat": now, "nbf": now, "exp": now + 3_600,
            "ver": "2.0",
        }));
        for target in TARGETS {
            let access = jwt(&serde_json::json!({
                "aud": "https://graph.microsoft.com", "scp": target, "oid": oid, "tid": DEMO_TENANT_ID,
                "exp": now + 3_600, "pad": "p".repeat(900),
            }));
            cache.save(
                scope,
                &NewTokens {
                    home_account_id: &home,
                    access_token: &access,
                    target,
                    expires_on: now + 3_600,
                    extended_expires_on: Some(now + 3_600),
                    refresh_on: None,
                    refresh_token: Some(&format!("0.AR-bench-refresh-{i}")),
                    family_id: None,
                    id_token: Some(&id_token),
                    account: Some(NewAccount {
                        local_account_id: &oid,
                        username: &username,
                        name: Some(&format!("User {i}")),
                    }),
                    now,
                },
            );
        }
    }
    cache
}
