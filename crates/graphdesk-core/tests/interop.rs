//! Caches shared with the real MSAL libraries: MSAL Python and msal-node sign in against the emulated tenant and write
//! their caches; GraphDesk imports each and gets a token silently; GraphDesk exports in each library's conventions and
//! the library reads the account back and gets a token silently from it.

mod common;

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
        // The peers' scripts reach the admin API over plain http.
        .admin_api()
        .plain_http()
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

/// The fixture caches (`../shared/msal-fixtures`) GraphDesk imports and exports for the real libraries.
const FIXTURE_CACHES: [&str; 17] = [
    "msal-dotnet/MultiTenantTokenCache.json",
    "msal-dotnet/TokenCacheWithWamId.json",
    "msal-dotnet/SingleCloudTokenCache.json",
    "msal-dotnet/MultiCloudTokenCache.json",
    "msal-dotnet/token_cache_one_acc_seed.json",
    "msal-dotnet/token_cache_adfs.json",
    "msal-dotnet/CacheFromTheFuture.json",
    "msal-dotnet/cachecompat_python.bin",
    "msal-node/cache.json",
    "msal-node/default-cache.json",
    "msal-node/cache-unrecognized-entities.json",
    "msal-node/Account.json",
    "msal-python/add_by_aad.cache.json",
    "msal-python/add_by_adfs.cache.json",
    "msal-python/authority_migration_sts.cache.json",
    "msal-python/two_accounts_common.cache.json",
    "msal-python/serializable_cache_setup.json",
];

/// The app a fixture cache belongs to: the environment and client of its first credential (or account).
fn app_of(doc: &serde_json::Value) -> (String, String) {
    let first = ["AccessToken", "RefreshToken", "IdToken", "Account"]
        .iter()
        .filter_map(|s| doc[s].as_object())
        .flat_map(|m| m.values())
        .find(|e| e["environment"].is_string());
    let text = |e: Option<&serde_json::Value>, k: &str| {
        e.and_then(|e| e[k].as_str()).unwrap_or("none").to_owned()
    };
    (text(first, "environment"), text(first, "client_id"))
}

/// The (section, secret or account id) of every entry of a cache, with its credential type.
fn entries(doc: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (section, entries) in doc.as_object().into_iter().flatten() {
        for entry in entries.as_object().into_iter().flat_map(|m| m.values()) {
            let id = match section.as_str() {
                "Account" => format!(
                    "{}|{}",
                    entry["home_account_id"].as_str().unwrap_or_default(),
                    entry["realm"].as_str().unwrap_or_default()
                ),
                "AppMetadata" => entry["client_id"].as_str().unwrap_or_default().to_owned(),
                _ => match entry["secret"].as_str() {
                    Some(secret) => secret.to_owned(),
                    None => entry.to_string(),
                },
            };
            let kind = entry["credential_type"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            out.push((section.clone(), id, kind));
        }
    }
    out
}

/// Every fixture cache, imported by GraphDesk and exported in each library's conventions, is read back by the real
/// library with every entry: re-serialized by it, nothing GraphDesk wrote is missing. msal-node, by its own rules
/// (`CacheHelpers.isAccessTokenEntity` and siblings), drops entries whose `credential_type` it does not know and keeps
/// only the five sections; those are the only exceptions.
#[tokio::test(flavor = "multi_thread")]
async fn the_real_libraries_read_graphdesks_exports_of_every_fixture_cache() {
    let Some(fixtures) = common::msal_fixtures() else {
        println!("msal-fixtures not found beside the clone (../shared/msal-fixtures): skipped");
        return;
    };
    let python = tokio::task::spawn_blocking(peers::python_with_msal)
        .await
        .expect("setup")
        .expect("MSAL Python");
    let node = tokio::task::spawn_blocking(peers::msal_node)
        .await
        .expect("setup")
        .expect("msal-node");
    let dir = tempfile::tempdir().expect("dir");
    let known = [
        "AccessToken",
        "AccessToken_With_AuthScheme",
        "RefreshToken",
        "IdToken",
    ];
    for file in FIXTURE_CACHES {
        let bytes = std::fs::read(fixtures.join(file)).expect("fixture");
        let original: serde_json::Value = serde_json::from_slice(
            graphdesk_core::cache::schema::parse_document(&bytes)
                .map(|d| serde_json::to_vec(&d).expect("json"))
                .expect("parsed")
                .as_slice(),
        )
        .expect("json");
        let (environment, client_id) = app_of(&original);
        let scope = graphdesk_core::cache::CacheScope {
            environment,
            realm: "common".into(),
            client_id: client_id.clone(),
        };
        let mut cache = graphdesk_core::cache::TokenCache::new();
        cache.import(&bytes, &scope).expect("imported");
        for dialect in [Dialect::MsalPython, Dialect::MsalNode] {
            let exported: serde_json::Value =
                serde_json::from_slice(&cache.export(&scope, dialect)).expect("json");
            let path = dir.path().join("export.json");
            std::fs::write(&path, exported.to_string()).expect("written");
            let mut command = match dialect {
                Dialect::MsalPython => {
                    let mut c = tokio::process::Command::new(&python);
                    c.arg(peers::scripts_dir().join("cache_reader.py"))
                        .arg(&path);
                    c
                }
                Dialect::MsalNode => {
                    let mut c = tokio::process::Command::new("node");
                    c.arg(node.join("cache_reader.mjs"))
                        .arg(&path)
                        .arg(&client_id)
                        .current_dir(&node);
                    c
                }
            };
            command.kill_on_drop(true);
            let stdout = peers::output_of(command, &format!("{dialect:?} reads {file}"))
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let read: serde_json::Value = serde_json::from_str(stdout.trim()).expect("JSON");
            let kept = entries(&read["serialized"]);
            if dialect == Dialect::MsalPython {
                // MSAL Python lists every account entry it read.
                let mut homes: Vec<&str> = exported["Account"]
                    .as_object()
                    .into_iter()
                    .flat_map(|m| m.values())
                    .filter_map(|a| a["home_account_id"].as_str())
                    .collect();
                homes.sort_unstable();
                homes.dedup();
                let listed: Vec<&str> = read["accounts"]
                    .as_array()
                    .expect("accounts")
                    .iter()
                    .filter_map(|a| a.as_str())
                    .collect();
                assert_eq!(listed, homes, "{file}: MSAL Python's accounts");
            }
            for (section, id, kind) in entries(&exported) {
                let node_drops = dialect == Dialect::MsalNode
                    && section != "Account"
                    && section != "AppMetadata"
                    && !known.contains(&kind.as_str());
                let sections = [
                    "AccessToken",
                    "RefreshToken",
                    "IdToken",
                    "Account",
                    "AppMetadata",
                ];
                if node_drops
                    || (dialect == Dialect::MsalNode && !sections.contains(&section.as_str()))
                {
                    continue;
                }
                assert!(
                    kept.iter().any(|(s, i, _)| *s == section && *i == id),
                    "{file} via {dialect:?}: a {section} entry was lost"
                );
            }
        }
    }
}
