//! The service with a session against the emulated tenant, as the app uses it: sign in through the browser (the redirect
//! arrives as a deep link through the service), profile, quick refresh, sign out — and a restart that finds the
//! account and its token in the persisted cache.

use std::sync::Arc;
use std::time::Duration;

use graphdesk_core::GraphDesk;
use graphdesk_core::cache::persist::CacheFile;
use graphdesk_core::clock::{SystemClock, TokioSleeper};
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::{TokenEngine, TokenSource};
use graphdesk_core::error::CoreError;
use graphdesk_core::flows::auth_code::{Cancel, Opener};
use graphdesk_core::graph::{Api, ApiRequest};
use graphdesk_core::http::ReqwestClient;
use graphdesk_core::keystore::{InMemoryKeyStore, KeyStore, KeyringError};
use graphdesk_core::paths::AppPaths;
use graphdesk_core::secret::{Password, SecretBytes};
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
    keys: Arc<dyn KeyStore>,
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
    let file = CacheFile::new(dir.join("token_cache.bin"), keys);
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
    // What the window receives holds none of the cached secrets.
    let window_json = serde_json::to_string(&signed_in).expect("json");
    let secrets: Vec<String> = session.engine().read_cache(|cache| {
        let doc = cache.document();
        let access = doc.access_tokens.values().map(|e| e.secret.clone());
        let refresh = doc.refresh_tokens.values().map(|e| e.secret.clone());
        let id = doc.id_tokens.values().map(|e| e.secret.clone());
        access.chain(refresh).chain(id).collect()
    });
    assert_eq!(secrets.len(), 3, "an access, a refresh and an ID token");
    for secret in &secrets {
        assert!(
            !window_json.contains(secret.as_str()),
            "a secret reached the window's JSON"
        );
    }
    let profile = session
        .profile("adele@contoso.example")
        .await
        .expect("profile");
    assert_eq!(profile.display_name.as_deref(), Some("Adele Vance"));
    // Quick refresh redeems the refresh token even though the access token is good: the expiry moves on.
    tenant.advance_clock(120);
    let refreshed = service.quick_refresh().await.expect("quick refresh");
    assert_eq!(refreshed.source, TokenSource::Refresh);
    assert!(
        refreshed.expires_on >= signed_in.expires_on,
        "{refreshed:?}"
    );
    let claims = &refreshed.decoded.as_ref().expect("a JWT").claims;
    let first_claims = &signed_in.decoded.as_ref().expect("a JWT").claims;
    assert_eq!(claims["scp"], "User.Read");
    assert!(
        claims["exp"].as_u64() > first_claims["exp"].as_u64(),
        "a new token"
    );
    assert_eq!(
        refreshed.account.tenant_profiles[0].tenant_id, claims["tid"],
        "signed in through organizations: the home tenant"
    );
    assert!(refreshed.account.tenant_profiles[0].is_home_tenant);
    assert_eq!(
        refreshed.decoded.as_ref().expect("a JWT").header["alg"],
        "RS256"
    );

    // A restart: a new session over the same file finds the account and answers from the cache.
    drop(session);
    let (restarted, warning) = open_session(&tenant, dir.path(), keys.clone());
    assert_eq!(warning, None);
    let restarted = service.attach(restarted);
    assert_eq!(restarted.accounts().len(), 1);
    tenant.clear_requests();
    let (summary, token) = restarted.token_silent(None, &[]).await.expect("silent");
    assert_eq!(summary.source, TokenSource::Cache);
    assert_eq!(
        summary.expires_on, refreshed.expires_on,
        "the refreshed token was kept"
    );
    assert!(token.secret().starts_with("eyJ"));
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

/// Signs in the way the window's buttons do, with a browser that records the authorize URLs it was given.
#[derive(Debug)]
struct RecordingBrowser {
    inner: Browser,
    seen: std::sync::Mutex<Vec<String>>,
}

