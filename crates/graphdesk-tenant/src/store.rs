//! The tenant's mutable state: browser sessions, sign-ins in progress, authorization codes, refresh tokens, device
//! codes, consents, revocations, faults and the request log. One lock guards it; every operation is short.

use std::collections::HashMap;

use serde::Serialize;

use crate::directory::Audience;
use crate::faults::Faults;
use crate::scopes::ScopeRequest;

/// An authorization request, validated.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub origin: String,
    pub audience: Audience,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: ScopeRequest,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: String,
    pub prompt: Option<String>,
    pub login_hint: Option<String>,
    pub claims: Option<String>,
    /// `client_info=1` on the authorize URL: only then does the redirect carry `client_info`.
    pub client_info: bool,
}

/// A sign-in in progress in the browser (or the automation API).
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    pub request: AuthorizeRequest,
    pub user_oid: Option<String>,
    pub created: u64,
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub struct CodeGrant {
    pub request: AuthorizeRequest,
    pub user_oid: String,
    pub issued: u64,
}

/// An issued refresh token.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user_oid: String,
    pub issued: u64,
    pub last_used: u64,
}

/// Where a device code stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceStatus {
    Pending,
    Approved { user_oid: String },
    Denied,
    Redeemed,
}

/// An issued device code.
#[derive(Debug, Clone)]
pub struct DeviceGrant {
    pub origin: String,
    pub audience: Audience,
    pub client_id: String,
    pub scopes: ScopeRequest,
    pub user_code: String,
    pub expires: u64,
    pub interval: u64,
    pub last_poll: Option<u64>,
    pub status: DeviceStatus,
}

/// One request the tenant answered, for tests to assert on ("exactly one refresh", "no token request").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoggedRequest {
    pub at: u64,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// The token endpoint's `grant_type`, when the request was a token request.
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
}

/// What a handler tells the request log about a request (added as a response extension).
#[derive(Debug, Clone, Default)]
pub struct LogNote {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
}

/// All mutable state.
#[derive(Debug, Default)]
pub struct Store {
    pub sessions: HashMap<String, String>,
    pub pending: HashMap<String, PendingSignIn>,
    pub codes: HashMap<String, CodeGrant>,
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    pub device_codes: HashMap<String, DeviceGrant>,
    pub user_codes: HashMap<String, String>,
    /// Consented Graph scopes by (client id, user object id).
    pub consents: HashMap<(String, String), Vec<String>>,
    /// Refresh tokens of a user issued at or before this time are revoked (password reset, admin revoke).
    pub revoked_before: HashMap<String, u64>,
    pub faults: Faults,
    pub log: Vec<LoggedRequest>,
    /// SAML assertions the federation server issued, by `AssertionID`.
    pub assertions: HashMap<String, crate::federation::IssuedAssertion>,
}

impl Store {
    /// Records consent to `scopes` for (client, user).
    pub fn consent(&mut self, client_id: &str, user_oid: &str, scopes: &[String]) {
        let entry = self
            .consents
            .entry((client_id.to_ascii_lowercase(), user_oid.to_owned()))
            .or_default();
        for scope in scopes {
            if !entry.iter().any(|s| s.eq_ignore_ascii_case(scope)) {
                entry.push(scope.clone());
            }
        }
    }
}
