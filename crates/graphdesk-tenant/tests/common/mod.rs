//! Shared helpers for the tenant's black-box tests: start a tenant, an https client that trusts its CA, PKCE, and the
//! authorization-code dance through the automation API.

#![allow(dead_code)]

use graphdesk_tenant::crypto::{pkce_s256, random_token};
use graphdesk_tenant::{DEMO_CLIENT_ID, Directory, RunningTenant, TenantConfig, TenantServer};
use serde_json::Value;

pub const GRAPH_USER_READ: &str = "https://graph.microsoft.com/User.Read";

pub async fn start() -> RunningTenant {
    start_with(Directory::demo(), TenantConfig::default()).await
}

pub async fn start_with(directory: Directory, config: TenantConfig) -> RunningTenant {
    TenantServer::new()
        .directory(directory)
        .config(config)
        .admin_api()
        .plain_http()
        .start()
        .await
        .expect("tenant starts")
}

/// An https client trusting the tenant's CA; no redirects followed, cookies kept.
pub fn client(tenant: &RunningTenant) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(tenant.ca_pem().as_bytes()).expect("CA PEM"),
        )
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client")
}

/// A PKCE pair (verifier, S256 challenge).
pub fn pkce() -> (String, String) {
    let verifier = random_token(48);
    let challenge = pkce_s256(&verifier);
    (verifier, challenge)
}

/// An authorize URL for the demo app with `extra` parameters overriding the defaults.
pub fn authorize_url(
    tenant: &RunningTenant,
    segment: &str,
    challenge: &str,
    extra: &[(&str, &str)],
) -> String {
    let mut params: Vec<(&str, &str)> = vec![
        ("client_id", DEMO_CLIENT_ID),
        ("response_type", "code"),
        ("redirect_uri", "graphdesk://auth"),
        (
            "scope",
            "https://graph.microsoft.com/User.Read openid profile offline_access",
        ),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("client_info", "1"),
    ];
    for (key, value) in extra {
        params.retain(|(k, _)| k != key);
        if !value.is_empty() {
            params.push((key, value));
        }
    }
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!(
        "{}/oauth2/v2.0/authorize?{query}",
        tenant.authority(segment)
    )
}

/// A query parameter of a redirect URL.
pub fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// POSTs a form to the token endpoint of `segment`; returns status and JSON.
pub async fn token(tenant: &RunningTenant, segment: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = client(tenant)
        .post(format!("{}/oauth2/v2.0/token", tenant.authority(segment)))
        .form(form)
        .send()
        .await
        .expect("token request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

/// Signs `upn` in through the automation API and redeems the code: the token response.
pub async fn sign_in(tenant: &RunningTenant, upn: &str, scope: &str) -> Value {
    let (verifier, challenge) = pkce();
    let url = authorize_url(tenant, "organizations", &challenge, &[("scope", scope)]);
    let redirect = tenant.complete_authorization(&url, upn).expect("signed in");
    let code = param(&redirect, "code").expect("code");
    let (status, body) = token(
        tenant,
        "organizations",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("code", &code),
            ("redirect_uri", "graphdesk://auth"),
            ("code_verifier", &verifier),
            ("scope", scope),
            ("client_info", "1"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The AADSTS code of an error body.
pub fn aadsts(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap_or(0)
}

/// GETs a Graph path with a bearer token.
pub async fn graph(tenant: &RunningTenant, path: &str, token: &str) -> reqwest::Response {
    client(tenant)
        .get(format!("{}{path}", tenant.https_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("graph request")
}
