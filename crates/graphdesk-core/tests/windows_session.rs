//! The session's Windows sign-ins, with stand-ins for what only Windows has: a broker that answers as WAM does (it signs
//! in at the emulated tenant and hands back only an access token and the account), and a Windows identity with the test
//! ticket the tenant's federation server accepts. The broker's answers are filed in GraphDesk's cache without a refresh
//! token, served from it while they last, and renewed through the broker — never the browser — when they expire.

mod common;

use std::sync::{Arc, Mutex};

use common::{TestWindows, engine_for};
use graphdesk_core::broker::{Broker, ParentWindow};
use graphdesk_core::cache::persist::CacheFile;
use graphdesk_core::clock::{BoxFuture, Clock, ManualClock, SystemClock};
use graphdesk_core::engine::{Account, TokenEngine, TokenResult, TokenSource};
use graphdesk_core::error::CoreError;
use graphdesk_core::flows::auth_code::{Cancel, Opener};
use graphdesk_core::graph::{Api, ApiRequest};
use graphdesk_core::keystore::InMemoryKeyStore;
use graphdesk_core::secret::Password;
use graphdesk_core::session::{Session, SessionMode};
use graphdesk_tenant::directory::{DEMO_FEDERATED_DOMAIN, DEMO_WINDOWS_TICKET};
use graphdesk_tenant::{Directory, RunningTenant, TenantServer};

/// WAM, played by a second engine that signs Adele in at the tenant: the session sees only what WAM returns.
#[derive(Debug)]
struct FakeWam {
    minter: TokenEngine,
    calls: Mutex<Vec<(&'static str, Option<ParentWindow>)>>,
    /// The accounts Windows holds for the app.
    listed: Mutex<Vec<Account>>,
}

impl FakeWam {
    /// A broker for `tenant`; WAM computes expiry on the same machine clock as GraphDesk.
    fn at(tenant: &RunningTenant, clock: &Arc<ManualClock>) -> Arc<Self> {
        Arc::new(Self {
            minter: engine_for(tenant, clock.clone()),
            calls: Mutex::default(),
            listed: Mutex::default(),
        })
    }

    async fn mint(&self, scopes: &[String]) -> Result<TokenResult, CoreError> {
        let mut result = self
            .minter
            .acquire_token_by_username_password(
                scopes,
                "adele@contoso.example",
                &Password::new("demo"),
            )
            .await?;
        result.source = TokenSource::Broker;
        Ok(result)
    }

    fn calls(&self) -> Vec<(&'static str, Option<ParentWindow>)> {
        self.calls.lock().expect("calls").clone()
    }
}

impl Broker for FakeWam {
    fn accounts(&self) -> BoxFuture<'_, Result<Vec<Account>, CoreError>> {
        let listed = self.listed.lock().expect("listed").clone();
        Box::pin(async move { Ok(listed) })
    }

    fn acquire_token_silent<'a>(
        &'a self,
        scopes: &'a [String],
        _account: &'a Account,
    ) -> BoxFuture<'a, Result<TokenResult, CoreError>> {
        self.calls.lock().expect("calls").push(("silent", None));
        Box::pin(self.mint(scopes))
    }

    fn acquire_token_interactive<'a>(
        &'a self,
        scopes: &'a [String],
        _login_hint: Option<&'a str>,
        parent: Option<ParentWindow>,
    ) -> BoxFuture<'a, Result<TokenResult, CoreError>> {
        self.calls
            .lock()
            .expect("calls")
            .push(("interactive", parent));
        Box::pin(self.mint(scopes))
    }

    fn sign_out<'a>(&'a self, _account: &'a Account) -> BoxFuture<'a, Result<(), CoreError>> {
        self.calls.lock().expect("calls").push(("sign out", None));
        Box::pin(async { Ok(()) })
    }
}

/// The browser must not be asked when the broker is chosen.
#[derive(Debug)]
struct NoBrowser;

impl Opener for NoBrowser {
    fn open(&self, _url: &str) -> Result<(), CoreError> {
        panic!("the browser was opened although the broker signs in");
    }
}

/// A session at a fresh demo tenant, its cache in `dir`.
fn session(tenant: &RunningTenant, dir: &std::path::Path, clock: Arc<ManualClock>) -> Session {
    let api = Api::custom(
        &format!("{}/v1.0", tenant.https_url()),
        vec!["User.Read".into()],
    )
    .expect("api");
    let file = CacheFile::new(
        dir.join("token_cache.bin"),
        Arc::new(InMemoryKeyStore::default()),
    );
    Session::open(
        engine_for(tenant, clock),
        file,
        SessionMode::Demo {
            tenant_url: tenant.https_url(),
        },
        api,
    )
    .0
}

