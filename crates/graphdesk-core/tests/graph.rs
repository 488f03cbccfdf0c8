//! The Graph client against the emulated tenant's Graph: profile and photo, paging, throttling with `Retry-After` (the
//! sleep is injected, so nothing waits), exhausted retries, the claims challenge, 401/403 and malformed answers.

use std::sync::Arc;
use std::time::Duration;

use graphdesk_core::clock::{ManualClock, SystemClock};
use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::TokenEngine;
use graphdesk_core::error::{CoreError, UiRequiredReason};
use graphdesk_core::flows::auth_code::{Cancel, InteractiveOptions};
use graphdesk_core::graph::{Api, ApiClient, ApiRequest};
use graphdesk_core::http::ReqwestClient;
use graphdesk_tenant::{
    DEMO_CLIENT_ID, DEMO_TENANT_ID, Directory, Fault, FaultAction, FaultTarget, RunningTenant,
    TenantServer, User,
};

struct Setup {
    tenant: RunningTenant,
    engine: TokenEngine,
    clock: Arc<ManualClock>,
}

async fn setup(directory: Directory) -> Setup {
    let tenant = TenantServer::new()
        .directory(directory)
        .start()
        .await
        .expect("tenant");
    let config = ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(tenant.authority("organizations"))
        .extra_root_ca_pem(tenant.ca_pem())
        .build()
        .expect("config");
    let http = ReqwestClient::new(Duration::from_secs(10), Some(tenant.ca_pem()))
        .expect("http")
        .shared();
    let clock = Arc::new(ManualClock::at(graphdesk_core::clock::Clock::now(
        &SystemClock,
    )));
    let engine = TokenEngine::new(config, http, clock.clone(), Arc::new(clock.clone()));
    Setup {
        tenant,
        engine,
        clock,
    }
}

/// Signs `upn` in for `scopes` and returns the home account id.
async fn sign_in(s: &Setup, upn: &str, scopes: &[&str]) -> String {
    let scopes: Vec<String> = scopes.iter().map(|x| x.to_string()).collect();
    let request = s
        .engine
        .begin_authorization(&scopes, &InteractiveOptions::default(), None)
        .await
        .expect("url");
    let redirect = s
        .tenant
        .complete_authorization(&request.url, upn)
        .expect("signed in");
    s.engine.deliver_redirect(&redirect).expect("delivered");
    s.engine
        .finish_authorization(request, &Cancel::new())
        .await
        .expect("tokens")
        .account
        .home_account_id
}

fn api(s: &Setup, scopes: &[&str]) -> Api {
    let base = format!("{}/v1.0", s.tenant.https_url());
    Api::custom(&base, scopes.iter().map(|x| x.to_string()).collect()).expect("api")
}

fn graph_requests(tenant: &RunningTenant, path: &str) -> usize {
    tenant.requests().iter().filter(|r| r.path == path).count()
}

#[tokio::test]
async fn profile_and_photo_present_and_absent() {
    let s = setup(Directory::demo()).await;
    let adele = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let client = ApiClient::new(&s.engine, api(&s, &["User.Read"]));
    let me = client.me(&adele, &Cancel::new()).await.expect("me");
    assert_eq!(
        (me.display_name.as_deref(), me.job_title.as_deref()),
        (Some("Adele Vance"), Some("Product Manager"))
    );
    let photo = client
        .photo(&adele, &Cancel::new())
        .await
        .expect("photo")
        .expect("present");
    assert_eq!(photo.content_type, "image/png");
    assert_eq!(&photo.bytes[..4], b"\x89PNG");

    let alex = sign_in(&s, "alex@contoso.example", &["User.Read"]).await;
    assert_eq!(
        client.photo(&alex, &Cancel::new()).await.expect("no photo"),
        None
    );

    let response = client
        .send(&adele, &ApiRequest::get("/me"), &Cancel::new())
        .await
        .expect("raw");
    assert_eq!((response.status, response.attempts), (200, 1));
    assert!(response.request_id.is_some() || response.header("content-type").is_some());
}

