//! The identity endpoints over https: discovery, JWKS, the authorization-code flow with PKCE (through the automation API
//! and through the HTML pages with a cookie jar), and every refusal of the authorization endpoint.

mod common;

use common::*;
use graphdesk_tenant::crypto::decode_claims;
use graphdesk_tenant::{DEMO_CLIENT_ID, DEMO_TENANT_DOMAIN, DEMO_TENANT_ID};
use serde_json::Value;

#[tokio::test]
async fn discovery_follows_the_authority_and_the_host() {
    let tenant = start().await;
    let http = client(&tenant);
    for (segment, issuer_tenant) in [
        ("common", "{tenantid}"),
        ("organizations", "{tenantid}"),
        ("consumers", "9188040d-6c67-4c5b-b112-36a304b66dad"),
        (DEMO_TENANT_ID, DEMO_TENANT_ID),
        (DEMO_TENANT_DOMAIN, DEMO_TENANT_ID),
    ] {
        let doc: Value = http
            .get(format!(
                "{}/v2.0/.well-known/openid-configuration",
                tenant.authority(segment)
            ))
            .send()
            .await
            .expect("discovery")
            .json()
            .await
            .expect("json");
        assert_eq!(
            doc["issuer"],
            format!("{}/{issuer_tenant}/v2.0", tenant.https_url()),
            "{segment}"
        );
        assert_eq!(
            doc["token_endpoint"],
            format!("{}/oauth2/v2.0/token", tenant.authority(segment))
        );
        assert_eq!(
            doc["device_authorization_endpoint"],
            format!("{}/oauth2/v2.0/devicecode", tenant.authority(segment))
        );
        assert!(
            doc["jwks_uri"]
                .as_str()
                .is_some_and(|u| u.ends_with("/discovery/v2.0/keys"))
        );
    }
    // Over http the issuer says http: endpoints follow the request.
    let doc: Value = reqwest::get(format!(
        "{}/common/v2.0/.well-known/openid-configuration",
        tenant.http_url().expect("plain http")
    ))
    .await
    .expect("http discovery")
    .json()
    .await
    .expect("json");
    assert!(
        doc["issuer"]
            .as_str()
            .is_some_and(|i| i.starts_with("http://127.0.0.1:"))
    );

    let unknown = http
        .get(format!(
            "{}/v2.0/.well-known/openid-configuration",
            tenant.authority("nope.example")
        ))
        .send()
        .await
        .expect("discovery");
    assert_eq!(unknown.status(), 400);
    let body: Value = unknown.json().await.expect("json");
    assert_eq!(body["error"], "invalid_tenant");
    assert_eq!(aadsts(&body), 90_002);
}

#[tokio::test]
async fn authorization_code_with_pkce_yields_checked_tokens_that_graph_accepts() {
    let tenant = start().await;
    let body = sign_in(
        &tenant,
        "adele@contoso.example",
        "User.Read openid profile offline_access",
    )
    .await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "User.Read openid profile");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["ext_expires_in"], 3600);
    assert!(body["refresh_token"].is_string());

    let id = decode_claims(body["id_token"].as_str().expect("id token")).expect("claims");
    assert_eq!(id["aud"], DEMO_CLIENT_ID);
    assert_eq!(
        id["iss"],
        format!("{}/{DEMO_TENANT_ID}/v2.0", tenant.https_url())
    );
    assert_eq!(id["tid"], DEMO_TENANT_ID);
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["preferred_username"], "adele@contoso.example");
    assert_eq!(id["name"], "Adele Vance");
    assert!(id["exp"].as_u64() > id["iat"].as_u64());

    let info =
        graphdesk_tenant::crypto::b64url_decode(body["client_info"].as_str().expect("client_info"))
            .expect("b64");
    let info: Value = serde_json::from_slice(&info).expect("json");
    assert_eq!(info["uid"], id["oid"]);
    assert_eq!(info["utid"], DEMO_TENANT_ID);

    // The ID token's kid is in the JWKS.
    let kid = decode_header_kid(body["id_token"].as_str().expect("id token"));
    let jwks: Value = client(&tenant)
        .get(format!(
            "{}/discovery/v2.0/keys",
            tenant.authority("common")
        ))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    assert_eq!(jwks["keys"][0]["kid"], kid.as_str());

    let me = graph(
        &tenant,
        "/v1.0/me",
        body["access_token"].as_str().expect("at"),
    )
    .await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.expect("json");
    assert_eq!(me["userPrincipalName"], "adele@contoso.example");
    assert_eq!(me["id"], id["oid"]);
}

fn decode_header_kid(jwt: &str) -> String {
    let header = jwt.split('.').next().expect("header");
    let header: Value =
        serde_json::from_slice(&graphdesk_tenant::crypto::b64url_decode(header).expect("b64"))
            .expect("json");
    header["kid"].as_str().expect("kid").to_owned()
}

async fn redeem(
    tenant: &graphdesk_tenant::RunningTenant,
    code: &str,
    verifier: &str,
    redirect: &str,
) -> (u16, Value) {
    token(
        tenant,
        "organizations",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
            ("scope", "User.Read openid offline_access"),
        ],
    )
    .await
}

