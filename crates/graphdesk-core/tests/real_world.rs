//! Issue 13 against the strict tenant (which returns `client_info` only when asked): a device-code account survives its
//! first refresh an hour later and is the same account a browser sign-in makes; an account first keyed by its ID token's
//! `sub` is re-keyed, never "another account"; a guest tenant's tokens are never the answer through `common`, the home
//! tenant or another tenant; a refresh that cannot be tied to the account is "UI required".

mod common;

use base64::Engine as _;
use common::*;
use graphdesk_core::cache::interop::Dialect;
use graphdesk_core::engine::{SilentOptions, TokenResult, TokenSource};
use graphdesk_core::error::{CoreError, UiRequiredReason};
use graphdesk_core::flows::auth_code::Cancel;
use graphdesk_tenant::directory::{DEMO_GUEST_OBJECT_ID, DEMO_GUEST_TENANT_ID};
use graphdesk_tenant::{DEMO_CLIENT_ID, DEMO_TENANT_ID, Directory, TenantServer};
use serde_json::{Value, json};

const ADELE: &str = "adele@contoso.example";

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url"),
    )
    .expect("JSON claims")
}

fn tid_of(result: &TokenResult) -> String {
    claims(result.access_token.secret())["tid"]
        .as_str()
        .expect("tid")
        .to_owned()
}

async fn device_code_sign_in(s: &Setup, upn: &str) -> TokenResult {
    let flow = s
        .engine
        .start_device_code(&scopes(&["User.Read"]))
        .await
        .expect("device code");
    let (tenant, code, upn) = (
        s.tenant.tenant().clone(),
        flow.user_code.clone(),
        upn.to_owned(),
    );
    let mut approved = false;
    s.engine
        .complete_device_code(&flow, &Cancel::new(), move |_| {
            if !approved {
                graphdesk_tenant::device::decide(&tenant, &code, &upn, None, true)
                    .expect("approved");
                approved = true;
            }
        })
        .await
        .expect("signed in with a device code")
}

async fn silent(s: &Setup, home: &str) -> Result<TokenResult, CoreError> {
    s.engine
        .acquire_token_silent(&scopes(&["User.Read"]), home, &SilentOptions::default())
        .await
}

#[tokio::test]
async fn device_code_then_an_hour_later_a_silent_refresh_is_the_same_single_account_as_a_browser_sign_in()
 {
    let s = setup().await;
    let signed_in = device_code_sign_in(&s, ADELE).await;
    let home = signed_in.account.home_account_id.clone();
    assert!(
        home.contains('.') && home.ends_with(DEMO_TENANT_ID),
        "keyed by client_info (uid.utid), not by the ID token's sub: {home}"
    );
    assert_eq!(
        silent(&s, &home).await.expect("hit").source,
        TokenSource::Cache
    );

    advance(&s, 3_600);
    let refreshed = silent(&s, &home)
        .await
        .expect("refreshed silently an hour later");
    assert_eq!(refreshed.source, TokenSource::Refresh);
    assert_eq!(refreshed.account.home_account_id, home);

    let browser = sign_in(&s, ADELE, &["User.Read"]).await;
    assert_eq!(browser.account.home_account_id, home);
    let accounts = s.engine.accounts();
    assert_eq!(accounts.len(), 1, "{accounts:#?}");
    assert_eq!(accounts[0].tenant_profiles.len(), 1);
}

