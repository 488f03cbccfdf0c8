//! The tenant is as strict as Entra, not kinder (issue 13): `client_info` only when a request asks for it, guests get
//! the guest tenant's `tid`/`oid` under the same `client_info`, `error_description` carries Entra's `\r\n` trace block,
//! and the faults that make a client cope with several `WWW-Authenticate` headers and a `Retry-After` date.

mod common;

use common::*;
use graphdesk_tenant::directory::{
    DEMO_GUEST_OBJECT_ID, DEMO_GUEST_TENANT_DOMAIN, DEMO_GUEST_TENANT_ID, DEMO_TENANT_ID,
};
use graphdesk_tenant::faults::{Fault, FaultAction, FaultTarget};
use graphdesk_tenant::{DEMO_CLIENT_ID, RunningTenant};
use serde_json::Value;

const SCOPE: &str = "User.Read openid profile offline_access";

fn claims_of(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&graphdesk_tenant::crypto::b64url_decode(payload).expect("b64"))
        .expect("json")
}

fn client_info_of(body: &Value) -> Option<Value> {
    let text = body["client_info"].as_str()?;
    serde_json::from_slice(&graphdesk_tenant::crypto::b64url_decode(text)?).ok()
}

/// Signs `upn` in through `segment`, with `client_info=1` on the authorize URL and the token request when `ask`.
async fn sign_in_at(
    tenant: &RunningTenant,
    segment: &str,
    upn: &str,
    ask: bool,
) -> (String, Value) {
    let (verifier, challenge) = pkce();
    let flag = if ask { "1" } else { "" };
    let url = authorize_url(
        tenant,
        segment,
        &challenge,
        &[("scope", SCOPE), ("client_info", flag)],
    );
    let redirect = tenant.complete_authorization(&url, upn).expect("signed in");
    let code = param(&redirect, "code").expect("code");
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", DEMO_CLIENT_ID),
        ("code", code.as_str()),
        ("redirect_uri", "graphdesk://auth"),
        ("code_verifier", verifier.as_str()),
        ("scope", SCOPE),
    ];
    if ask {
        form.push(("client_info", "1"));
    }
    let (status, body) = token(tenant, segment, &form).await;
    assert_eq!(status, 200, "{body}");
    (redirect, body)
}

