//! The real MSAL libraries accept the emulated tenant: MSAL Python and msal-node, installed from their registries (PyPI,
//! npm) on first run, each run device code -> silent cache hit -> refresh after expiry, and authorization code + PKCE ->
//! Graph `/me`, over https with the tenant's CA. The tenant's request log proves what they sent.

mod common;

use graphdesk_tenant::peers::{self, MSAL_PYTHON};
use graphdesk_tenant::{Directory, RunningTenant, TenantConfig};

async fn tenant() -> (RunningTenant, tempfile::NamedTempFile) {
    // Tokens that live 303 s: both libraries treat fewer than 300 s left as expired, so a 4 s wait forces a refresh.
    let config = TenantConfig {
        access_token_lifetime: 303,
        device_code_interval: 1,
        ..TenantConfig::default()
    };
    let tenant = common::start_with(Directory::demo(), config).await;
    let ca = tempfile::NamedTempFile::new().expect("CA file");
    std::fs::write(ca.path(), tenant.ca_pem()).expect("CA written");
    (tenant, ca)
}

fn grant_count(tenant: &RunningTenant, grant: &str) -> usize {
    tenant
        .requests()
        .iter()
        .filter(|r| r.grant_type.as_deref() == Some(grant) && r.status == 200)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn msal_python_device_code_silent_refresh_and_auth_code() {
    let python = tokio::task::spawn_blocking(peers::python_with_msal)
        .await
        .expect("setup")
        .expect("MSAL Python");
    let (tenant, ca) = tenant().await;
    let env = peers::script_env(&tenant, "adele@contoso.example", ca.path());
    let stdout = peers::output_of(peers::python_command(&python, &env), "MSAL Python")
        .await
        .expect("ran");
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(result["msal"], MSAL_PYTHON);
    assert_eq!(result["upn"], "adele@contoso.example");
    assert_eq!(
        grant_count(&tenant, "refresh_token"),
        1,
        "one refresh after expiry, none for the cache hit"
    );
    assert_eq!(
        grant_count(&tenant, "urn:ietf:params:oauth:grant-type:device_code"),
        1
    );
    assert_eq!(grant_count(&tenant, "authorization_code"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn msal_node_device_code_silent_refresh_and_auth_code() {
    let dir = tokio::task::spawn_blocking(peers::msal_node)
        .await
        .expect("setup")
        .expect("msal-node");
    let (tenant, ca) = tenant().await;
    let env = peers::script_env(&tenant, "adele@contoso.example", ca.path());
    let stdout = peers::output_of(peers::node_command(&dir, &env), "msal-node")
        .await
        .expect("ran");
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(result["upn"], "adele@contoso.example");
    assert_eq!(
        grant_count(&tenant, "refresh_token"),
        1,
        "one refresh after expiry, none for the cache hit"
    );
    // msal-node sends the short `device_code` grant type (Entra accepts both); MSAL Python the RFC 8628 URN.
    assert_eq!(grant_count(&tenant, "device_code"), 1);
    assert_eq!(grant_count(&tenant, "authorization_code"), 1);
}