#[tokio::test]
async fn codes_are_single_use_short_lived_and_bound_to_verifier_and_redirect() {
    let tenant = start().await;
    let code_for = |challenge: &str| {
        let url = authorize_url(&tenant, "organizations", challenge, &[]);
        param(
            &tenant
                .complete_authorization(&url, "adele@contoso.example")
                .expect("redirect"),
            "code",
        )
        .expect("code")
    };
    let (verifier, challenge) = pkce();

    let code = code_for(&challenge);
    let (status, body) = redeem(
        &tenant,
        &code,
        "wrong-verifier-wrong-verifier-wrong-verifier-1234",
        "graphdesk://auth",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str(), aadsts(&body)),
        (400, Some("invalid_grant"), 501_481)
    );
    // The failed attempt used the code up.
    let (_, body) = redeem(&tenant, &code, &verifier, "graphdesk://auth").await;
    assert_eq!(aadsts(&body), 54_005);

    let code = code_for(&challenge);
    assert_eq!(
        redeem(&tenant, &code, &verifier, "graphdesk://auth")
            .await
            .0,
        200
    );
    let (status, body) = redeem(&tenant, &code, &verifier, "graphdesk://auth").await;
    assert_eq!((status, aadsts(&body)), (400, 54_005), "replayed code");

    let code = code_for(&challenge);
    let (_, body) = redeem(&tenant, &code, &verifier, "http://127.0.0.1:9/").await;
    assert_eq!(aadsts(&body), 500_112, "redirect mismatch");

    let code = code_for(&challenge);
    tenant.advance_clock(601);
    let (_, body) = redeem(&tenant, &code, &verifier, "graphdesk://auth").await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("invalid_grant"), 70_008),
        "expired code"
    );
}

#[tokio::test]
async fn bad_clients_and_redirect_uris_get_an_error_page_never_a_redirect() {
    let tenant = start().await;
    let http = client(&tenant);
    let (_, challenge) = pkce();
    for (extra, code) in [
        (
            vec![("client_id", "00000000-0000-0000-0000-000000000bad")],
            "AADSTS700016",
        ),
        (vec![("redirect_uri", "graphdesk://evil")], "AADSTS50011"),
        (
            vec![("redirect_uri", "https://attacker.example/cb")],
            "AADSTS50011",
        ),
        (vec![("client_id", "")], "AADSTS900144"),
    ] {
        let url = authorize_url(&tenant, "organizations", &challenge, &extra);
        let response = http.get(&url).send().await.expect("authorize");
        assert_eq!(response.status(), 400, "{extra:?}");
        assert!(response.headers().get("location").is_none());
        let page = response.text().await.expect("html");
        assert!(page.contains(code), "{code}: {page}");
        let automated = tenant.complete_authorization(&url, "adele@contoso.example");
        assert!(
            matches!(
                automated,
                Err(graphdesk_tenant::AutomationError::ErrorPage { .. })
            ),
            "{automated:?}"
        );
    }
}

#[tokio::test]
async fn refusals_after_the_redirect_uri_is_trusted_are_redirected_with_state() {
    let tenant = start().await;
    let (_, challenge) = pkce();
    // (parameters overriding the defaults, expected error, expected AADSTS prefix)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("code_challenge", "")],
            "invalid_request",
            "AADSTS9002325",
        ),
        (
            vec![("code_challenge_method", "plain")],
            "invalid_request",
            "AADSTS9002325",
        ),
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
            "AADSTS700054",
        ),
        (
            vec![("scope", "Directory.ReadWrite.All")],
            "invalid_scope",
            "AADSTS65005",
        ),
        (vec![("prompt", "bogus")], "invalid_request", "AADSTS90023"),
        (vec![("prompt", "none")], "login_required", "AADSTS50058"),
    ];
    for (extra, error, code) in cases {
        let url = authorize_url(&tenant, "organizations", &challenge, &extra);
        let response = client(&tenant).get(&url).send().await.expect("authorize");
        assert_eq!(response.status(), 302, "{extra:?}");
        let location = response.headers()["location"]
            .to_str()
            .expect("location")
            .to_owned();
        assert!(location.starts_with("graphdesk://auth?"), "{location}");
        assert_eq!(
            param(&location, "error").as_deref(),
            Some(error),
            "{extra:?}"
        );
        assert!(
            param(&location, "error_description").is_some_and(|d| d.starts_with(code)),
            "{location}"
        );
        assert_eq!(param(&location, "state").as_deref(), Some("st-123"));
        assert_eq!(param(&location, "code"), None);
    }
}

#[tokio::test]
async fn declining_consent_is_access_denied() {
    let tenant = start().await;
    let (_, challenge) = pkce();
    let url = authorize_url(
        &tenant,
        "organizations",
        &challenge,
        &[("scope", "Mail.Read openid offline_access")],
    );
    let redirect = graphdesk_tenant::automation::complete_authorization(
        tenant.tenant(),
        &url,
        "lee@contoso.example",
        None,
        false,
    )
    .expect("redirect");
    assert_eq!(param(&redirect, "error").as_deref(), Some("access_denied"));
    assert!(param(&redirect, "error_description").is_some_and(|d| d.starts_with("AADSTS65004")));
    let wrong = graphdesk_tenant::automation::complete_authorization(
        tenant.tenant(),
        &url,
        "lee@contoso.example",
        Some("nope"),
        true,
    );
    assert!(
        matches!(
            wrong,
            Err(graphdesk_tenant::AutomationError::SignInRefused(_))
        ),
        "{wrong:?}"
    );
}