#[tokio::test]
async fn collections_follow_next_links_up_to_a_limit() {
    let mut directory = Directory::demo();
    // The demo's five Contoso users (Nestor, the federated one, included) and seven more: twelve, four pages of three.
    for i in 0..7 {
        directory = directory.with_user(User::new(
            DEMO_TENANT_ID,
            &format!("user{i}@contoso.example"),
            "User",
            "pw",
        ));
    }
    let s = setup(directory).await;
    let lee = sign_in(&s, "lee@contoso.example", &["User.ReadBasic.All"]).await;
    let client = ApiClient::new(&s.engine, api(&s, &["User.ReadBasic.All"]));
    s.tenant.clear_requests();
    let all = client
        .collect(&lee, "/users?$top=3", 100, &Cancel::new())
        .await
        .expect("all");
    assert_eq!(all.len(), 12);
    assert_eq!(
        graph_requests(&s.tenant, "/v1.0/users"),
        4,
        "four pages of three"
    );
    let some = client
        .collect(&lee, "/users?$top=3", 5, &Cancel::new())
        .await
        .expect("some");
    assert_eq!(some.len(), 5);

    let forbidden = ApiClient::new(&s.engine, api(&s, &["User.Read"]));
    let user_read = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    match forbidden
        .collect(&user_read, "/users", 10, &Cancel::new())
        .await
    {
        Err(CoreError::Graph(e)) => {
            assert_eq!(
                (e.status, e.code.as_str()),
                (403, "Authorization_RequestDenied")
            );
            assert!(e.request_id.is_some() && e.client_request_id.is_some());
        }
        other => panic!("expected 403, got {other:?}"),
    }
}

#[tokio::test]
async fn throttling_waits_retry_after_then_succeeds_and_gives_up_when_exhausted() {
    let s = setup(Directory::demo()).await;
    let adele = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let client = ApiClient::new(&s.engine, api(&s, &["User.Read"]));
    s.tenant.inject(Fault::once(
        FaultTarget::Graph,
        FaultAction::Status {
            status: 429,
            retry_after: Some(9),
        },
    ));
    let slept = s.clock.slept();
    let response = client
        .send(&adele, &ApiRequest::get("/me"), &Cancel::new())
        .await
        .expect("after the wait");
    assert_eq!((response.status, response.attempts), (200, 2));
    assert_eq!(
        s.clock.slept() - slept,
        9,
        "waited exactly Retry-After, on the injected clock"
    );

    s.tenant.clear_requests();
    s.tenant.inject(Fault::always(
        FaultTarget::Graph,
        FaultAction::Status {
            status: 503,
            retry_after: None,
        },
    ));
    match client
        .send(&adele, &ApiRequest::get("/me"), &Cancel::new())
        .await
    {
        Err(CoreError::Graph(e)) => {
            assert_eq!((e.status, e.code.as_str()), (503, "serviceNotAvailable"))
        }
        other => panic!("expected 503, got {other:?}"),
    }
    assert_eq!(
        graph_requests(&s.tenant, "/v1.0/me"),
        4,
        "four attempts, then the typed error"
    );
    s.tenant.clear_faults();
    s.tenant.inject(Fault::always(
        FaultTarget::Graph,
        FaultAction::Status {
            status: 429,
            retry_after: Some(120),
        },
    ));
    assert!(
        matches!(client.send(&adele, &ApiRequest::get("/me"), &Cancel::new()).await, Err(CoreError::Graph(e)) if e.status == 429),
        "a wait beyond the total cap is not taken"
    );
    s.tenant.clear_faults();
    s.tenant.inject(Fault::once(
        FaultTarget::Graph,
        FaultAction::Status {
            status: 429,
            retry_after: Some(u64::MAX),
        },
    ));
    assert!(
        matches!(client.send(&adele, &ApiRequest::get("/me"), &Cancel::new()).await, Err(CoreError::Graph(e)) if e.status == 429),
        "a Retry-After past any clock is a typed error, not a panic"
    );
    s.tenant.clear_faults();
    let cancel = Cancel::new();
    cancel.cancel();
    assert!(matches!(
        client.send(&adele, &ApiRequest::get("/me"), &cancel).await,
        Err(CoreError::Cancelled)
    ));
}

#[tokio::test]
async fn a_claims_challenge_gets_a_new_token_and_one_retry() {
    let s = setup(Directory::demo()).await;
    let adele = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let client = ApiClient::new(&s.engine, api(&s, &["User.Read"]));
    s.tenant.advance_clock(5);
    s.tenant.inject(Fault::once(
        FaultTarget::Graph,
        FaultAction::ClaimsChallenge,
    ));
    s.tenant.clear_requests();
    let me = client
        .me(&adele, &Cancel::new())
        .await
        .expect("after the challenge");
    assert_eq!(
        me.user_principal_name.as_deref(),
        Some("adele@contoso.example")
    );
    let refreshes = s
        .tenant
        .requests()
        .iter()
        .filter(|r| r.grant_type.as_deref() == Some("refresh_token"))
        .count();
    assert_eq!(
        (refreshes, graph_requests(&s.tenant, "/v1.0/me")),
        (1, 2),
        "one token with claims, one retry"
    );

    // When the refresh cannot satisfy the claims, the UI gets them to sign in interactively.
    s.tenant.advance_clock(5);
    s.tenant.inject(Fault::once(
        FaultTarget::Graph,
        FaultAction::ClaimsChallenge,
    ));
    assert!(s.tenant.revoke("adele@contoso.example"));
    match client.me(&adele, &Cancel::new()).await {
        Err(CoreError::UiRequired(ui)) => {
            assert_eq!(ui.reason, UiRequiredReason::ClaimsChallenge);
            assert!(ui.claims.as_deref().is_some_and(|c| c.contains("nbf")));
        }
        other => panic!("expected UI required with claims, got {other:?}"),
    }
}

