//! The token engine against the emulated tenant, over https: interactive (PKCE via the redirect registry and via the
//! loopback receiver), silent hits and refreshes (expiry, rotation, `refresh_on`, force, claims), single-flight under
//! 100 concurrent callers, every "UI required" class, device code, username/password, accounts, and retries.

use std::sync::Arc;
use std::time::Duration;

use graphdesk_core::config::ClientConfig;
use graphdesk_core::engine::{SilentOptions, TokenEngine, TokenSource};
use graphdesk_core::error::{CoreError, UiRequiredReason};
use graphdesk_core::flows::auth_code::{Cancel, InteractiveOptions, Opener};
use graphdesk_core::flows::device_code::DeviceCodeProgress;
use graphdesk_core::http::ReqwestClient;
use graphdesk_core::redirect::RedirectError;
use graphdesk_core::secret::Password;
use graphdesk_tenant::{DEMO_CLIENT_ID, Fault, FaultAction, FaultTarget, TenantConfig};

mod common;

use common::*;

#[tokio::test]
async fn interactive_then_silent_hit_then_refresh_after_expiry() {
    let s = setup().await;
    let first = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    assert_eq!(first.source, TokenSource::Interactive);
    assert_eq!(first.account.username, "adele@contoso.example");
    let accounts = s.engine.accounts();
    assert_eq!(accounts.len(), 1);
    let home = accounts[0].home_account_id.clone();
    assert!(home.ends_with(graphdesk_tenant::DEMO_TENANT_ID));

    s.tenant.clear_requests();
    let hit = s
        .engine
        .acquire_token_silent(
            &scopes(&["https://graph.microsoft.com/user.read"]),
            &home,
            &SilentOptions::default(),
        )
        .await
        .expect("hit");
    assert_eq!(
        (hit.source, hit.access_token.secret()),
        (TokenSource::Cache, first.access_token.secret())
    );
    assert!(s.tenant.requests().is_empty(), "a cache hit sends nothing");

    let rt_before = s.engine.read_cache(|c| {
        c.refresh_token(&s.engine.cache_scope(), &home)
            .map(|r| r.secret.clone())
    });
    advance(&s, 3_600 - 299);
    let refreshed = s
        .engine
        .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
        .await
        .expect("refresh");
    assert_eq!(refreshed.source, TokenSource::Refresh);
    assert_ne!(refreshed.access_token.secret(), first.access_token.secret());
    assert_eq!(grants(&s.tenant, "refresh_token"), 1);
    let rt_after = s.engine.read_cache(|c| {
        c.refresh_token(&s.engine.cache_scope(), &home)
            .map(|r| r.secret.clone())
    });
    assert_ne!(
        rt_before, rt_after,
        "the rotated refresh token replaced the old one"
    );
    // The account lookup works by username too.
    assert!(s.engine.account("ADELE@contoso.example").is_some());
}

#[tokio::test]
async fn a_hundred_concurrent_silent_calls_on_an_expired_token_refresh_once() {
    let s = setup().await;
    let first = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let home = first.account.home_account_id.clone();
    advance(&s, 4_000);
    s.tenant.clear_requests();
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let (engine, home) = (s.engine.clone(), home.clone());
            tokio::spawn(async move {
                engine
                    .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
                    .await
            })
        })
        .collect();
    let results = futures::future::join_all(calls).await;
    let tokens: std::collections::HashSet<String> = results
        .into_iter()
        .map(|r| {
            r.expect("task")
                .expect("token")
                .access_token
                .secret()
                .to_owned()
        })
        .collect();
    assert_eq!(tokens.len(), 1, "everyone got the one refreshed token");
    assert_eq!(
        grants(&s.tenant, "refresh_token"),
        1,
        "exactly one refresh request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_silent_calls_from_a_hundred_tasks_on_an_expired_token_refresh_once_and_never_fail()
 {
    let s = setup().await;
    let first = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let home = first.account.home_account_id.clone();
    advance(&s, 4_000);
    s.tenant.clear_requests();
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (engine, home) = (s.engine.clone(), home.clone());
            tokio::spawn(async move {
                let mut failures = 0;
                for _ in 0..100 {
                    let answer = engine
                        .acquire_token_silent(
                            &scopes(&["User.Read"]),
                            &home,
                            &SilentOptions::default(),
                        )
                        .await;
                    failures += usize::from(answer.is_err());
                }
                failures
            })
        })
        .collect();
    let failures: usize = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|t| t.expect("task"))
        .sum();
    assert_eq!(failures, 0, "no call failed");
    assert_eq!(
        grants(&s.tenant, "refresh_token"),
        1,
        "exactly one refresh for 10,000 calls"
    );
}