/// A cache as an older GraphDesk (or a library without `client_info`) left it: Adele keyed by her ID token's `sub`,
/// holding a real refresh token the tenant issued without `client_info`.
async fn sub_keyed_cache(s: &Setup, key: &str, local_account_id: &str) -> Vec<u8> {
    let response: Value = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(s.tenant.ca_pem().as_bytes()).expect("CA"),
        )
        .build()
        .expect("client")
        .post(format!(
            "{}/oauth2/v2.0/token",
            s.tenant.authority("organizations")
        ))
        .form(&[
            ("grant_type", "password"),
            ("client_id", DEMO_CLIENT_ID),
            ("username", ADELE),
            ("password", "demo"),
            ("scope", "User.Read openid profile offline_access"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    assert!(response.get("client_info").is_none());
    let sub = claims(response["id_token"].as_str().expect("id token"))["sub"]
        .as_str()
        .expect("sub")
        .to_owned();
    let key = if key == "sub" { sub.as_str() } else { key };
    let env = s.engine.cache_scope().environment;
    json!({
        "Account": {"a": {"home_account_id": key, "environment": env, "realm": "organizations",
            "local_account_id": local_account_id, "username": ADELE, "authority_type": "MSSTS"}},
        "RefreshToken": {"r": {"home_account_id": key, "environment": env, "credential_type": "RefreshToken",
            "client_id": DEMO_CLIENT_ID, "secret": response["refresh_token"]}},
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn an_account_keyed_by_sub_becomes_uid_utid_at_its_first_refresh() {
    let s = setup().await;
    let cache = sub_keyed_cache(&s, "sub", "").await;
    s.engine.import_cache(&cache).expect("imported");
    let old = s.engine.accounts()[0].home_account_id.clone();
    assert!(!old.contains('.'));

    let refreshed = silent(&s, &old)
        .await
        .expect("refreshed, not 'another account'");
    assert_eq!(refreshed.source, TokenSource::Refresh);
    let home = refreshed.account.home_account_id.clone();
    assert!(home.ends_with(DEMO_TENANT_ID), "{home}");
    let accounts = s.engine.accounts();
    assert_eq!(accounts.len(), 1, "{accounts:#?}");
    assert_eq!(accounts[0].home_account_id, home);
    assert_eq!(
        silent(&s, &home).await.expect("hit").source,
        TokenSource::Cache
    );
    // The browser sign-in of the same person lands on the same account.
    assert_eq!(
        sign_in(&s, ADELE, &["User.Read"])
            .await
            .account
            .home_account_id,
        home
    );
    assert_eq!(s.engine.accounts().len(), 1);
}

#[tokio::test]
async fn a_refresh_answering_for_someone_the_account_cannot_be_matched_to_is_ui_required() {
    let s = setup().await;
    let cache = sub_keyed_cache(&s, "someone-else", "another-object-id").await;
    s.engine.import_cache(&cache).expect("imported");
    match silent(&s, "someone-else").await {
        Err(CoreError::UiRequired(ui)) => assert_eq!(ui.reason, UiRequiredReason::AccountMismatch),
        other => panic!("expected UI required, got {other:?}"),
    }
    let accounts = s.engine.accounts();
    assert_eq!(accounts.len(), 1, "nothing stored for the stranger");
    assert_eq!(accounts[0].home_account_id, "someone-else");
}

#[tokio::test]
async fn a_guest_tenants_tokens_answer_only_that_tenant() {
    let tenant = TenantServer::new()
        .directory(Directory::demo())
        .start()
        .await
        .expect("tenant");
    let tenant = std::sync::Arc::new(tenant);
    let guest = engine_at(tenant.clone(), DEMO_GUEST_TENANT_ID, &[]);
    let in_guest = sign_in(&guest, ADELE, &["User.Read"]).await;
    assert_eq!(tid_of(&in_guest), DEMO_GUEST_TENANT_ID);
    assert_eq!(
        claims(in_guest.access_token.secret())["oid"],
        DEMO_GUEST_OBJECT_ID
    );
    let home = in_guest.account.home_account_id.clone();
    assert!(
        home.ends_with(DEMO_TENANT_ID),
        "client_info stays the home one: {home}"
    );
    let guest_cache = guest.engine.export_cache(Dialect::MsalNode);

    // Through `organizations`, after importing the guest sign-in: the home tenant's token, never the guest one.
    let orgs = engine_at(tenant.clone(), "organizations", &[]);
    orgs.engine.import_cache(&guest_cache).expect("imported");
    orgs.tenant.clear_requests();
    let through_orgs = silent(&orgs, &home)
        .await
        .expect("a token through organizations");
    assert_eq!(
        through_orgs.source,
        TokenSource::Refresh,
        "the guest token was no answer"
    );
    assert_eq!(tid_of(&through_orgs), DEMO_TENANT_ID);
    let again = silent(&orgs, &home).await.expect("from the cache now");
    assert_eq!(
        (again.source, tid_of(&again)),
        (TokenSource::Cache, DEMO_TENANT_ID.to_owned()),
        "the home tenant's token, filed under its tenant id, answers `organizations`"
    );
    let profiles: Vec<(String, bool)> = orgs.engine.accounts()[0]
        .tenant_profiles
        .iter()
        .map(|p| (p.tenant_id.clone(), p.is_home_tenant))
        .collect();
    assert_eq!(
        profiles,
        [
            (DEMO_TENANT_ID.to_owned(), true),
            (DEMO_GUEST_TENANT_ID.to_owned(), false)
        ]
    );
    let both = orgs.engine.export_cache(Dialect::MsalNode);

    // Named tenants each get their own token from the cache, without a request.
    for (segment, expected) in [
        (DEMO_TENANT_ID, DEMO_TENANT_ID),
        (DEMO_GUEST_TENANT_ID, DEMO_GUEST_TENANT_ID),
    ] {
        let named = engine_at(tenant.clone(), segment, &[]);
        named.engine.import_cache(&both).expect("imported");
        let hit = silent(&named, &home).await.expect("hit");
        assert_eq!(
            (hit.source, tid_of(&hit)),
            (TokenSource::Cache, expected.to_owned()),
            "{segment}"
        );
    }
}

#[tokio::test]
async fn an_unknown_hosts_aliases_come_from_instance_discovery_once() {
    let s = setup().await;
    let env = s.engine.cache_scope().environment;
    let port = env.rsplit_once(':').expect("a port").1.to_owned();
    let written_as_localhost = json!({
        "Account": {"a": {"home_account_id": "uid.utid", "environment": format!("localhost:{port}"),
            "realm": "utid", "local_account_id": "uid", "username": "ada@example", "authority_type": "MSSTS"}},
    })
    .to_string();

    // Before discovery only the built-in clouds are known: `localhost` is someone else's entry, kept as it is.
    let summary = s
        .engine
        .import_cache(written_as_localhost.as_bytes())
        .expect("imported");
    assert_eq!((summary.accounts, s.engine.accounts().len()), (0, 0));

    s.tenant.clear_requests();
    let metadata = s.engine.instance_metadata().await;
    assert!(
        metadata.same_environment(&format!("localhost:{port}"), &env),
        "{metadata:?}"
    );
    s.engine.instance_metadata().await;
    let discoveries = s
        .tenant
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/discovery/instance"))
        .count();
    assert_eq!(discoveries, 1, "discovered once, then cached");

    let summary = s
        .engine
        .import_cache(written_as_localhost.as_bytes())
        .expect("imported");
    assert_eq!(summary.accounts, 1);
    assert_eq!(s.engine.accounts()[0].username, "ada@example");
}

#[tokio::test]
async fn supplied_instance_metadata_must_name_the_authority_and_replaces_discovery() {
    let supplied = br#"{"metadata":[{"preferred_network":"login.contoso.example","preferred_cache":"login.contoso.example","aliases":["login.contoso.example","sts.contoso.example"]}]}"#;
    let config = graphdesk_core::config::ClientConfig::builder(DEMO_CLIENT_ID)
        .authority("https://login.microsoftonline.com/common")
        .instance_metadata(supplied.to_vec())
        .build();
    assert!(
        matches!(
            &config,
            Err(CoreError::Config {
                field: graphdesk_core::error::ConfigField::InstanceMetadata,
                ..
            })
        ),
        "{config:?}"
    );
    let config = graphdesk_core::config::ClientConfig::builder(DEMO_CLIENT_ID)
        .authority("https://login.contoso.example/common")
        .instance_metadata(supplied.to_vec())
        .build()
        .expect("names the host");
    let metadata = config.instance_metadata.expect("kept");
    assert!(metadata.same_environment("sts.contoso.example", "login.contoso.example"));
    assert!(
        graphdesk_core::config::ClientConfig::builder(DEMO_CLIENT_ID)
            .instance_metadata(b"not json".to_vec())
            .build()
            .is_err()
    );
}

#[tokio::test]
async fn server_numbers_past_any_clock_neither_panic_nor_wrap() {
    use graphdesk_tenant::{Fault, FaultAction, FaultTarget};
    let s = setup().await;
    let answer_with = |target, field: &str, value: Value| {
        s.tenant.inject(Fault::once(
            target,
            FaultAction::AnswerWith {
                field: field.into(),
                value,
            },
        ));
    };
    for field in ["expires_in", "ext_expires_in", "refresh_in"] {
        answer_with(FaultTarget::Token, field, json!(u64::MAX));
        let signed_in = s
            .engine
            .acquire_token_by_username_password(
                &scopes(&["User.Read"]),
                ADELE,
                &graphdesk_core::secret::Password::new("demo"),
            )
            .await
            .unwrap_or_else(|e| panic!("{field}: {e}"));
        if field == "expires_in" {
            assert_eq!(signed_in.expires_on, u64::MAX, "saturated, not wrapped");
        }
        let home = signed_in.account.home_account_id;
        assert!(silent(&s, &home).await.is_ok(), "{field}");
    }

    // The device-code answer: an interval past any clock is capped, an expiry saturates.
    answer_with(FaultTarget::DeviceCode, "interval", json!(u64::MAX));
    let flow = s
        .engine
        .start_device_code(&scopes(&["User.Read"]))
        .await
        .expect("flow");
    assert_eq!(flow.interval, 60);
    answer_with(FaultTarget::DeviceCode, "expires_in", json!(u64::MAX));
    let flow = s
        .engine
        .start_device_code(&scopes(&["User.Read"]))
        .await
        .expect("flow");
    assert_eq!(flow.expires_on, u64::MAX);
}

#[tokio::test]
async fn entras_crlf_trace_block_never_reaches_the_user() {
    let s = setup().await;
    let error = s
        .engine
        .acquire_token_by_username_password(
            &scopes(&["User.Read"]),
            ADELE,
            &graphdesk_core::secret::Password::new("wrong"),
        )
        .await
        .expect_err("a wrong password");
    let shown = error.to_string();
    assert!(shown.contains("50126"), "{shown}");
    assert!(
        !shown.contains("Trace ID") && !shown.contains('\r') && !shown.contains('\n'),
        "{shown:?}"
    );
}

#[tokio::test]
async fn a_generic_openid_provider_gets_no_prompt_unless_asked_and_entra_gets_select_account() {
    use graphdesk_core::flows::auth_code::{InteractiveOptions, Prompt};
    let s = setup().await;
    let prompt_of = |url: &str| query_param(url, "prompt");
    let entra = s
        .engine
        .begin_authorization(
            &scopes(&["User.Read"]),
            &InteractiveOptions::default(),
            None,
        )
        .await
        .expect("url");
    assert_eq!(prompt_of(&entra.url).as_deref(), Some("select_account"));

    // The same tenant, named as an OpenID Connect issuer (its discovery sits where OIDC Discovery puts it).
    let oidc = oidc_engine_for(&s.tenant, s.clock.clone());
    let default = oidc
        .begin_authorization(
            &scopes(&["User.Read"]),
            &InteractiveOptions::default(),
            None,
        )
        .await
        .expect("url");
    assert_eq!(
        prompt_of(&default.url),
        None,
        "OIDC Core defines no select_account default"
    );
    let asked = InteractiveOptions {
        prompt: Some(Prompt::Login),
        ..InteractiveOptions::default()
    };
    let login = oidc
        .begin_authorization(&scopes(&["User.Read"]), &asked, None)
        .await
        .expect("url");
    assert_eq!(prompt_of(&login.url).as_deref(), Some("login"));
}

/// MSAL Python files a multi-tenant authority's tokens under the literal segment (`organizations`) and looks them up
/// so; GraphDesk files them under the tenant id (MSAL .NET, msal-node) and, through `organizations`, looks in the home
/// tenant first and the literal segment second — so a cache MSAL Python wrote answers silently, without a request.
#[tokio::test]
async fn a_cache_in_msal_pythons_realm_convention_answers_from_the_cache() {
    let s = setup().await;
    let signed_in = sign_in(&s, ADELE, &["User.Read"]).await;
    let python = s.engine.export_cache(Dialect::MsalPython);
    let exported: Value = serde_json::from_slice(&python).expect("json");
    let realms: Vec<&str> = exported["AccessToken"]
        .as_object()
        .expect("ATs")
        .values()
        .filter_map(|at| at["realm"].as_str())
        .collect();
    assert_eq!(realms, ["organizations"], "MSAL Python's convention");

    let fresh = engine_at(s.tenant.clone(), "organizations", &[]);
    fresh.engine.import_cache(&python).expect("imported");
    fresh.tenant.clear_requests();
    let hit = silent(&fresh, &signed_in.account.home_account_id)
        .await
        .expect("a token");
    assert_eq!(hit.source, TokenSource::Cache);
    assert!(fresh.tenant.requests().is_empty(), "no request");
}

/// A hostile authority cannot make GraphDesk open a `file:` path or another app's scheme as the device login page: only
/// https pages are accepted (and so only they can reach the browser).
#[tokio::test]
async fn a_verification_uri_that_is_not_https_is_refused() {
    use graphdesk_tenant::{Fault, FaultAction, FaultTarget};
    let s = setup().await;
    for page in [
        "file:///etc/passwd",
        "ms-settings:network",
        "http://127.0.0.1/devicelogin",
        "javascript:alert(1)",
    ] {
        s.tenant.inject(Fault::once(
            FaultTarget::DeviceCode,
            FaultAction::AnswerWith {
                field: "verification_uri".into(),
                value: json!(page),
            },
        ));
        match s.engine.start_device_code(&scopes(&["User.Read"])).await {
            Err(CoreError::Protocol { detail }) => assert!(detail.contains("https"), "{detail}"),
            other => panic!("{page}: expected a protocol error, got {other:?}"),
        }
    }
    let flow = s
        .engine
        .start_device_code(&scopes(&["User.Read"]))
        .await
        .expect("the tenant's own https page");
    assert!(flow.verification_uri.starts_with("https://"));
}
