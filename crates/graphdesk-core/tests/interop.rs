//! Caches shared with the real MSAL libraries: MSAL Python and msal-node sign in against the emulated tenant and write
//! their caches; GraphDesk imports each and gets a token silently; GraphDesk exports in each library's conventions and
//! the library reads the account back and gets a token silently from it.

use std::sync::Arc;
use std::time::Duration;

use graphdesk_core::cache::interop::Dialect;
use graphdesk_core::clock::{SystemClock, TokioSleeper};
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::{SilentOptions, TokenEngine};
use graphdesk_core::http::ReqwestClient;
use graphdesk_tenant::{
    DEMO_CLIENT_ID, Directory, RunningTenant, TenantConfig, TenantServer, peers,
};

const UPN: &str = "adele@contoso.example";

async fn tenant() -> (RunningTenant, tempfile::TempDir) {
    // The peer scripts expect 303-second tokens (they wait 4 s to see one expire).
    let config = TenantConfig {
        access_token_lifetime: 303,
        device_code_interval: 1,
        ..TenantConfig::default()
    };
    let tenant = TenantServer::new()
        .directory(Directory::demo())
        .config(config)
        .start()
        .await
        .expect("tenant");
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("ca.pem"), tenant.ca_pem()).expect("CA");
    (tenant, dir)
}

fn engine(tenant: &RunningTenant) -> TokenEngine {
    let config = ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(tenant.authority("organizations"))
        .extra_root_ca_pem(tenant.ca_pem())
        .build()
        .expect("config");
    let http = ReqwestClient::new(Duration::from_secs(10), Some(tenant.ca_pem()))
        .expect("http")
        .shared();
    TokenEngine::new(config, http, Arc::new(SystemClock), Arc::new(TokioSleeper))
}

/// Imports `written`, checks the account and a silent token, exports in `dialect`; returns the exported JSON.
async fn import_then_export(tenant: &RunningTenant, written: &[u8], dialect: Dialect) -> Vec<u8> {
    let engine = engine(tenant);
    let summary = engine.import_cache(written).expect("imported");
    assert_eq!(
        (summary.accounts, summary.refresh_tokens),
        (1, 1),
        "{summary:?}"
    );
    assert!(summary.access_tokens >= 1);
    let accounts = engine.accounts();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].username, UPN);
    let token = engine
        .acquire_token_silent(
            &["User.Read".into()],
            &accounts[0].home_account_id,
            &SilentOptions::default(),
        )
        .await
        .expect("a silent token from the imported cache");
    assert!(!token.access_token.secret().is_empty());
    engine.export_cache(dialect)
}

#[tokio::test(flavor = "multi_thread")]
async fn msal_python_caches_round_trip_through_graphdesk() {
    let python = tokio::task::spawn_blocking(peers::python_with_msal)
        .await
        .expect("setup")
        .expect("MSAL Python");
    let (tenant, dir) = tenant().await;
    let mut env = peers::script_env(&tenant, UPN, &dir.path().join("ca.pem"));
    let written = dir.path().join("python-cache.json");
    env.push(("CACHE_OUT", written.display().to_string()));
    peers::output_of(
        peers::python_command(&python, &env),
        "MSAL Python writes its cache",
    )
    .await
    .expect("ran");

    let exported = import_then_export(
        &tenant,
        &std::fs::read(&written).expect("cache"),
        Dialect::MsalPython,
    )
    .await;
    let path = dir.path().join("graphdesk-for-python.json");
    std::fs::write(&path, exported).expect("export");
    env.retain(|(k, _)| *k != "CACHE_OUT");
    env.push(("CACHE_IN", path.display().to_string()));
    let stdout = peers::output_of(
        peers::python_command(&python, &env),
        "MSAL Python reads GraphDesk's cache",
    )
    .await
    .expect("ran");
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert_eq!(result["imported_account"], UPN);
}

#[tokio::test(flavor = "multi_thread")]
async fn msal_node_caches_round_trip_through_graphdesk() {
    let dir_node = tokio::task::spawn_blocking(peers::msal_node)
        .await
        .expect("setup")
        .expect("msal-node");
    let (tenant, dir) = tenant().await;
    let mut env = peers::script_env(&tenant, UPN, &dir.path().join("ca.pem"));
    let written = dir.path().join("node-cache.json");
    env.push(("CACHE_OUT", written.display().to_string()));
    peers::output_of(
        peers::node_command(&dir_node, &env),
        "msal-node writes its cache",
    )
    .await
    .expect("ran");

    let exported = import_then_export(
        &tenant,
        &std::fs::read(&written).expect("cache"),
        Dialect::MsalNode,
    )
    .await;
    let path = dir.path().join("graphdesk-for-node.json");
    std::fs::write(&path, exported).expect("export");
    env.retain(|(k, _)| *k != "CACHE_OUT");
    env.push(("CACHE_IN", path.display().to_string()));
    let stdout = peers::output_of(
        peers::node_command(&dir_node, &env),
        "msal-node reads GraphDesk's cache",
    )
    .await
    .expect("ran");
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    assert_eq!(result["importedAccount"], UPN);
}
