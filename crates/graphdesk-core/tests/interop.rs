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

/// Builds the peer's command for an environment.
type PeerCommand = Box<dyn Fn(&[(&'static str, String)]) -> tokio::process::Command>;

/// Which real library a round trip goes through.
#[derive(Debug, Clone, Copy)]
enum Peer {
    Python,
    Node,
}

/// The peer signs in and writes its cache; GraphDesk imports it and exports for the peer; the peer reads it back.
async fn round_trip(peer: Peer) {
    let (tenant, dir) = tenant().await;
    let (command, dialect): (PeerCommand, Dialect) = match peer {
        Peer::Python => {
            let python = tokio::task::spawn_blocking(peers::python_with_msal)
                .await
                .expect("setup")
                .expect("MSAL Python");
            (
                Box::new(move |env| peers::python_command(&python, env)),
                Dialect::MsalPython,
            )
        }
        Peer::Node => {
            let node = tokio::task::spawn_blocking(peers::msal_node)
                .await
                .expect("setup")
                .expect("msal-node");
            (
                Box::new(move |env| peers::node_command(&node, env)),
                Dialect::MsalNode,
            )
        }
    };
    let base = peers::script_env(&tenant, UPN, &dir.path().join("ca.pem"));
    let with = |name: &'static str, path: &std::path::Path| {
        let mut env = base.clone();
        env.push((name, path.display().to_string()));
        env
    };
    let written = dir.path().join("peer-cache.json");
    peers::output_of(
        command(&with("CACHE_OUT", &written)),
        &format!("{peer:?} writes its cache"),
    )
    .await
    .expect("ran");

    let exported =
        import_then_export(&tenant, &std::fs::read(&written).expect("cache"), dialect).await;
    let path = dir.path().join("graphdesk-export.json");
    std::fs::write(&path, exported).expect("export");
    let stdout = peers::output_of(
        command(&with("CACHE_IN", &path)),
        &format!("{peer:?} reads GraphDesk's cache"),
    )
    .await
    .expect("ran");
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
    let account = result
        .get("imported_account")
        .or(result.get("importedAccount"));
    assert_eq!(account.and_then(|a| a.as_str()), Some(UPN), "{result}");
}

#[tokio::test(flavor = "multi_thread")]
async fn msal_python_caches_round_trip_through_graphdesk() {
    round_trip(Peer::Python).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn msal_node_caches_round_trip_through_graphdesk() {
    round_trip(Peer::Node).await;
}
