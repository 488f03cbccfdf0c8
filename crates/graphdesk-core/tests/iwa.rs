//! Federated sign-ins end to end against the emulated tenant and its federation server. Integrated Windows
//! Authentication: realm discovery, MEX, the WS-Trust request with a Negotiate token, the SAML bearer grant, the cache —
//! with a test identity standing in for SSPI (the one step that needs Windows) — and every refusal Entra's guidance
//! names. Username/password for a federated account: the password goes to the federation server (`usernamemixed`), as
//! MSAL sends it, because Entra refuses it directly.

mod common;

use std::sync::Arc;

use base64::Engine as _;
use common::{TestWindows, advance, grants, scopes, setup};
use graphdesk_core::engine::{SilentOptions, TokenSource};
use graphdesk_core::error::{CoreError, WindowsSignInError};
use graphdesk_core::federation::wstrust;
use graphdesk_core::http::{HttpClient, HttpRequest, Method, ReqwestClient};
use graphdesk_core::secret::Password;
use graphdesk_tenant::directory::{DEMO_FEDERATED_DOMAIN, DEMO_WINDOWS_TICKET};

const SAML11: &str = "urn:ietf:params:oauth:grant-type:saml1_1-bearer";

fn nestor() -> String {
    format!("nestor@{DEMO_FEDERATED_DOMAIN}")
}

#[tokio::test]
async fn a_federated_windows_user_signs_in_without_a_prompt_and_then_silently() {
    let s = setup().await;
    let windows = TestWindows::signed_in_as(&nestor(), DEMO_WINDOWS_TICKET);
    let result = s
        .engine
        .acquire_token_integrated_windows_auth(&scopes(&["User.Read"]), None, &windows)
        .await
        .expect("signed in");
    assert_eq!(result.source, TokenSource::IntegratedWindows);
    assert_eq!(result.account.username, nestor());
    assert_eq!(grants(&s.tenant, SAML11), 1);
    let paths: Vec<String> = s.tenant.requests().iter().map(|r| r.path.clone()).collect();
    let step = |needle: &str| paths.iter().position(|p| p.contains(needle));
    let order = [
        step("/common/userrealm/nestor@corp.contoso.example"),
        step("/adfs/services/trust/mex"),
        step("/adfs/services/trust/13/windowstransport"),
        step("/oauth2/v2.0/token"),
    ];
    assert!(order.iter().all(Option::is_some), "{paths:?}");
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "realm, MEX, WS-Trust 1.3, token: {paths:?}"
    );
    assert_eq!(
        windows.hosts.lock().expect("hosts").as_slice(),
        ["127.0.0.1"]
    );
    // Cached like any sign-in: the next call is silent.
    let silent = s
        .engine
        .acquire_token_silent(
            &scopes(&["User.Read"]),
            &result.account.home_account_id,
            &SilentOptions::default(),
        )
        .await
        .expect("silent");
    assert_eq!(silent.source, TokenSource::Cache);
    // A username given by the user wins over what Windows says.
    let other = TestWindows::signed_in_as("someone@elsewhere.example", DEMO_WINDOWS_TICKET);
    let by_name = s
        .engine
        .acquire_token_integrated_windows_auth(&scopes(&["User.Read"]), Some(&nestor()), &other)
        .await
        .expect("signed in by name");
    assert_eq!(
        by_name.account.home_account_id,
        result.account.home_account_id
    );
}

#[tokio::test]
async fn managed_unknown_and_nameless_users_get_entras_advice_and_no_token_request() {
    let s = setup().await;
    let managed = s
        .engine
        .acquire_token_integrated_windows_auth(
            &scopes(&["User.Read"]),
            None,
            &TestWindows::signed_in_as("adele@contoso.example", "whatever"),
        )
        .await
        .expect_err("managed");
    assert!(
        matches!(&managed, CoreError::WindowsSignIn(WindowsSignInError::ManagedUser { domain }) if domain == "contoso.example"),
        "{managed:?}"
    );
    let message = managed.to_string();
    assert!(
        message.contains("WAM") && message.contains("interactively"),
        "{message}"
    );
    let unknown = s
        .engine
        .acquire_token_integrated_windows_auth(
            &scopes(&["User.Read"]),
            Some("ann@nowhere.example"),
            &TestWindows::signed_in_as("x@y", "t"),
        )
        .await
        .expect_err("unknown");
    assert!(
        matches!(
            unknown,
            CoreError::WindowsSignIn(WindowsSignInError::UnknownUser)
        ),
        "{unknown:?}"
    );
    let nameless = TestWindows {
        upn: None,
        ticket: DEMO_WINDOWS_TICKET.into(),
        hosts: Arc::default(),
    };
    let error = s
        .engine
        .acquire_token_integrated_windows_auth(&scopes(&["User.Read"]), Some("  "), &nameless)
        .await
        .expect_err("no username");
    assert!(
        matches!(
            error,
            CoreError::WindowsSignIn(WindowsSignInError::NoUsername)
        ),
        "{error:?}"
    );
    assert_eq!(grants(&s.tenant, SAML11), 0);
    assert!(
        !s.tenant
            .requests()
            .iter()
            .any(|r| r.path.contains("windowstransport"))
    );
}

