//! The tenant itself: directory, state, clock, signing key and settings, and the minting of tokens (ID token, access
//! token, refresh token, `client_info`) shared by every grant.

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard};

use serde_json::{Value, json};

use crate::clock::Clock;
use crate::crypto::{SigningKey, b64url, random_token};
use crate::directory::{Audience, Directory, GRAPH_RESOURCE, User};
use crate::scopes::ScopeRequest;
use crate::store::{RefreshGrant, Store};

/// Lifetimes and limits.
#[derive(Debug, Clone)]
pub struct TenantConfig {
    /// Access and ID token lifetime, seconds (Entra: 60–90 minutes).
    pub access_token_lifetime: u64,
    /// When set, token responses carry `refresh_in` (refresh early), as Entra does for long-lived tokens.
    pub refresh_in: Option<u64>,
    /// Authorization code lifetime, seconds (Entra: 10 minutes; AADSTS70008 after).
    pub code_lifetime: u64,
    /// Device code lifetime and polling interval, seconds (Entra: 900 and 5).
    pub device_code_lifetime: u64,
    pub device_code_interval: u64,
    /// Refresh tokens expire after this much inactivity (Entra: 90 days; AADSTS700082).
    pub refresh_token_inactivity: u64,
    /// Largest request body accepted, bytes.
    pub max_body_bytes: usize,
}

impl Default for TenantConfig {
    fn default() -> Self {
        Self {
            access_token_lifetime: 3_600,
            refresh_in: None,
            code_lifetime: 600,
            device_code_lifetime: 900,
            device_code_interval: 5,
            refresh_token_inactivity: 90 * 86_400,
            max_body_bytes: 64 * 1024,
        }
    }
}

/// Where and what a durable tenant keeps.
#[derive(Debug)]
struct Durable {
    file: crate::durable::DurableFile,
    https_port: u16,
    http_port: u16,
    ca_pem: String,
}

/// The emulated tenant.
#[derive(Debug)]
pub struct Tenant {
    directory: RwLock<Directory>,
    store: Mutex<Store>,
    pub clock: Clock,
    pub key: SigningKey,
    pub config: TenantConfig,
    /// Where the state is kept across restarts, with the ports it serves on (demo mode); `None` for tests.
    durable: Option<Durable>,
}

/// What a token response needs to know about the grant.
#[derive(Debug)]
pub struct Grant<'a> {
    pub origin: &'a str,
    pub client_id: &'a str,
    pub user: &'a User,
    /// The authority's tenant: a guest tenant gets the person's guest profile (`tid`, `oid`), the rest the home one.
    pub audience: &'a Audience,
    /// Whether the request carried `client_info=1`: Entra returns `client_info` only then.
    pub client_info: bool,
    pub scopes: &'a ScopeRequest,
    pub nonce: Option<&'a str>,
    /// The `claims` request parameter (client capabilities such as `cp1`, or a claims challenge's answer).
    pub claims: Option<&'a str>,
}

impl Tenant {
    pub fn new(directory: Directory, config: TenantConfig) -> Self {
        Self::with_key(directory, config, SigningKey::generate())
    }

    /// A tenant signing with `key` (one kept from an earlier run).
    pub fn with_key(directory: Directory, config: TenantConfig, key: SigningKey) -> Self {
        Self {
            directory: RwLock::new(directory),
            store: Mutex::new(Store::default()),
            clock: Clock::default(),
            key,
            config,
            durable: None,
        }
    }

    /// Keeps the state in `file` from now on (see [`crate::durable`]).
    pub fn keep_state_in(
        &mut self,
        file: crate::durable::DurableFile,
        (https_port, http_port): (u16, u16),
        ca_pem: String,
    ) {
        self.durable = Some(Durable {
            file,
            https_port,
            http_port,
            ca_pem,
        });
    }

    /// Writes the kept state, when there is a file for it. A failure is logged: the tenant goes on serving.
    pub fn save_durable(&self) {
        let Some(durable) = &self.durable else {
            return;
        };
        let key = crate::crypto::b64url(self.key.pkcs8());
        let snapshot = crate::durable::Snapshot::capture(
            &self.store(),
            durable.https_port,
            durable.http_port,
            key,
            Some(durable.ca_pem.clone()),
        );
        if let Err(error) = durable.file.save(&snapshot) {
            tracing::warn!(%error, "the tenant's state was not saved");
        }
    }

    /// The directory (read).
    pub fn directory(&self) -> RwLockReadGuard<'_, Directory> {
        self.directory.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes the directory (tests add users at run time).
    pub fn update_directory(&self, change: impl FnOnce(&mut Directory)) {
        change(&mut self.directory.write().unwrap_or_else(|p| p.into_inner()));
    }

