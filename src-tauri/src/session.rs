//! Which session GraphDesk opens: the app registration in the settings, or — with none configured — demo mode against
//! the built-in emulated tenant. The window, the settings panel and the CLI all open sessions through here.

use std::sync::Arc;
use std::time::Duration;

use graphdesk_core::CoreError;
use graphdesk_core::cache::persist::CacheFile;
use graphdesk_core::clock::{SystemClock, TokioSleeper};
use graphdesk_core::engine::TokenEngine;
use graphdesk_core::http::ReqwestClient;
use graphdesk_core::keystore::OsKeyring;
use graphdesk_core::paths::AppPaths;
use graphdesk_core::session::{Session, SessionMode};
use graphdesk_core::settings::Settings;

use crate::demo;
pub use crate::demo::Opened;

/// The session for the app: configured, or demo mode — against `running`, the demo tenant that already runs, when
/// there is one (only one tenant can hold its ports), else with a tenant started in-process (returned: keep it alive).
pub async fn open(
    paths: &AppPaths,
    settings: &Settings,
    running: Option<&demo::Reachable>,
) -> Result<Opened, CoreError> {
    if settings.is_configured() {
        let (session, warning) = open_configured(paths, settings)?;
        return Ok((None, session, warning));
    }
    if let Some(tenant) = running {
        let (session, warning) = demo::demo_session(tenant, paths.data_dir())?;
        return Ok((None, session, warning));
    }
    let (tenant, session, warning) = demo::open_demo(paths.data_dir()).await?;
    Ok((Some(tenant), session, warning))
}

/// The session for the CLI: as the app's, but in demo mode it uses the running app's tenant when there is one.
pub async fn open_for_cli(paths: &AppPaths) -> Result<Opened, CoreError> {
    let settings = Settings::load(paths.data_dir())?;
    if settings.is_configured() {
        let (session, warning) = open_configured(paths, &settings)?;
        return Ok((None, session, warning));
    }
    demo::attach_demo(paths.data_dir()).await
}

/// The configured app registration, its cache file (encrypted, key in the OS keyring) and Microsoft Graph.
fn open_configured(
    paths: &AppPaths,
    settings: &Settings,
) -> Result<(Session, Option<String>), CoreError> {
    let config = settings.client_config()?;
    let http = ReqwestClient::new(Duration::from_secs(30), config.extra_root_ca_pem.as_deref())
        .map_err(|e| CoreError::Config {
            field: graphdesk_core::error::ConfigField::ExtraRootCaFile,
            reason: e.to_string(),
        })?
        .shared();
    let mode = SessionMode::Configured {
        authority: settings.authority_url(),
        client_id: config.client_id.clone(),
    };
    // Chosen in the settings (Windows only; the settings refuse it elsewhere): WAM signs in instead of the browser.
    let broker = if settings.use_windows_broker {
        Some(graphdesk_core::broker::platform_broker(&config)?)
    } else {
        None
    };
    let engine = TokenEngine::new(config, http, Arc::new(SystemClock), Arc::new(TokioSleeper));
    let cache_file = CacheFile::new(
        paths.cache_file(),
        Arc::new(OsKeyring::new(demo::KEYRING_SERVICE)),
    );
    let (session, warning) = Session::open(engine, cache_file, mode, settings.api()?);
    Ok(match broker {
        Some(broker) => (session.with_broker(broker), warning),
        None => (session, warning),
    })
}