/// A generic OpenID provider has no realm discovery and no SAML bearer grant: refused before any request.
#[tokio::test]
async fn an_openid_provider_that_is_not_entra_is_refused_before_any_request() {
    let s = setup().await;
    let oidc = common::oidc_engine_for(&s.tenant, s.clock.clone());
    s.tenant.clear_requests();
    let error = oidc
        .acquire_token_integrated_windows_auth(
            &scopes(&["User.Read"]),
            None,
            &TestWindows::signed_in_as(&nestor(), DEMO_WINDOWS_TICKET),
        )
        .await
        .expect_err("not Entra");
    assert!(
        matches!(
            error,
            CoreError::WindowsSignIn(WindowsSignInError::NotEntra)
        ),
        "{error:?}"
    );
    assert!(s.tenant.requests().is_empty(), "no request at all");
}

#[tokio::test]
async fn a_ticket_the_federation_server_does_not_accept_is_a_negotiate_error() {
    let s = setup().await;
    let error = s
        .engine
        .acquire_token_integrated_windows_auth(
            &scopes(&["User.Read"]),
            None,
            &TestWindows::signed_in_as(&nestor(), "a ticket for someone else"),
        )
        .await
        .expect_err("refused");
    assert!(
        matches!(
            error,
            CoreError::WindowsSignIn(WindowsSignInError::Negotiate { .. })
        ),
        "{error:?}"
    );
    assert!(
        !error.to_string().contains("someone else"),
        "the ticket never shows"
    );
    assert_eq!(grants(&s.tenant, SAML11), 0);
}

/// The tenant's side, driven by hand: an assertion is redeemable byte for byte as issued, until it expires; a request
/// for another audience is a SOAP fault; no Negotiate header is a 401 that asks for one.
#[tokio::test]
async fn the_federation_server_and_the_saml_grant_are_as_strict_as_entra() {
    let s = setup().await;
    let http = ReqwestClient::new(std::time::Duration::from_secs(10), Some(s.tenant.ca_pem()))
        .expect("http");
    let endpoint = url::Url::parse(&format!(
        "{}/adfs/services/trust/13/windowstransport",
        s.tenant.https_url()
    ))
    .expect("url");
    let issue = |audience: &str, ticket: Option<&str>| {
        let body = wstrust::windows_integrated_request(
            &endpoint,
            wstrust::WsTrustVersion::Trust13,
            audience,
            uuid::Uuid::new_v4(),
        );
        let mut request = HttpRequest {
            method: Method::Post,
            url: endpoint.clone(),
            headers: Vec::new(),
            form: Vec::new(),
            body: Some(body.into_bytes()),
        }
        .header("Content-Type", "application/soap+xml; charset=utf-8");
        if let Some(ticket) = ticket {
            request = request.header(
                "Authorization",
                format!(
                    "Negotiate {}",
                    base64::engine::general_purpose::STANDARD.encode(ticket)
                ),
            );
        }
        request
    };
    let challenge = http
        .send(issue("urn:federation:MicrosoftOnline", None))
        .await
        .expect("answer");
    assert_eq!(
        (challenge.status, challenge.header("www-authenticate")),
        (401, Some("Negotiate"))
    );
    let other_audience = http
        .send(issue(
            "urn:federation:SomeoneElse",
            Some(DEMO_WINDOWS_TICKET),
        ))
        .await
        .expect("answer");
    assert_eq!(other_audience.status, 500);
    assert!(matches!(
        wstrust::parse_response(&other_audience.body),
        Err(wstrust::WsTrustFailure::Fault { ref reason, .. }) if reason.starts_with("MSIS7007")
    ));
    let issued = http
        .send(issue(
            "urn:federation:MicrosoftOnline",
            Some(DEMO_WINDOWS_TICKET),
        ))
        .await
        .expect("answer");
    let assertion = wstrust::parse_response(&issued.body).expect("assertion");
    let token_endpoint = url::Url::parse(&format!(
        "{}/oauth2/v2.0/token",
        s.tenant.authority("organizations")
    ))
    .expect("url");
    let redeem = |grant: &str, assertion: String| {
        HttpRequest::post_form(
            token_endpoint.clone(),
            vec![
                ("client_id".into(), graphdesk_tenant::DEMO_CLIENT_ID.into()),
                ("grant_type".into(), grant.into()),
                ("assertion".into(), assertion),
                (
                    "scope".into(),
                    "User.Read openid profile offline_access".into(),
                ),
            ],
        )
    };
    let xml = String::from_utf8(assertion.xml.secret().to_vec()).expect("utf-8");
    let changed = xml.replacen("nestor@", "nestoR@", 1);
    let tampered = http
        .send(redeem(
            SAML11,
            base64::engine::general_purpose::STANDARD.encode(&changed),
        ))
        .await
        .expect("answer");
    assert_eq!(tampered.status, 400);
    assert!(String::from_utf8_lossy(&tampered.body).contains("AADSTS50008"));
    let as_saml2 = http
        .send(redeem(
            "urn:ietf:params:oauth:grant-type:saml2-bearer",
            assertion.form_value(),
        ))
        .await
        .expect("answer");
    assert_eq!(as_saml2.status, 400);
    advance(&s, 3_601);
    let expired = http
        .send(redeem(SAML11, assertion.form_value()))
        .await
        .expect("answer");
    assert_eq!(expired.status, 400);
    assert!(String::from_utf8_lossy(&expired.body).contains("AADSTS50013"));
}