/// The HTML form of a page: its hidden `txn`.
fn txn(html: &str) -> String {
    let start =
        html.find("name=\"txn\" value=\"").expect("txn field") + "name=\"txn\" value=\"".len();
    html[start..].split('"').next().expect("value").to_owned()
}

#[tokio::test]
async fn the_browser_pages_sign_in_consent_and_single_sign_on() {
    let tenant = start().await;
    let browser = client(&tenant);
    let (_, challenge) = pkce();
    let action = format!(
        "{}/oauth2/v2.0/authorize",
        tenant.authority("organizations")
    );
    let url = authorize_url(
        &tenant,
        "organizations",
        &challenge,
        &[
            ("scope", "Mail.Read openid offline_access"),
            ("login_hint", "megan@contoso.example"),
        ],
    );
    let page = browser
        .get(&url)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("value=\"megan@contoso.example\""),
        "login_hint prefills the username"
    );

    let wrong = browser
        .post(&action)
        .form(&[
            ("step", "login"),
            ("txn", &txn(&page)),
            ("username", "megan@contoso.example"),
            ("password", "x"),
        ])
        .send()
        .await
        .expect("login")
        .text()
        .await
        .expect("html");
    assert!(wrong.contains("AADSTS50126"));

    let mfa = browser
        .post(&action)
        .form(&[
            ("step", "login"),
            ("txn", &txn(&wrong)),
            ("username", "megan@contoso.example"),
            ("password", "demo"),
        ])
        .send()
        .await
        .expect("login")
        .text()
        .await
        .expect("html");
    assert!(mfa.contains("Approve sign in request"), "Megan needs MFA");
    let consent = browser
        .post(&action)
        .form(&[("step", "mfa"), ("txn", &txn(&mfa)), ("decision", "accept")])
        .send()
        .await
        .expect("mfa")
        .text()
        .await
        .expect("html");
    assert!(consent.contains("Permissions requested") && consent.contains("Mail.Read"));
    let done = browser
        .post(&action)
        .form(&[
            ("step", "consent"),
            ("txn", &txn(&consent)),
            ("decision", "accept"),
        ])
        .send()
        .await
        .expect("consent");
    assert_eq!(done.status(), 302);
    let location = done.headers()["location"].to_str().expect("location");
    assert!(
        param(location, "code").is_some() && param(location, "state").as_deref() == Some("st-123")
    );

    // Same browser, prompt=none: the session and the consent make it silent.
    let silent = browser
        .get(authorize_url(
            &tenant,
            "organizations",
            &challenge,
            &[("scope", "Mail.Read openid"), ("prompt", "none")],
        ))
        .send()
        .await
        .expect("silent");
    assert_eq!(silent.status(), 302);
    assert!(param(silent.headers()["location"].to_str().expect("loc"), "code").is_some());

    // prompt=login asks again; prompt=consent shows the consent page again.
    let login = browser
        .get(authorize_url(
            &tenant,
            "organizations",
            &challenge,
            &[("prompt", "login")],
        ))
        .send()
        .await
        .expect("login")
        .text()
        .await
        .expect("html");
    assert!(login.contains("name=\"password\""));
    let again = browser
        .get(authorize_url(
            &tenant,
            "organizations",
            &challenge,
            &[("scope", "Mail.Read openid"), ("prompt", "consent")],
        ))
        .send()
        .await
        .expect("consent")
        .text()
        .await
        .expect("html");
    assert!(again.contains("Permissions requested"));

    // Logout ends the session: prompt=none is login_required again.
    browser
        .get(format!(
            "{}/oauth2/v2.0/logout",
            tenant.authority("organizations")
        ))
        .send()
        .await
        .expect("logout");
    let after = browser
        .get(authorize_url(
            &tenant,
            "organizations",
            &challenge,
            &[("prompt", "none")],
        ))
        .send()
        .await
        .expect("silent");
    assert_eq!(
        param(after.headers()["location"].to_str().expect("loc"), "error").as_deref(),
        Some("login_required")
    );
}

#[tokio::test]
async fn authorities_admit_only_their_users() {
    let tenant = start().await;
    let (_, challenge) = pkce();
    let consumers = authorize_url(&tenant, "consumers", &challenge, &[]);
    assert!(
        tenant
            .complete_authorization(&consumers, "adele@contoso.example")
            .is_err()
    );
    assert!(
        tenant
            .complete_authorization(&consumers, "sam@outlook.example")
            .is_ok()
    );
    let organizations = authorize_url(&tenant, "organizations", &challenge, &[]);
    assert!(
        tenant
            .complete_authorization(&organizations, "sam@outlook.example")
            .is_err()
    );
}