#[tokio::test]
async fn client_info_comes_back_only_when_asked_for() {
    let tenant = start().await;
    let (redirect, body) =
        sign_in_at(&tenant, "organizations", "adele@contoso.example", false).await;
    assert_eq!(param(&redirect, "client_info"), None, "{redirect}");
    assert!(body.get("client_info").is_none(), "{body}");
    let (redirect, body) =
        sign_in_at(&tenant, "organizations", "adele@contoso.example", true).await;
    assert!(param(&redirect, "client_info").is_some());
    let info = client_info_of(&body).expect("client_info");
    assert_eq!(info["utid"], DEMO_TENANT_ID);

    // A refresh and a password grant: the same rule.
    let rt = body["refresh_token"].as_str().expect("rt").to_owned();
    let refresh = |ask: bool, rt: String| {
        let tenant = &tenant;
        async move {
            let mut form = vec![
                ("grant_type", "refresh_token".to_owned()),
                ("client_id", DEMO_CLIENT_ID.to_owned()),
                ("refresh_token", rt),
                ("scope", SCOPE.to_owned()),
            ];
            if ask {
                form.push(("client_info", "1".to_owned()));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            token(tenant, "organizations", &form).await
        }
    };
    let (status, plain) = refresh(false, rt).await;
    assert_eq!(status, 200, "{plain}");
    assert!(plain.get("client_info").is_none(), "{plain}");
    let (status, asked) = refresh(
        true,
        plain["refresh_token"].as_str().expect("rt").to_owned(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(client_info_of(&asked).expect("client_info"), info);

    // MSAL .NET's confidential clients send client_info=2; a public client's tenant does not answer it.
    let (status, body) = token(
        &tenant,
        "organizations",
        &[
            ("grant_type", "password"),
            ("client_id", DEMO_CLIENT_ID),
            ("username", "lee@contoso.example"),
            ("password", "demo"),
            ("scope", SCOPE),
            ("client_info", "2"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("client_info").is_none());
}

#[tokio::test]
async fn a_device_code_poll_without_client_info_names_the_account_only_by_sub() {
    let tenant = start().await;
    let flow: Value = client(&tenant)
        .post(format!(
            "{}/oauth2/v2.0/devicecode",
            tenant.authority("organizations")
        ))
        .form(&[("client_id", DEMO_CLIENT_ID), ("scope", SCOPE)])
        .send()
        .await
        .expect("devicecode")
        .json()
        .await
        .expect("json");
    let user_code = flow["user_code"].as_str().expect("user code");
    tenant
        .decide_device_code(user_code, "adele@contoso.example", true)
        .expect("approved");
    let (status, body) = token(
        &tenant,
        "organizations",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("device_code", flow["device_code"].as_str().expect("dc")),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("client_info").is_none(), "{body}");
    let id = claims_of(body["id_token"].as_str().expect("id token"));
    assert!(id["sub"].is_string() && id["sub"] != id["oid"]);
}

#[tokio::test]
async fn a_guest_gets_the_guest_tenant_in_tid_and_iss_and_keeps_the_home_client_info() {
    let tenant = start().await;
    let (_, home) = sign_in_at(&tenant, "organizations", "adele@contoso.example", true).await;
    let home_id = claims_of(home["id_token"].as_str().expect("id"));
    assert_eq!(home_id["tid"], DEMO_TENANT_ID);

    let (_, guest) = sign_in_at(
        &tenant,
        DEMO_GUEST_TENANT_DOMAIN,
        "adele@contoso.example",
        true,
    )
    .await;
    let guest_id = claims_of(guest["id_token"].as_str().expect("id"));
    assert_eq!(guest_id["tid"], DEMO_GUEST_TENANT_ID);
    assert_eq!(guest_id["oid"], DEMO_GUEST_OBJECT_ID);
    assert_eq!(
        guest_id["iss"],
        format!("{}/{DEMO_GUEST_TENANT_ID}/v2.0", tenant.https_url())
    );
    assert_eq!(
        client_info_of(&guest),
        client_info_of(&home),
        "home_account_id is the same in every tenant"
    );
    let at = claims_of(guest["access_token"].as_str().expect("at"));
    assert_eq!(
        (at["tid"].as_str(), at["oid"].as_str()),
        (Some(DEMO_GUEST_TENANT_ID), Some(DEMO_GUEST_OBJECT_ID))
    );
    // Graph knows the guest by the guest object id.
    let me = graph(
        &tenant,
        "/v1.0/me",
        guest["access_token"].as_str().expect("at"),
    )
    .await;
    assert_eq!(me.status(), 200);

    // A refresh token works across tenants: the home sign-in's, redeemed at the guest authority, gives a guest token;
    // at `common` the home one.
    for (segment, tid) in [
        (DEMO_GUEST_TENANT_ID, DEMO_GUEST_TENANT_ID),
        ("common", DEMO_TENANT_ID),
    ] {
        let rt = home["refresh_token"].as_str().expect("rt").to_owned();
        let (status, body) = token(
            &tenant,
            segment,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", DEMO_CLIENT_ID),
                ("refresh_token", &rt),
                ("scope", SCOPE),
                ("client_info", "1"),
            ],
        )
        .await;
        assert_eq!(status, 200, "{segment}: {body}");
        assert_eq!(
            claims_of(body["id_token"].as_str().expect("id"))["tid"],
            tid,
            "{segment}"
        );
    }

    // Someone who is no guest there is refused.
    let (status, body) = token(
        &tenant,
        DEMO_GUEST_TENANT_ID,
        &[
            ("grant_type", "password"),
            ("client_id", DEMO_CLIENT_ID),
            ("username", "lee@contoso.example"),
            ("password", "demo"),
            ("scope", SCOPE),
        ],
    )
    .await;
    assert_eq!((status, aadsts(&body)), (400, 50_034), "{body}");
}

#[tokio::test]
async fn error_descriptions_carry_the_trace_block_on_crlf_lines() {
    let tenant = start().await;
    let (status, body) = token(
        &tenant,
        "organizations",
        &[
            ("grant_type", "password"),
            ("client_id", DEMO_CLIENT_ID),
            ("username", "adele@contoso.example"),
            ("password", "wrong"),
            ("scope", SCOPE),
        ],
    )
    .await;
    assert_eq!(status, 400);
    let description = body["error_description"].as_str().expect("description");
    let lines: Vec<&str> = description.split("\r\n").collect();
    assert_eq!(lines.len(), 4, "{description:?}");
    assert!(lines[0].starts_with("AADSTS50126: "));
    assert!(lines[1].starts_with("Trace ID: "));
    assert!(lines[2].starts_with("Correlation ID: "));
    assert!(lines[3].starts_with("Timestamp: "));
}

#[tokio::test]
async fn faults_send_a_claims_challenge_beside_a_pop_one_and_retry_after_as_a_date() {
    let tenant = start().await;
    let body = sign_in(&tenant, "adele@contoso.example", SCOPE).await;
    tenant.advance_clock(5);
    tenant.inject(Fault::once(
        FaultTarget::Graph,
        FaultAction::ClaimsChallengeBesidePop,
    ));
    let response = graph(
        &tenant,
        "/v1.0/me",
        body["access_token"].as_str().expect("at"),
    )
    .await;
    assert_eq!(response.status(), 401);
    let challenges: Vec<&str> = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(challenges.len(), 2, "{challenges:?}");
    assert!(challenges[0].starts_with("PoP ") && challenges[0].contains("nonce=\""));
    assert!(
        challenges[1].starts_with("Bearer ")
            && challenges[1].contains("error=\"insufficient_claims\"")
    );

    tenant.inject(Fault::once(
        FaultTarget::Graph,
        FaultAction::StatusWithRetryAfterDate {
            status: 503,
            retry_after: 120,
        },
    ));
    let response = graph(
        &tenant,
        "/v1.0/me",
        body["access_token"].as_str().expect("at"),
    )
    .await;
    assert_eq!(response.status(), 503);
    let date = response.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let at = httpdate::parse_http_date(&date).expect("an HTTP date");
    let seconds = at
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after the epoch")
        .as_secs();
    assert_eq!(seconds, tenant.tenant().clock.now() + 120, "{date}");
}

#[tokio::test]
async fn instance_discovery_answers_for_its_own_host_and_refuses_others() {
    let tenant = start().await;
    let ask = |endpoint: String, version: Option<&'static str>| {
        let tenant = &tenant;
        async move {
            let mut query = vec![("authorization_endpoint", endpoint)];
            if let Some(version) = version {
                query.push(("api-version", version.to_owned()));
            }
            let response = client(tenant)
                .get(format!("{}/common/discovery/instance", tenant.https_url()))
                .query(&query)
                .send()
                .await
                .expect("sent");
            (
                response.status().as_u16(),
                response.json::<Value>().await.expect("json"),
            )
        }
    };
    let own = format!(
        "{}/oauth2/v2.0/authorize",
        tenant.authority("organizations")
    );
    let (status, body) = ask(own.clone(), Some("1.1")).await;
    assert_eq!(status, 200, "{body}");
    let host = tenant.https_url().trim_start_matches("https://").to_owned();
    let aliases: Vec<&str> = body["metadata"][0]["aliases"]
        .as_array()
        .expect("aliases")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        aliases.contains(&host.as_str()) && aliases.len() == 2,
        "{body}"
    );
    assert_eq!(body["metadata"][0]["preferred_cache"], host);

    let (status, body) = ask(
        "https://login.elsewhere.example/common/oauth2/v2.0/authorize".into(),
        Some("1.1"),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_instance"))
    );
    assert_eq!(aadsts(&body), 50_049);
    let (status, _) = ask(own, None).await;
    assert_eq!(status, 400, "api-version is required");
}