/// A fresh demo tenant, a data directory and a clock.
async fn start() -> (RunningTenant, tempfile::TempDir, Arc<ManualClock>) {
    let tenant = TenantServer::new()
        .directory(Directory::demo())
        .start()
        .await
        .expect("tenant");
    let dir = tempfile::tempdir().expect("dir");
    (tenant, dir, Arc::new(ManualClock::at(SystemClock.now())))
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_broker_sign_in_goes_through_it_and_expired_tokens_are_renewed_by_it() {
    let (tenant, dir, clock) = start().await;
    let wam = FakeWam::at(&tenant, &clock);
    let session = session(&tenant, dir.path(), clock.clone()).with_broker(wam.clone());
    assert!(session.uses_broker());
    session.set_parent_window(ParentWindow(0x2a));

    let signed_in = session
        .sign_in(&NoBrowser, &Cancel::new())
        .await
        .expect("signed in");
    assert_eq!(signed_in.source, TokenSource::Broker);
    assert_eq!(signed_in.account.username, "adele@contoso.example");
    assert_eq!(wam.calls(), [("interactive", Some(ParentWindow(0x2a)))]);
    let refresh_tokens = session
        .engine()
        .read_cache(|c| c.document().refresh_tokens.len());
    assert_eq!(
        refresh_tokens, 0,
        "the OS keeps the broker's refresh token, GraphDesk none"
    );

    // While it lasts, the filed token is a cache hit: the broker is not asked.
    let (cached, _) = session.token_silent(None, &[]).await.expect("silent");
    assert_eq!(cached.source, TokenSource::Cache);
    let me = session
        .call_api(None, &[], &ApiRequest::get("/me"), &Cancel::new())
        .await
        .expect("me");
    assert_eq!(me.response.status, 200);
    assert_eq!(wam.calls().len(), 1);

    // Expired, with no refresh token: the broker renews it silently, not the browser.
    clock.advance(3_600);
    tenant.advance_clock(3_600);
    let renewed = session.token_silent(None, &[]).await.expect("renewed");
    assert_eq!(renewed.0.source, TokenSource::Broker);
    assert_eq!(wam.calls().last().map(|c| c.0), Some("silent"));
    // And the request bar's call, after another expiry, is renewed and sent again once.
    clock.advance(3_600);
    tenant.advance_clock(3_600);
    let me = session
        .call_api(None, &[], &ApiRequest::get("/me"), &Cancel::new())
        .await
        .expect("me again");
    assert_eq!(me.response.status, 200);
    assert_eq!(wam.calls().iter().filter(|c| c.0 == "silent").count(), 2);

    // Signing out leaves Windows' broker too, and GraphDesk's cache.
    let warning = session
        .sign_out_everywhere("adele@contoso.example")
        .await
        .expect("signed out");
    assert_eq!(warning, None);
    assert_eq!(wam.calls().last().map(|c| c.0), Some("sign out"));
    assert!(session.accounts().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn integrated_windows_sign_in_through_the_session_becomes_the_active_account() {
    let (tenant, dir, clock) = start().await;
    let session = session(&tenant, dir.path(), clock);
    let upn = format!("nestor@{DEMO_FEDERATED_DOMAIN}");
    let summary = session
        .sign_in_integrated_windows(None, &TestWindows::signed_in_as(&upn, DEMO_WINDOWS_TICKET))
        .await
        .expect("signed in");
    assert_eq!(summary.source, TokenSource::IntegratedWindows);
    assert_eq!(
        session.active().as_deref(),
        Some(summary.account.home_account_id.as_str())
    );
    let (silent, _) = session.token_silent(None, &[]).await.expect("silent");
    assert_eq!(silent.account.username, upn);
}

/// An account Windows holds for the app but GraphDesk never signed in is listed, and choosing it signs it in through
/// the broker without a prompt.
#[tokio::test(flavor = "multi_thread")]
async fn accounts_only_windows_holds_are_listed_and_chosen_without_a_prompt() {
    let (tenant, dir, clock) = start().await;
    let wam = FakeWam::at(&tenant, &clock);
    let windows_account = wam
        .mint(&["User.Read".into()])
        .await
        .expect("Windows' account")
        .account;
    wam.listed
        .lock()
        .expect("listed")
        .push(windows_account.clone());
    let session = session(&tenant, dir.path(), clock).with_broker(wam.clone());
    assert!(session.accounts().is_empty(), "GraphDesk's cache is empty");
    let listed = session.accounts_everywhere().await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].home_account_id, windows_account.home_account_id);

    let chosen = session
        .choose_everywhere("adele@contoso.example")
        .await
        .expect("chosen");
    assert_eq!(chosen.home_account_id, windows_account.home_account_id);
    assert_eq!(wam.calls(), [("silent", None)], "no prompt");
    assert_eq!(
        session.active().as_deref(),
        Some(windows_account.home_account_id.as_str())
    );
    let (cached, _) = session
        .token_silent(None, &[])
        .await
        .expect("filed in the cache");
    assert_eq!(cached.source, TokenSource::Cache);
    // Listed once, not twice, now that the cache holds it too.
    assert_eq!(session.accounts_everywhere().await.len(), 1);
    let unknown = session
        .choose_everywhere("nobody@contoso.example")
        .await
        .expect_err("unknown");
    assert!(matches!(unknown, CoreError::NotSignedIn), "{unknown:?}");
}