impl Opener for RecordingBrowser {
    fn open(&self, url: &str) -> Result<(), CoreError> {
        self.seen.lock().expect("lock").push(url.to_owned());
        self.inner.open(url)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn acquire_token_is_silent_first_and_falls_back_to_the_browser_only_when_ui_is_required() {
    let tenant = TenantServer::new().start().await.expect("tenant");
    let dir = tempfile::tempdir().expect("dir");
    let service = Arc::new(GraphDesk::new(AppPaths::rooted_at(dir.path())).expect("service"));
    let (session, _) = open_session(&tenant, dir.path(), Arc::new(InMemoryKeyStore::default()));
    let session = service.attach(session);
    let browser = RecordingBrowser {
        inner: Browser {
            tenant: tenant.tenant().clone(),
            service: service.clone(),
        },
        seen: Default::default(),
    };
    let cancel = Cancel::new();

    // Nobody signed in: the browser.
    let first = session
        .acquire_token(None, &[], &browser, &cancel)
        .await
        .expect("token");
    assert_eq!(first.source, TokenSource::Interactive);
    // Then the cache, with no browser.
    let again = session
        .acquire_token(
            Some("adele@contoso.example"),
            &["User.Read".into()],
            &browser,
            &cancel,
        )
        .await
        .expect("token");
    assert_eq!(again.source, TokenSource::Cache);
    assert_eq!(browser.seen.lock().expect("lock").len(), 1);

    // Revoked refresh token, and scopes with no cached access token: the refresh is refused → UI required → the
    // browser, hinted with the same account.
    assert!(tenant.revoke("adele@contoso.example"));
    let refused = service.quick_refresh().await.expect_err("revoked");
    assert!(matches!(refused, CoreError::UiRequired(_)), "{refused:?}");
    let third = session
        .acquire_token(
            Some("adele@contoso.example"),
            &["Mail.Read".into()],
            &browser,
            &cancel,
        )
        .await
        .expect("signed in again");
    assert_eq!(third.source, TokenSource::Interactive);
    assert!(third.scopes.contains("Mail.Read"), "{}", third.scopes);
    let seen = browser.seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2);
    assert!(
        seen[1].contains("login_hint=adele%40contoso.example"),
        "{}",
        seen[1]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn password_device_code_and_api_calls_through_the_session() {
    let tenant = TenantServer::new()
        .config(graphdesk_tenant::TenantConfig {
            device_code_interval: 1,
            ..Default::default()
        })
        .start()
        .await
        .expect("tenant");
    let dir = tempfile::tempdir().expect("dir");
    let service = Arc::new(GraphDesk::new(AppPaths::rooted_at(dir.path())).expect("service"));
    let (session, _) = open_session(&tenant, dir.path(), Arc::new(InMemoryKeyStore::default()));
    let session = service.attach(session);

    let password = graphdesk_core::secret::Password::new("demo");
    let alex = session
        .sign_in_with_password("alex@contoso.example", &password)
        .await
        .expect("ROPC");
    assert_eq!(alex.source, TokenSource::UsernamePassword);
    assert_eq!(
        session.active().as_deref(),
        Some(alex.account.home_account_id.as_str())
    );
    let mfa = session
        .sign_in_with_password("megan@contoso.example", &password)
        .await
        .expect_err("MFA");
    let CoreError::UiRequired(ui) = &mfa else {
        panic!("{mfa:?}")
    };
    assert!(
        ui.description
            .as_deref()
            .unwrap_or("")
            .contains("multi-factor"),
        "{ui:?}"
    );
    assert_eq!(
        session.accounts().len(),
        1,
        "a refused sign-in adds no account"
    );

    let flow = session.start_device_code().await.expect("device code");
    assert!(!flow.user_code.is_empty() && flow.verification_uri.ends_with("/devicelogin"));
    tenant
        .decide_device_code(&flow.user_code, "adele@contoso.example", true)
        .expect("approved");
    let mut ticks = 0;
    let adele = session
        .complete_device_code(&flow, &Cancel::new(), |_| ticks += 1)
        .await
        .expect("device code sign-in");
    assert_eq!(adele.source, TokenSource::DeviceCode);
    assert_eq!(session.accounts().len(), 2);

    // The request bar: the active account (Adele now). Listing users needs a scope nobody consented to yet: UI required,
    // then the browser (which consents), then the call goes through — and pages.
    let browse = ["User.ReadBasic.All".to_owned()];
    let users = ApiRequest::get("/users?$top=2");
    let consent = session
        .call_api(None, &browse, &users, &Cancel::new())
        .await
        .expect_err("not consented");
    assert!(matches!(consent, CoreError::UiRequired(_)), "{consent:?}");
    let browser = Browser {
        tenant: tenant.tenant().clone(),
        service: service.clone(),
    };
    let consented = session
        .acquire_token(None, &browse, &browser, &Cancel::new())
        .await
        .expect("consented in the browser");
    assert_eq!(consented.source, TokenSource::Interactive);
    let page = session
        .call_api(None, &browse, &users, &Cancel::new())
        .await
        .expect("users");
    assert_eq!(page.response.status, 200);
    assert_eq!(
        page.json.as_ref().expect("json")["value"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let next = page.next_link.clone().expect("more pages");
    let second = session
        .call_api(None, &browse, &ApiRequest::get(next), &Cancel::new())
        .await
        .expect("page two");
    assert_ne!(second.json, page.json);
    let me = session
        .call_api(
            Some("alex@contoso.example"),
            &[],
            &ApiRequest::get("/me"),
            &Cancel::new(),
        )
        .await
        .expect("me");
    assert_eq!(
        me.json.as_ref().expect("json")["displayName"],
        "Alex Wilber"
    );
    let missing = session
        .call_api(None, &[], &ApiRequest::get("/nothing-here"), &Cancel::new())
        .await
        .expect_err("404");
    assert!(
        matches!(&missing, CoreError::Graph(e) if e.status == 400 && e.code == "BadRequest" && e.request_id.is_some()),
        "{missing:?}"
    );
    assert!(
        session
            .photo("alex@contoso.example")
            .await
            .expect("photo call")
            .is_none()
    );
    let photo = session
        .photo(&adele.account.home_account_id)
        .await
        .expect("photo call")
        .expect("Adele has a photo");
    assert!(photo.content_type.starts_with("image/"));
}

/// A browser that shows the sign-in page and waits: the user has not finished, so the sign-in stays pending.
#[derive(Debug, Default)]
struct WaitingBrowser {
    url: std::sync::Mutex<Option<String>>,
}

impl Opener for WaitingBrowser {
    fn open(&self, url: &str) -> Result<(), CoreError> {
        *self.url.lock().expect("lock") = Some(url.to_owned());
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_sign_in_links_are_refused_typed_and_cause_no_token_request() {
    let tenant = TenantServer::new().start().await.expect("tenant");
    let dir = tempfile::tempdir().expect("dir");
    let service = Arc::new(GraphDesk::new(AppPaths::rooted_at(dir.path())).expect("service"));
    let (session, _) = open_session(&tenant, dir.path(), Arc::new(InMemoryKeyStore::default()));
    let session = service.attach(session);
    let browser = Arc::new(WaitingBrowser::default());
    let signing_in = {
        let (session, browser) = (session.clone(), browser.clone());
        tokio::spawn(async move { session.sign_in(browser.as_ref(), &Cancel::new()).await })
    };
    let authorize_url = loop {
        if let Some(url) = browser.url.lock().expect("lock").clone() {
            break url;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let state = url::Url::parse(&authorize_url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    tenant.clear_requests();

    let long = "a".repeat(9_000);
    let corpus: Vec<(String, &str)> = vec![
        (format!("https://auth?code=c&state={state}"), "wrongTarget"),
        (format!("http://127.0.0.1:1/?code=c&state={state}"), "wrongTarget"),
        (format!("graphdesk://evil?code=c&state={state}"), "wrongTarget"),
        (format!("graphdesk://auth/extra?code=c&state={state}"), "wrongTarget"),
        (format!("graphdesk://user@auth?code=c&state={state}"), "wrongTarget"),
        (format!("graphdesk://auth:8080?code=c&state={state}"), "wrongTarget"),
        (format!("otherapp://auth?code=c&state={state}"), "wrongTarget"),
        ("javascript:alert(1)".into(), "wrongTarget"),
        ("file:///etc/passwd".into(), "wrongTarget"),
        ("data:text/html,<script>alert(1)</script>".into(), "wrongTarget"),
        ("not a url at all".into(), "malformed"),
        ("".into(), "malformed"),
        ("graphdesk://auth".into(), "missingParameter"),
        ("graphdesk://auth?code=c".into(), "missingParameter"),
        (format!("graphdesk://auth?state={state}"), "missingParameter"),
        ("graphdesk://auth?code=c&state=forged-state".into(), "unknownState"),
        ("graphdesk://auth?code=c&state=".into(), "missingParameter"),
        (format!("graphdesk://auth?code=c&state={state}x"), "unknownState"),
        (format!("graphdesk://auth?code=c&state={}", &state[..state.len() - 1]), "unknownState"),
        (format!("graphdesk://auth?code=c&state={state}&state={state}"), "duplicateParameter"),
        (format!("graphdesk://auth?code=c&code=d&state={state}"), "duplicateParameter"),
        (format!("graphdesk://auth?code={long}&state={state}"), "tooLong"),
        (format!("graphdesk://auth?code=%ZZ&state={state}"), "badEncoding"),
        (format!("graphdesk://auth?code=%C3%28&state={state}"), "badEncoding"),
        (format!("graphdesk://auth?code=c&state={state}#frag"), "fragment"),
        (format!("graphdesk://auth#access_token=eyJ.x.y&state={state}"), "fragment"),
        (format!("graphdesk://auth?code=c&state={state}&access_token=eyJ.x.y"), "forbiddenParameter"),
        (format!("graphdesk://auth?code=c&state={state}&id_token=eyJ.x.y"), "forbiddenParameter"),
        (format!("graphdesk://auth?code=c&state={state}&refresh_token=0.AR"), "forbiddenParameter"),
        (format!("graphdesk://auth?access_token=eyJ.x.y&token_type=Bearer&state={state}"), "forbiddenParameter"),
        (format!("graphdesk://auth?code=c&error=access_denied&state={state}"), "codeAndError"),
        (
            "graphdesk://auth?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&error_description=%3Cimg%20src%3Dx%3E&state=forged"
                .into(),
            "unknownState",
        ),
        ("graphdesk://auth?code=c%0d%0aSet-Cookie:%20x&state=forged".into(), "unknownState"),
        ("GRAPHDESK://AUTH?code=c&state=forged".into(), "unknownState"),
    ];
    assert!(corpus.len() >= 30, "{}", corpus.len());
    for (link, reason) in &corpus {
        let receipt = service.receive_redirect(link);
        let error = receipt
            .result
            .expect_err(&format!("accepted: {}", &link[..link.len().min(80)]));
        assert_eq!(
            serde_json::to_value(&error).expect("json")["reason"],
            *reason,
            "{}",
            &link[..link.len().min(80)]
        );
        // The fingerprint names the link without repeating it.
        assert!(!receipt.fingerprint.contains("code") && receipt.fingerprint.len() <= 16);
    }
    assert!(
        tenant.requests().iter().all(|r| r.grant_type.is_none()),
        "no token request: {:?}",
        tenant.requests()
    );

    // The genuine redirect still completes the sign-in the hostile links tried to hijack; then it cannot be replayed.
    let genuine = graphdesk_tenant::automation::complete_authorization(
        tenant.tenant(),
        &authorize_url,
        "adele@contoso.example",
        None,
        true,
    )
    .expect("signed in");
    assert!(service.receive_redirect(&genuine).result.is_ok());
    let signed_in = signing_in.await.expect("task").expect("signed in");
    assert_eq!(signed_in.account.username, "adele@contoso.example");
    let replay = service
        .receive_redirect(&genuine)
        .result
        .expect_err("replay");
    assert!(
        matches!(
            serde_json::to_value(&replay).expect("json")["reason"].as_str(),
            Some("replayedState" | "noSignInInProgress")
        ),
        "{replay:?}"
    );
    let token_requests = tenant
        .requests()
        .iter()
        .filter(|r| r.grant_type.is_some())
        .count();
    assert_eq!(token_requests, 1, "exactly the genuine code redemption");
}

/// A keyring that holds every call while it is shut, as an unlock prompt does.
#[derive(Debug, Default)]
struct ShutKeyring {
    keys: InMemoryKeyStore,
    shut: std::sync::Mutex<bool>,
    opened: std::sync::Condvar,
    asked: std::sync::atomic::AtomicBool,
}

impl ShutKeyring {
    fn shut() -> Self {
        let keyring = Self::default();
        *keyring.shut.lock().expect("lock") = true;
        keyring
    }

    fn open(&self) {
        *self.shut.lock().expect("lock") = false;
        self.opened.notify_all();
    }

    fn is_shut(&self) -> bool {
        *self.shut.lock().expect("lock")
    }

    fn wait(&self) {
        self.asked.store(true, std::sync::atomic::Ordering::SeqCst);
        let shut = self.shut.lock().expect("lock");
        drop(self.opened.wait_while(shut, |shut| *shut).expect("lock"));
    }
}

impl KeyStore for ShutKeyring {
    fn get(&self, name: &str) -> Result<Option<SecretBytes>, KeyringError> {
        self.wait();
        self.keys.get(name)
    }
    fn set(&self, name: &str, value: &SecretBytes) -> Result<(), KeyringError> {
        self.wait();
        self.keys.set(name, value)
    }
    fn delete(&self, name: &str) -> Result<bool, KeyringError> {
        self.wait();
        self.keys.delete(name)
    }
}

/// A save waiting on the keyring (an unlock prompt) holds no lock a lookup needs and no async worker: on a runtime
/// with one thread, a silent lookup answers from the cache while the save still waits.
#[tokio::test(flavor = "current_thread")]
async fn a_save_waiting_on_the_keyring_does_not_block_a_silent_lookup() {
    let tenant = TenantServer::new().start().await.expect("tenant");
    let dir = tempfile::tempdir().expect("temp dir");
    let keyring = Arc::new(ShutKeyring::shut());
    let (session, _) = open_session(&tenant, dir.path(), keyring.clone());
    let session = Arc::new(session);
    // Whatever happens, the keyring opens after a while: a save that blocks the runtime cannot hang the test.
    let watchdog = {
        let keyring = keyring.clone();
        std::thread::spawn(move || {
            let shut = keyring.shut.lock().expect("lock");
            let waited = keyring
                .opened
                .wait_timeout_while(shut, Duration::from_secs(8), |s| *s);
            drop(waited.expect("lock"));
            keyring.open();
        })
    };
    let sign_in = tokio::spawn({
        let session = session.clone();
        async move {
            session
                .sign_in_with_password("adele@contoso.example", &Password::new("demo"))
                .await
        }
    });
    while !keyring.asked.load(std::sync::atomic::Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (summary, _) = session
        .token_silent(Some("adele@contoso.example"), &[])
        .await
        .expect("the token from the cache");
    assert_eq!(summary.source, TokenSource::Cache);
    assert!(
        keyring.is_shut(),
        "the silent lookup answered only after the keyring opened: the save held it up"
    );
    keyring.open();
    let signed_in = sign_in.await.expect("the sign-in task").expect("signed in");
    assert_eq!(
        signed_in.cache_warning, None,
        "the save finished once the keyring opened"
    );
    assert!(dir.path().join("token_cache.bin").exists());
    watchdog.join().expect("watchdog");
}