#[tokio::test]
async fn realm_discovery_needs_its_api_version() {
    let s = setup().await;
    let http = ReqwestClient::new(std::time::Duration::from_secs(10), Some(s.tenant.ca_pem()))
        .expect("http");
    let url = url::Url::parse(&format!(
        "{}/common/userrealm/{}",
        s.tenant.https_url(),
        nestor()
    ))
    .expect("url");
    let answer = http.send(HttpRequest::get(url)).await.expect("answer");
    assert_eq!(answer.status, 400);
}

/// A federated account's password goes to its federation server (Entra refuses it directly: AADSTS50126), as MSAL
/// Python and MSAL .NET send it; a managed account's still goes to Entra.
#[tokio::test]
async fn a_federated_accounts_password_goes_to_its_federation_server() {
    let s = setup().await;
    let result = s
        .engine
        .acquire_token_by_username_password(
            &scopes(&["User.Read"]),
            &nestor(),
            &Password::new("demo"),
        )
        .await
        .expect("signed in");
    assert_eq!(result.source, TokenSource::UsernamePassword);
    assert_eq!(result.account.username, nestor());
    let paths: Vec<String> = s.tenant.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths
            .iter()
            .any(|p| p.ends_with("/adfs/services/trust/13/usernamemixed")),
        "{paths:?}"
    );
    assert_eq!(
        (grants(&s.tenant, SAML11), grants(&s.tenant, "password")),
        (1, 0)
    );

    let wrong = s
        .engine
        .acquire_token_by_username_password(
            &scopes(&["User.Read"]),
            &nestor(),
            &Password::new("nope"),
        )
        .await
        .expect_err("refused");
    match &wrong {
        CoreError::SignInRefused { description, .. } => {
            assert!(
                description.as_deref().is_some_and(|d| d.contains("ID3242")),
                "{wrong:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!wrong.to_string().contains("nope"));

    s.tenant.clear_requests();
    s.engine
        .acquire_token_by_username_password(
            &scopes(&["User.Read"]),
            "adele@contoso.example",
            &Password::new("demo"),
        )
        .await
        .expect("a managed account");
    assert_eq!(
        (grants(&s.tenant, "password"), grants(&s.tenant, SAML11)),
        (1, 0)
    );
}

/// Entra cannot check a federated account's password: asked directly, it answers AADSTS50126.
#[tokio::test]
async fn the_tenant_refuses_a_federated_password_sent_to_entra() {
    let s = setup().await;
    let http = ReqwestClient::new(std::time::Duration::from_secs(10), Some(s.tenant.ca_pem()))
        .expect("http");
    let token_endpoint = url::Url::parse(&format!(
        "{}/oauth2/v2.0/token",
        s.tenant.authority("organizations")
    ))
    .expect("url");
    let answer = http
        .send(HttpRequest::post_form(
            token_endpoint,
            vec![
                ("client_id".into(), graphdesk_tenant::DEMO_CLIENT_ID.into()),
                ("grant_type".into(), "password".into()),
                ("username".into(), nestor()),
                ("password".into(), "demo".into()),
                ("scope".into(), "User.Read openid".into()),
            ],
        ))
        .await
        .expect("answer");
    assert_eq!(answer.status, 400);
    assert!(String::from_utf8_lossy(&answer.body).contains("AADSTS50126"));
}