/// Issue 13: the Bearer `insufficient_claims` challenge is found when it is the second `WWW-Authenticate` header, after
/// a PoP one; a `Retry-After` HTTP date is waited out like seconds.
#[tokio::test]
async fn a_claims_challenge_after_a_pop_challenge_and_a_retry_after_date_are_honoured() {
    // The tenant's clock follows real time, GraphDesk's test clock does not: on a busy machine the date lies a second
    // or more further ahead by the time it is read.
    let started = graphdesk_core::clock::Clock::now(&graphdesk_core::clock::SystemClock);
    let s = setup(Directory::demo()).await;
    let adele = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let client = ApiClient::new(&s.engine, api(&s, &["User.Read"]));
    // Both clocks move: the tenant dates Retry-After by its clock, GraphDesk counts from its own.
    s.tenant.advance_clock(5);
    s.clock.advance(5);
    s.tenant.inject(Fault::once(
        FaultTarget::Graph,
        FaultAction::ClaimsChallengeBesidePop,
    ));
    s.tenant.clear_requests();
    client
        .me(&adele, &Cancel::new())
        .await
        .expect("after the challenge");
    let refreshes = s
        .tenant
        .requests()
        .iter()
        .filter(|r| r.grant_type.as_deref() == Some("refresh_token"))
        .count();
    assert_eq!(
        (refreshes, graph_requests(&s.tenant, "/v1.0/me")),
        (1, 2),
        "the second header's claims got a new token and one retry"
    );

    s.tenant.inject(Fault::once(
        FaultTarget::Graph,
        FaultAction::StatusWithRetryAfterDate {
            status: 503,
            retry_after: 9,
        },
    ));
    let slept = s.clock.slept();
    let response = client
        .send(&adele, &ApiRequest::get("/me"), &Cancel::new())
        .await
        .expect("after the wait");
    assert_eq!((response.status, response.attempts), (200, 2));
    let waited = s.clock.slept() - slept;
    let lag = graphdesk_core::clock::Clock::now(&graphdesk_core::clock::SystemClock) - started;
    assert!(
        (8..=9 + lag).contains(&waited),
        "waited until the date (9 s, to the second, {lag} s of real time later), not a default: {waited}"
    );
}

#[tokio::test]
async fn unauthorized_and_malformed_answers_are_typed() {
    let s = setup(Directory::demo()).await;
    let adele = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let client = ApiClient::new(&s.engine, api(&s, &["User.Read"]));
    s.tenant
        .inject(Fault::once(FaultTarget::Graph, FaultAction::MalformedBody));
    assert!(matches!(
        client.me(&adele, &Cancel::new()).await,
        Err(CoreError::Protocol { .. })
    ));

    // The tenant's clock runs past the token's expiry while ours does not: Graph says 401, with no challenge.
    s.tenant.advance_clock(4_000);
    match client.me(&adele, &Cancel::new()).await {
        Err(CoreError::Graph(e)) => {
            assert_eq!(
                (e.status, e.code.as_str()),
                (401, "InvalidAuthenticationToken")
            );
            assert!(e.message.contains("expired"));
        }
        other => panic!("expected 401, got {other:?}"),
    }
    assert!(matches!(
        client
            .send(
                &adele,
                &ApiRequest::get("https://evil.example/x"),
                &Cancel::new()
            )
            .await,
        Err(CoreError::InvalidRequest {
            field: graphdesk_core::error::RequestField::Path,
            ..
        })
    ));
}

#[tokio::test]
async fn a_slow_api_is_a_timeout() {
    let s = setup(Directory::demo()).await;
    let adele = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let config = ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(s.tenant.authority("organizations"))
        .build()
        .expect("config");
    let impatient = ReqwestClient::new(Duration::from_millis(300), Some(s.tenant.ca_pem()))
        .expect("http")
        .shared();
    let cache = graphdesk_core::cache::TokenCache::from_json(&s.engine.read_cache(|c| c.to_json()))
        .expect("copy");
    let engine = TokenEngine::new(
        config,
        impatient,
        s.clock.clone(),
        Arc::new(s.clock.clone()),
    )
    .with_cache(cache);
    let client = ApiClient::new(&engine, api(&s, &["User.Read"]));
    s.tenant.inject(Fault::once(
        FaultTarget::Graph,
        FaultAction::Delay { ms: 1_500 },
    ));
    assert!(matches!(
        client.me(&adele, &Cancel::new()).await,
        Err(CoreError::Timeout)
    ));
}
