//! Opening the session at start. With no app registration configured (a first run), GraphDesk runs in demo mode: it
//! starts the emulated tenant in-process on loopback, trusts its CA, and signs in against it with the demo app — clearly
//! labelled in the window as a demo tenant, and with its own cache file so demo tokens never mix with real ones. The
//! tenant keeps its ports, key and refresh tokens in the data directory, so a demo sign-in survives a restart; the CLI
//! uses the app's running tenant when there is one, and starts its own otherwise.

use std::sync::Arc;
use std::time::Duration;

use graphdesk_core::CoreError;
use graphdesk_core::cache::persist::CacheFile;
use graphdesk_core::clock::{SystemClock, TokioSleeper};
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::TokenEngine;
use graphdesk_core::graph::Api;
use graphdesk_core::http::ReqwestClient;
use graphdesk_core::keystore::OsKeyring;
use graphdesk_core::session::{Session, SessionMode};
use graphdesk_tenant::durable::DurableFile;
use graphdesk_tenant::{DEMO_CLIENT_ID, RunningTenant, TenantServer};

/// A session, the demo tenant it needs (keep it alive), and a warning for the window.
pub type Opened = (Option<RunningTenant>, Session, Option<String>);

/// The keyring service GraphDesk's items live under.
pub const KEYRING_SERVICE: &str = "GraphDesk";

/// The demo tenant's kept state, in the data directory.
const STATE_FILE: &str = "demo_tenant_state.json";

fn tenant_error(e: impl std::fmt::Display) -> CoreError {
    CoreError::DemoUnavailable {
        detail: e.to_string(),
    }
}

/// Starts the demo tenant and opens a session against it. Returns the tenant (keep it alive), the session, and a
/// warning for the window when the persisted cache could not be loaded.
pub async fn open_demo(
    data_dir: &std::path::Path,
) -> Result<(RunningTenant, Session, Option<String>), CoreError> {
    let tenant = TenantServer::new()
        .durable(data_dir.join(STATE_FILE))
        .start()
        .await
        .map_err(tenant_error)?;
    tracing::info!(tenant = %tenant.https_url(), "demo mode: emulated tenant started");
    let (session, warning) = demo_session(&Reachable::of(&tenant), data_dir)?;
    Ok((tenant, session, warning))
}

/// A running demo tenant as a session reaches it: its https URL and the CA to trust.
#[derive(Debug, Clone)]
pub struct Reachable {
    url: String,
    ca_pem: String,
}

impl Reachable {
    /// How to reach `tenant`.
    pub fn of(tenant: &RunningTenant) -> Self {
        Self {
            url: tenant.https_url(),
            ca_pem: tenant.ca_pem().to_owned(),
        }
    }
}

/// For the CLI: a session against the demo tenant the running app serves (found through its state file), or against
/// one started for this call when the app is not running (then returned, to keep alive).
pub async fn attach_demo(data_dir: &std::path::Path) -> Result<Opened, CoreError> {
    let kept = DurableFile::new(data_dir.join(STATE_FILE))
        .load()
        .ok()
        .flatten();
    if let Some(kept) = kept
        && let Some(ca_pem) = &kept.ca_pem
        && tokio::time::timeout(
            Duration::from_millis(500),
            tokio::net::TcpStream::connect(("127.0.0.1", kept.https_port)),
        )
        .await
        .is_ok_and(|connected| connected.is_ok())
    {
        let tenant = Reachable {
            url: format!("https://127.0.0.1:{}", kept.https_port),
            ca_pem: ca_pem.clone(),
        };
        let (session, warning) = demo_session(&tenant, data_dir)?;
        return Ok((None, session, warning));
    }
    let (tenant, session, warning) = open_demo(data_dir).await?;
    Ok((Some(tenant), session, warning))
}

/// A session for the demo app against `tenant`, with the demo cache file (also a new session against the tenant that
/// already runs, when a settings change stays in demo mode).
pub fn demo_session(
    tenant: &Reachable,
    data_dir: &std::path::Path,
) -> Result<(Session, Option<String>), CoreError> {
    let (url, ca_pem) = (tenant.url.as_str(), tenant.ca_pem.as_str());
    let config = ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(format!("{url}/organizations"))
        .extra_root_ca_pem(ca_pem)
        .default_scopes(["User.Read"])
        .build()?;
    let http = ReqwestClient::new(Duration::from_secs(30), Some(ca_pem))
        .map_err(tenant_error)?
        .shared();
    let engine = TokenEngine::new(config, http, Arc::new(SystemClock), Arc::new(TokioSleeper));
    let cache_file = CacheFile::new(
        data_dir.join("demo_token_cache.bin"),
        Arc::new(OsKeyring::new(KEYRING_SERVICE)),
    );
    let api = Api::custom(&format!("{url}/v1.0"), vec!["User.Read".into()])?;
    let mode = SessionMode::Demo {
        tenant_url: url.to_owned(),
    };
    Ok(Session::open(engine, cache_file, mode, api))
}