/// A fault's name, the faults to inject, and the error it must end in.
type FaultCase = (&'static str, Vec<FaultAction>, fn(&CoreError) -> bool);

#[tokio::test]
async fn token_endpoint_faults_end_in_typed_errors_and_leave_the_cache_as_it_was() {
    let s = setup().await;
    // The same tenant through a client that gives up after a second, for the "slow" fault.
    let impatient = TokenEngine::new(
        ClientConfig::builder(DEMO_CLIENT_ID)
            .authority(s.tenant.authority("organizations"))
            .extra_root_ca_pem(s.tenant.ca_pem())
            .build()
            .expect("config"),
        ReqwestClient::new(Duration::from_secs(1), Some(s.tenant.ca_pem()))
            .expect("http")
            .shared(),
        s.clock.clone(),
        Arc::new(s.clock.clone()),
    );
    let home = sign_in(&s, "adele@contoso.example", &["User.Read"])
        .await
        .account
        .home_account_id;
    let snapshot = |engine: &TokenEngine| engine.read_cache(|cache| cache.to_json());
    impatient
        .import_cache(
            &s.engine
                .export_cache(graphdesk_core::cache::interop::Dialect::MsalNode),
        )
        .expect("the same cache");
    let forced = SilentOptions {
        force_refresh: true,
        ..SilentOptions::default()
    };
    let status = |status| FaultAction::Status {
        status,
        retry_after: None,
    };
    let cases: Vec<FaultCase> = vec![
        (
            "500",
            vec![status(500), status(500)],
            |e| matches!(e, CoreError::Server(s) if s.status == 500),
        ),
        (
            "503",
            vec![status(503), status(503)],
            |e| matches!(e, CoreError::Server(s) if s.status == 503),
        ),
        ("garbage", vec![FaultAction::MalformedBody], |e| {
            matches!(e, CoreError::Protocol { .. })
        }),
        (
            "reset",
            vec![FaultAction::DropConnection, FaultAction::DropConnection],
            |e| matches!(e, CoreError::Network { .. }),
        ),
        (
            "slow",
            vec![
                FaultAction::Delay { ms: 2_500 },
                FaultAction::Delay { ms: 2_500 },
            ],
            |e| matches!(e, CoreError::Timeout | CoreError::Network { .. }),
        ),
    ];
    for (name, faults, expected) in cases {
        let engine = if name == "slow" {
            &impatient
        } else {
            s.engine.as_ref()
        };
        let before = snapshot(engine);
        for fault in faults {
            s.tenant.inject(Fault::once(FaultTarget::Token, fault));
        }
        let error = engine
            .acquire_token_silent(&scopes(&["User.Read"]), &home, &forced)
            .await
            .expect_err(name);
        assert!(expected(&error), "{name}: {error:?}");
        assert!(!error.to_string().is_empty(), "{name}: a message");
        assert_eq!(snapshot(engine), before, "{name}: the cache is as it was");
        s.tenant.clear_faults();
        // The refresh token still works once the platform recovers.
        let recovered = engine
            .acquire_token_silent(&scopes(&["User.Read"]), &home, &forced)
            .await
            .unwrap_or_else(|e| panic!("{name}: after the fault: {e:?}"));
        assert_eq!(recovered.source, TokenSource::Refresh, "{name}");
    }
}

#[tokio::test]
async fn refresh_on_force_refresh_and_claims_bypass_the_cache() {
    let s = setup_with(
        TenantConfig {
            access_token_lifetime: 7_200,
            refresh_in: Some(3_600),
            ..TenantConfig::default()
        },
        &["cp1"],
    )
    .await;
    let first = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let home = first.account.home_account_id.clone();
    let claims =
        graphdesk_tenant::crypto::decode_claims(first.access_token.secret()).expect("claims");
    assert_eq!(claims["xms_cc"][0], "cp1", "the client announced cp1");

    advance(&s, 3_601);
    let due = s
        .engine
        .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
        .await
        .expect("refresh");
    assert_eq!(
        due.source,
        TokenSource::Refresh,
        "refresh_on passed: refreshed although still valid"
    );

    let forced = s
        .engine
        .acquire_token_silent(
            &scopes(&["User.Read"]),
            &home,
            &SilentOptions {
                force_refresh: true,
                claims: None,
            },
        )
        .await
        .expect("forced");
    assert_eq!(forced.source, TokenSource::Refresh);
    let challenge = r#"{"access_token":{"nbf":{"essential":true,"value":"1"}}}"#;
    let with_claims = s
        .engine
        .acquire_token_silent(
            &scopes(&["User.Read"]),
            &home,
            &SilentOptions {
                force_refresh: false,
                claims: Some(challenge.into()),
            },
        )
        .await
        .expect("claims");
    assert_eq!(with_claims.source, TokenSource::Refresh);
    assert_eq!(grants(&s.tenant, "refresh_token"), 3);

    // When the refresh at refresh_on fails, the still-valid token is served.
    advance(&s, 3_601);
    s.tenant.inject(Fault::times(
        FaultTarget::Token,
        FaultAction::Status {
            status: 500,
            retry_after: None,
        },
        2,
    ));
    let fallback = s
        .engine
        .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
        .await
        .expect("fallback");
    assert_eq!(
        (fallback.source, fallback.access_token.secret()),
        (TokenSource::Cache, with_claims.access_token.secret())
    );
}

#[tokio::test]
async fn ui_required_classes_keep_the_refresh_token() {
    let s = setup().await;
    let nobody = s
        .engine
        .acquire_token_silent(
            &scopes(&["User.Read"]),
            "nobody.x",
            &SilentOptions::default(),
        )
        .await;
    assert_eq!(ui_required(nobody).reason, UiRequiredReason::NoAccount);

    let first = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let home = first.account.home_account_id.clone();
    let consent = s
        .engine
        .acquire_token_silent(&scopes(&["Mail.Read"]), &home, &SilentOptions::default())
        .await;
    let consent = ui_required(consent);
    assert_eq!(
        (consent.reason, consent.aadsts),
        (UiRequiredReason::ConsentRequired, Some(65_001))
    );

    assert!(s.tenant.revoke("adele@contoso.example"));
    advance(&s, 4_000);
    let revoked = ui_required(
        s.engine
            .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
            .await,
    );
    assert_eq!(
        (revoked.reason, revoked.aadsts),
        (UiRequiredReason::RefreshRefused, Some(50_173))
    );
    assert!(revoked.correlation_id.is_some());
    assert!(
        s.engine
            .read_cache(|c| c.refresh_token(&s.engine.cache_scope(), &home).is_some()),
        "invalid_grant keeps the refresh token"
    );

    s.tenant.inject(Fault::once(
        FaultTarget::Token,
        FaultAction::InteractionRequired {
            aadsts: Some(50_079),
            claims: Some("{\"x\":1}".into()),
        },
    ));
    let mfa = ui_required(
        s.engine
            .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
            .await,
    );
    assert_eq!(
        (mfa.reason, mfa.claims.as_deref()),
        (UiRequiredReason::InteractionRequired, Some("{\"x\":1}"))
    );

    // Signing out removes this account only.
    sign_in(&s, "lee@contoso.example", &["User.Read"]).await;
    assert!(s.engine.remove_account(&home));
    assert_eq!(s.engine.accounts().len(), 1);
    let gone = ui_required(
        s.engine
            .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
            .await,
    );
    assert_eq!(gone.reason, UiRequiredReason::NoAccount);
}

#[tokio::test]
async fn retries_transient_failures_and_honours_retry_after() {
    let s = setup().await;
    let home = sign_in(&s, "adele@contoso.example", &["User.Read"])
        .await
        .account
        .home_account_id;
    advance(&s, 4_000);
    s.tenant.inject(Fault::once(
        FaultTarget::Token,
        FaultAction::Status {
            status: 429,
            retry_after: Some(7),
        },
    ));
    let slept = s.clock.slept();
    let after_429 = s
        .engine
        .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
        .await;
    assert_eq!(after_429.expect("retried").source, TokenSource::Refresh);
    assert_eq!(s.clock.slept() - slept, 7, "waited exactly Retry-After");

    advance(&s, 4_000);
    s.tenant
        .inject(Fault::once(FaultTarget::Token, FaultAction::DropConnection));
    assert!(
        s.engine
            .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
            .await
            .is_ok(),
        "retried once"
    );

    advance(&s, 4_000);
    s.tenant.inject(Fault::times(
        FaultTarget::Token,
        FaultAction::Status {
            status: 503,
            retry_after: None,
        },
        2,
    ));
    let exhausted = s
        .engine
        .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
        .await;
    assert!(
        matches!(exhausted, Err(CoreError::Server(ref e)) if e.status == 503),
        "{exhausted:?}"
    );

    s.tenant
        .inject(Fault::once(FaultTarget::Token, FaultAction::MalformedBody));
    let garbage = s
        .engine
        .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
        .await;
    assert!(
        matches!(garbage, Err(CoreError::Protocol { .. })),
        "{garbage:?}"
    );
    s.tenant.inject(Fault::once(
        FaultTarget::Token,
        FaultAction::Status {
            status: 429,
            retry_after: Some(3_600),
        },
    ));
    let throttled = s
        .engine
        .acquire_token_silent(&scopes(&["User.Read"]), &home, &SilentOptions::default())
        .await;
    assert!(
        matches!(throttled, Err(CoreError::Throttled { retry_after: 3_600 })),
        "long waits go back to the caller"
    );
}

#[tokio::test]
async fn redirects_with_wrong_replayed_or_expired_state_are_refused_without_a_token_request() {
    let s = setup().await;
    let (request, redirect) = authorize(
        &s,
        "adele@contoso.example",
        &["User.Read"],
        &InteractiveOptions::default(),
    )
    .await;
    s.tenant.clear_requests();
    let forged = redirect.replace("state=", "state=x");
    assert_eq!(
        s.engine.deliver_redirect(&forged),
        Err(RedirectError::UnknownState)
    );
    assert_eq!(s.engine.deliver_redirect(&redirect), Ok(()));
    assert_eq!(
        s.engine.deliver_redirect(&redirect),
        Err(RedirectError::ReplayedState)
    );
    assert_eq!(
        grants(&s.tenant, "authorization_code"),
        0,
        "no token request for refused links"
    );
    s.engine
        .finish_authorization(request, &Cancel::new())
        .await
        .expect("the genuine one completes");

    let options = InteractiveOptions {
        timeout: Duration::from_secs(60),
        ..InteractiveOptions::default()
    };
    let (_late, redirect) = authorize(&s, "adele@contoso.example", &["User.Read"], &options).await;
    advance(&s, 61);
    assert_eq!(
        s.engine.deliver_redirect(&redirect),
        Err(RedirectError::ExpiredState)
    );
}

#[tokio::test]
async fn interactive_cancel_timeout_and_refusal_are_typed() {
    let s = setup().await;
    let cancel = Cancel::new();
    let (request, redirect) = authorize(
        &s,
        "adele@contoso.example",
        &["User.Read"],
        &InteractiveOptions::default(),
    )
    .await;
    cancel.cancel();
    assert!(matches!(
        s.engine.finish_authorization(request, &cancel).await,
        Err(CoreError::Cancelled)
    ));
    assert_eq!(
        s.engine.deliver_redirect(&redirect),
        Err(RedirectError::NoSignInInProgress),
        "a cancelled sign-in takes no link"
    );

    let options = InteractiveOptions {
        timeout: Duration::from_millis(200),
        ..InteractiveOptions::default()
    };
    let request = s
        .engine
        .begin_authorization(&scopes(&["User.Read"]), &options, None)
        .await
        .expect("url");
    assert!(matches!(
        s.engine.finish_authorization(request, &Cancel::new()).await,
        Err(CoreError::SignInTimeout)
    ));

    let request = s
        .engine
        .begin_authorization(
            &scopes(&["Mail.Read"]),
            &InteractiveOptions::default(),
            None,
        )
        .await
        .expect("url");
    let declined = graphdesk_tenant::automation::complete_authorization(
        s.tenant.tenant(),
        &request.url,
        "lee@contoso.example",
        None,
        false,
    )
    .expect("redirect");
    s.engine.deliver_redirect(&declined).expect("delivered");
    match s.engine.finish_authorization(request, &Cancel::new()).await {
        Err(CoreError::SignInRefused { error, aadsts, .. }) => {
            assert_eq!((error.as_str(), aadsts), ("access_denied", Some(65_004)))
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Plays the browser: completes the sign-in at the tenant, then follows the redirect to the loopback receiver.
#[derive(Debug)]
struct LoopbackBrowser {
    tenant: Arc<graphdesk_tenant::Tenant>,
}

impl Opener for LoopbackBrowser {
    fn open(&self, url: &str) -> Result<(), CoreError> {
        let redirect_uri = query_param(url, "redirect_uri").expect("a redirect_uri");
        let port = redirect_uri
            .strip_prefix("http://127.0.0.1:")
            .and_then(|rest| rest.trim_end_matches('/').parse::<u16>().ok());
        assert!(
            port.is_some_and(|p| p > 0),
            "the loopback receiver's own port: {redirect_uri}"
        );
        let (tenant, url) = (self.tenant.clone(), url.to_owned());
        tokio::spawn(async move {
            let redirect = graphdesk_tenant::automation::complete_authorization(
                &tenant,
                &url,
                "alex@contoso.example",
                None,
                true,
            )
            .expect("redirect");
            let page = reqwest::get(&redirect)
                .await
                .expect("loopback answers")
                .text()
                .await
                .expect("page");
            assert!(page.contains("You can close this tab"), "{page}");
        });
        Ok(())
    }
}

/// A configured `http://127.0.0.1` redirect signs in through a receiver on a port of its own (RFC 8252 §7.3): the
/// authorize request names `http://127.0.0.1:PORT/`, the browser lands there, the code is redeemed.
#[tokio::test]
async fn a_loopback_redirect_uri_signs_in_through_the_loopback_receiver() {
    let tenant = Arc::new(
        graphdesk_tenant::TenantServer::new()
            .start()
            .await
            .expect("tenant"),
    );
    let s = common::engine_with_redirect(tenant, "organizations", &[], "http://127.0.0.1");
    let browser = LoopbackBrowser {
        tenant: s.tenant.tenant().clone(),
    };
    let result = s
        .engine
        .acquire_token_interactive(
            &scopes(&["User.Read"]),
            &InteractiveOptions::default(),
            &browser,
            &Cancel::new(),
        )
        .await
        .expect("signed in");
    assert_eq!(
        (result.source, result.account.username.as_str()),
        (TokenSource::Interactive, "alex@contoso.example")
    );
}

#[tokio::test]
async fn device_code_reports_progress_and_completes() {
    let s = setup().await;
    let flow = s
        .engine
        .start_device_code(&scopes(&["User.Read"]))
        .await
        .expect("device code");
    assert!(flow.message.contains(&flow.user_code));
    let serialized = serde_json::to_string(&flow).expect("json");
    assert!(
        !serialized.contains("DAQAB"),
        "the device code itself never leaves the engine"
    );
    let (tenant, code) = (s.tenant.tenant().clone(), flow.user_code.clone());
    let mut events = Vec::new();
    let result = s
        .engine
        .complete_device_code(&flow, &Cancel::new(), |event| {
            if events.is_empty() {
                graphdesk_tenant::device::decide(
                    &tenant,
                    &code,
                    "adele@contoso.example",
                    None,
                    true,
                )
                .expect("approved");
            }
            events.push(event);
        })
        .await
        .expect("signed in");
    assert_eq!(result.source, TokenSource::DeviceCode);
    assert!(!events.is_empty());
    assert!(events.iter().any(|e| matches!(
        e,
        DeviceCodeProgress::Waiting { .. } | DeviceCodeProgress::SlowedDown { .. }
    )));

    let flow = s
        .engine
        .start_device_code(&scopes(&["User.Read"]))
        .await
        .expect("device code");
    let cancel = Cancel::new();
    cancel.cancel();
    assert!(matches!(
        s.engine.complete_device_code(&flow, &cancel, |_| {}).await,
        Err(CoreError::Cancelled)
    ));
    let declined = s
        .engine
        .start_device_code(&scopes(&["User.Read"]))
        .await
        .expect("device code");
    graphdesk_tenant::device::decide(
        s.tenant.tenant(),
        &declined.user_code,
        "lee@contoso.example",
        None,
        false,
    )
    .expect("denied");
    assert!(matches!(
        s.engine
            .complete_device_code(&declined, &Cancel::new(), |_| {})
            .await,
        Err(CoreError::Declined)
    ));
    let expired = s
        .engine
        .start_device_code(&scopes(&["User.Read"]))
        .await
        .expect("device code");
    advance(&s, 901);
    assert!(matches!(
        s.engine
            .complete_device_code(&expired, &Cancel::new(), |_| {})
            .await,
        Err(CoreError::SignInTimeout)
    ));
}

#[tokio::test]
async fn username_password_and_its_clear_refusals() {
    let s = setup().await;
    let ok = s
        .engine
        .acquire_token_by_username_password(
            &scopes(&["User.Read"]),
            "adele@contoso.example",
            &Password::new("demo"),
        )
        .await
        .expect("signed in");
    assert_eq!(ok.source, TokenSource::UsernamePassword);
    let mfa = ui_required(
        s.engine
            .acquire_token_by_username_password(
                &scopes(&["User.Read"]),
                "megan@contoso.example",
                &Password::new("demo"),
            )
            .await,
    );
    assert_eq!(
        (mfa.reason, mfa.aadsts),
        (UiRequiredReason::InteractionRequired, Some(50_076))
    );
    assert!(
        mfa.description
            .as_deref()
            .is_some_and(|d| d.contains("multi-factor") && d.contains("interactively"))
    );
    let wrong = s
        .engine
        .acquire_token_by_username_password(
            &scopes(&["User.Read"]),
            "adele@contoso.example",
            &Password::new("nope"),
        )
        .await;
    let wrong = ui_required(wrong);
    assert_eq!(wrong.aadsts, Some(50_126));
    let message = CoreError::UiRequired(wrong).to_string();
    assert!(!message.contains("nope"), "{message}");
    assert!(matches!(
        s.engine
            .acquire_token_by_username_password(&scopes(&["User.Read"]), " ", &Password::new("x"))
            .await,
        Err(CoreError::InvalidRequest {
            field: graphdesk_core::error::RequestField::Username,
            ..
        })
    ));
}

#[tokio::test]
async fn bad_discovery_is_a_typed_error() {
    let s = setup().await;
    s.tenant.inject(Fault::once(
        FaultTarget::Discovery,
        FaultAction::MalformedBody,
    ));
    let result = s
        .engine
        .begin_authorization(
            &scopes(&["User.Read"]),
            &InteractiveOptions::default(),
            None,
        )
        .await;
    assert!(
        matches!(result, Err(CoreError::Protocol { .. })),
        "{result:?}"
    );
    // Not cached: the next attempt discovers again and works.
    assert!(
        s.engine
            .begin_authorization(
                &scopes(&["User.Read"]),
                &InteractiveOptions::default(),
                None
            )
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn the_cache_persists_and_a_restarted_engine_answers_silently() {
    use graphdesk_core::cache::persist::CacheFile;
    let s = setup().await;
    let first = sign_in(&s, "adele@contoso.example", &["User.Read"]).await;
    let dir = tempfile::tempdir().expect("dir");
    let file = CacheFile::new(
        dir.path().join("token_cache.bin"),
        Arc::new(graphdesk_core::keystore::InMemoryKeyStore::default()),
    );
    assert!(s.engine.save_to(&file).expect("saved"));
    assert!(
        !s.engine.save_to(&file).expect("nothing new"),
        "written only when changed"
    );

    let http = ReqwestClient::new(Duration::from_secs(10), Some(s.tenant.ca_pem()))
        .expect("http")
        .shared();
    let config = ClientConfig::builder(DEMO_CLIENT_ID)
        .authority(s.tenant.authority("organizations"))
        .extra_root_ca_pem(s.tenant.ca_pem())
        .build()
        .expect("config");
    let engine = TokenEngine::new(config, http, s.clock.clone(), Arc::new(s.clock.clone()))
        .with_cache(file.load().expect("loaded").cache);
    s.tenant.clear_requests();
    let hit = engine
        .acquire_token_silent(
            &scopes(&["User.Read"]),
            &first.account.home_account_id,
            &SilentOptions::default(),
        )
        .await
        .expect("hit");
    assert_eq!(
        (hit.source, hit.access_token.secret()),
        (TokenSource::Cache, first.access_token.secret())
    );
    assert!(s.tenant.requests().is_empty());
}

/// `state` and `nonce` carry 256 random bits each (43 base64url characters), and differ per request.
#[tokio::test]
async fn state_and_nonce_are_256_random_bits() {
    let s = setup().await;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..2 {
        let request = s
            .engine
            .begin_authorization(
                &scopes(&["User.Read"]),
                &InteractiveOptions::default(),
                None,
            )
            .await
            .expect("request");
        for name in ["state", "nonce"] {
            let value = query_param(&request.url, name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(value.len(), 43, "{name}");
            assert!(seen.insert(value), "{name} repeats");
        }
    }
}

/// The engine's silent call takes a home account id, never a username: a username is resolved by the session first.
#[tokio::test]
async fn a_username_is_no_home_account_id_to_the_silent_call() {
    let s = setup().await;
    let signed_in = s
        .engine
        .acquire_token_by_username_password(
            &scopes(&["User.Read"]),
            "adele@contoso.example",
            &graphdesk_core::secret::Password::new("demo"),
        )
        .await
        .expect("signed in");
    let by_id = s
        .engine
        .acquire_token_silent(
            &scopes(&["User.Read"]),
            &signed_in.account.home_account_id,
            &SilentOptions::default(),
        )
        .await
        .expect("by home account id");
    assert_eq!(by_id.source, TokenSource::Cache);
    match s
        .engine
        .acquire_token_silent(
            &scopes(&["User.Read"]),
            "adele@contoso.example",
            &SilentOptions::default(),
        )
        .await
    {
        Err(CoreError::UiRequired(ui)) => {
            assert_eq!(
                ui.reason,
                graphdesk_core::error::UiRequiredReason::NoAccount
            )
        }
        other => panic!("a username must not find the account here: {other:?}"),
    }
}
