//! Opening the session at start. With no app registration configured (a first run), GraphDesk runs in demo mode: it
//! starts the emulated tenant in-process on loopback, trusts its CA, and signs in against it with the demo app — clearly
//! labelled in the window as a demo tenant, and with its own cache file so demo tokens never mix with real ones.

use std::sync::Arc;
use std::time::Duration;

use graphdesk_core::CoreError;
use graphdesk_core::cache::persist::{CacheFile, Protection};
use graphdesk_core::clock::{SystemClock, TokioSleeper};
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::TokenEngine;
use graphdesk_core::graph::Api;
use graphdesk_core::http::ReqwestClient;
use graphdesk_core::keystore::OsKeyring;
use graphdesk_core::session::{Session, SessionMode};
use graphdesk_tenant::{DEMO_CLIENT_ID, RunningTenant, TenantServer};

/// The keyring service GraphDesk's items live under.
pub const KEYRING_SERVICE: &str = "GraphDesk";

/// Starts the demo tenant and opens a session against it. Returns the tenant (keep it alive), the session, and a
/// warning for the window when the persisted cache could not be loaded.
pub async fn open_demo(
    data_dir: &std::path::Path,
) -> Result<(RunningTenant, Session, Option<String>), CoreError> {
    // Kept across restarts (ports, signing key, refresh tokens), so a demo sign-in lasts like a real one.
    let tenant = TenantServer::new()
        .durable(data_dir.join("demo_tenant_state.json"))
        .start()
        .await
        .map_err(|e| CoreError::Config {
            field: "demo tenant".into(),
            reason: e.to_string(),
        })?;
    let config = ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(tenant.authority("organizations"))
        .extra_root_ca_pem(tenant.ca_pem())
        .default_scopes(["User.Read"])
        .build()?;
    let http = ReqwestClient::new(Duration::from_secs(30), Some(tenant.ca_pem()))
        .map_err(|e| CoreError::Config {
            field: "extra_root_ca_pem".into(),
            reason: e.to_string(),
        })?
        .shared();
    let engine = TokenEngine::new(config, http, Arc::new(SystemClock), Arc::new(TokioSleeper));
    let cache_file = CacheFile::new(
        data_dir.join("demo_token_cache.bin"),
        Protection::Keyring(Arc::new(OsKeyring::new(KEYRING_SERVICE))),
    );
    let api = Api::custom(
        &format!("{}/v1.0", tenant.https_url()),
        vec!["User.Read".into()],
    )?;
    let mode = SessionMode::Demo {
        tenant_url: tenant.https_url(),
    };
    let (session, warning) = Session::open(engine, cache_file, mode, api);
    tracing::info!(tenant = %tenant.https_url(), "demo mode: emulated tenant started");
    Ok((tenant, session, warning))
}
