//! The service with a session against the emulated tenant, as the app uses it: sign in through the browser (the redirect
//! arrives as a deep link through the service), profile, quick refresh, sign out — and a restart that finds the
//! account and its token in the persisted cache.

use std::sync::Arc;
use std::time::Duration;

use graphdesk_core::GraphDesk;
use graphdesk_core::cache::persist::{CacheFile, Protection};
use graphdesk_core::clock::{SystemClock, TokioSleeper};
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::{TokenEngine, TokenSource};
use graphdesk_core::error::CoreError;
use graphdesk_core::flows::auth_code::{Cancel, Opener};
use graphdesk_core::graph::Api;
use graphdesk_core::http::ReqwestClient;
use graphdesk_core::keystore::InMemoryKeyStore;
use graphdesk_core::paths::AppPaths;
use graphdesk_core::session::{Session, SessionMode};
use graphdesk_tenant::{DEMO_CLIENT_ID, RunningTenant, TenantServer};

/// Plays the browser: the tenant's automation signs in, and the redirect comes back through the service as the OS's
/// deep link would bring it.
#[derive(Debug)]
struct Browser {
    tenant: Arc<graphdesk_tenant::Tenant>,
    service: Arc<GraphDesk>,
}

impl Opener for Browser {
    fn open(&self, url: &str) -> Result<(), CoreError> {
        let (tenant, service, url) = (self.tenant.clone(), self.service.clone(), url.to_owned());
        tokio::spawn(async move {
            let redirect = graphdesk_tenant::automation::complete_authorization(
                &tenant,
                &url,
                "adele@contoso.example",
                None,
                true,
            )
            .expect("signed in");
            assert!(service.receive_redirect(&redirect).result.is_ok());
        });
        Ok(())
    }
}

fn open_session(
    tenant: &RunningTenant,
    dir: &std::path::Path,
    keys: Arc<InMemoryKeyStore>,
) -> (Session, Option<String>) {
    let config = ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(tenant.authority("organizations"))
        .extra_root_ca_pem(tenant.ca_pem())
        .build()
        .expect("config");
    let http = ReqwestClient::new(Duration::from_secs(10), Some(tenant.ca_pem()))
        .expect("http")
        .shared();
    let engine = TokenEngine::new(config, http, Arc::new(SystemClock), Arc::new(TokioSleeper));
    let file = CacheFile::new(dir.join("token_cache.bin"), Protection::Keyring(keys));
    let api = Api::custom(
        &format!("{}/v1.0", tenant.https_url()),
        vec!["User.Read".into()],
    )
    .expect("api");
    Session::open(
        engine,
        file,
        SessionMode::Demo {
            tenant_url: tenant.https_url(),
        },
        api,
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_profile_refresh_sign_out_and_restart() {
    let tenant = TenantServer::new().start().await.expect("tenant");
    let dir = tempfile::tempdir().expect("dir");
    let keys = Arc::new(InMemoryKeyStore::default());
    let service = Arc::new(GraphDesk::new(AppPaths::rooted_at(dir.path())).expect("service"));
    let (session, warning) = open_session(&tenant, dir.path(), keys.clone());
    assert_eq!(warning, None);
    let session = service.attach(session);
    assert!(matches!(
        service.status().mode,
        Some(SessionMode::Demo { .. })
    ));

    let browser = Browser {
        tenant: tenant.tenant().clone(),
        service: service.clone(),
    };
    let signed_in = session
        .sign_in(&browser, &Cancel::new())
        .await
        .expect("signed in");
    assert_eq!(
        (signed_in.account.username.as_str(), signed_in.source),
        ("adele@contoso.example", TokenSource::Interactive)
    );
    assert_eq!(signed_in.cache_warning, None, "saved");
    let profile = session
        .profile("adele@contoso.example")
        .await
        .expect("profile");
    assert_eq!(profile.display_name.as_deref(), Some("Adele Vance"));
    let refreshed = service.quick_refresh().await.expect("quick refresh");
    assert_eq!(refreshed.source, TokenSource::Cache);

    // A restart: a new session over the same file finds the account and answers from the cache.
    drop(session);
    let (restarted, warning) = open_session(&tenant, dir.path(), keys.clone());
    assert_eq!(warning, None);
    let restarted = service.attach(restarted);
    assert_eq!(restarted.accounts().len(), 1);
    tenant.clear_requests();
    assert_eq!(
        service.quick_refresh().await.expect("silent").source,
        TokenSource::Cache
    );
    assert!(tenant.requests().is_empty(), "no interaction, no request");

    assert_eq!(
        restarted
            .sign_out("adele@contoso.example")
            .expect("signed out"),
        None
    );
    assert!(restarted.accounts().is_empty());
    assert!(matches!(
        service.quick_refresh().await,
        Err(CoreError::NotSignedIn)
    ));
    let (after, _) = open_session(&tenant, dir.path(), keys);
    assert!(after.accounts().is_empty(), "the sign-out was saved");
}