    /// The mutable state. Every holder does one short operation, so a poisoned lock still holds consistent data.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `user_oid` may get `scopes` for `client_id` without a consent page: admin consent or their own.
    pub fn has_consent(&self, client_id: &str, user_oid: &str, scopes: &ScopeRequest) -> bool {
        let admin = self
            .directory()
            .app(client_id)
            .map(|a| a.admin_consented.clone())
            .unwrap_or_default();
        let store = self.store();
        let own = store
            .consents
            .get(&(client_id.to_ascii_lowercase(), user_oid.to_owned()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let all: Vec<String> = admin.iter().chain(own).cloned().collect();
        scopes.within(&all)
    }

    /// A token response for `grant`, storing the new refresh token when `offline_access` was asked for.
    pub fn token_response(&self, grant: &Grant<'_>) -> Value {
        let now = self.clock.now();
        let lifetime = self.config.access_token_lifetime;
        let user = grant.user;
        let profile = user.profile_in(grant.audience);
        let issuer = format!("{}/{}/v2.0", grant.origin, profile.tenant_id);
        let mut access = json!({
            "aud": GRAPH_RESOURCE,
            "iss": issuer,
            "iat": now, "nbf": now, "exp": now + lifetime,
            "tid": profile.tenant_id,
            "oid": profile.object_id,
            "sub": pairwise_sub(&profile.object_id, GRAPH_RESOURCE),
            "scp": grant.scopes.graph.join(" "),
            "appid": grant.client_id,
            "azp": grant.client_id,
            "name": user.display_name,
            "preferred_username": user.upn,
            "upn": user.upn,
            "uti": random_token(16),
            "ver": "2.0",
        });
        if has_client_capability(grant.claims, "cp1") {
            access["xms_cc"] = json!(["cp1"]);
        }
        let mut body = json!({
            "token_type": "Bearer",
            "scope": grant.scopes.granted(),
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": self.key.sign(&access),
        });
        if grant.client_info {
            body["client_info"] = json!(client_info(user));
        }
        if let Some(refresh_in) = self.config.refresh_in {
            body["refresh_in"] = json!(refresh_in);
        }
        if grant.scopes.wants("openid") {
            let mut id = json!({
                "aud": grant.client_id,
                "iss": issuer,
                "iat": now, "nbf": now, "exp": now + lifetime,
                "tid": profile.tenant_id,
                "oid": profile.object_id,
                "sub": pairwise_sub(&profile.object_id, grant.client_id),
                "preferred_username": user.upn,
                "name": user.display_name,
                "ver": "2.0",
            });
            if let Some(nonce) = grant.nonce {
                id["nonce"] = json!(nonce);
            }
            body["id_token"] = json!(self.key.sign(&id));
        }
        if grant.scopes.wants("offline_access") {
            let refresh = format!("1.AR{}", random_token(48));
            self.store().refresh_tokens.insert(
                refresh.clone(),
                RefreshGrant {
                    client_id: grant.client_id.to_owned(),
                    user_oid: user.object_id.clone(),
                    issued: now,
                    last_used: now,
                },
            );
            body["refresh_token"] = json!(refresh);
        }
        body
    }
}

/// `client_info`: base64url JSON of the home object id and home tenant — the same in every tenant the person is in.
pub fn client_info(user: &User) -> String {
    b64url(json!({"uid": user.object_id, "utid": user.tenant_id}).to_string())
}

/// Whether a request asked for `client_info` (`client_info=1`; MSAL .NET's confidential clients send `2`, which this
/// public-client tenant does not serve).
pub fn wants_client_info(value: Option<&str>) -> bool {
    value == Some("1")
}

/// Entra's `sub` is pairwise: stable per (user, app) and different across apps.
fn pairwise_sub(oid: &str, audience: &str) -> String {
    use sha2::{Digest, Sha256};
    b64url(&Sha256::digest(format!("{oid}|{audience}").as_bytes())[..24])
}

/// Whether a `claims` parameter announces client capability `capability` (`{"access_token":{"xms_cc":{"values":[…]}}}`).
pub fn has_client_capability(claims: Option<&str>, capability: &str) -> bool {
    claims
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
        .and_then(|c| c["access_token"]["xms_cc"]["values"].as_array().cloned())
        .is_some_and(|values| values.iter().any(|v| v == capability))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_capabilities_are_read_from_claims() {
        let cp1 = r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#;
        assert!(has_client_capability(Some(cp1), "cp1"));
        assert!(!has_client_capability(
            Some(r#"{"access_token":{}}"#),
            "cp1"
        ));
        assert!(!has_client_capability(Some("not json"), "cp1"));
        assert!(!has_client_capability(None, "cp1"));
    }

    #[test]
    fn pairwise_subjects_differ_per_audience() {
        assert_ne!(pairwise_sub("oid", "a"), pairwise_sub("oid", "b"));
        assert_eq!(pairwise_sub("oid", "a"), pairwise_sub("oid", "a"));
    }
}
