//! The token endpoint's other grants and its refusals: refresh (rotation, revocation, inactivity, client capabilities),
//! device code (pending, slow_down, approve, deny, expiry), username/password (MFA, personal accounts, bad password), and
//! malformed requests — every one Entra-shaped.

mod common;

use common::*;
use graphdesk_tenant::crypto::decode_claims;
use graphdesk_tenant::{DEMO_CLIENT_ID, Directory, TenantConfig};
use serde_json::Value;

async fn refresh(
    tenant: &graphdesk_tenant::RunningTenant,
    refresh_token: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("client_id", DEMO_CLIENT_ID),
        ("refresh_token", refresh_token),
        ("scope", GRAPH_USER_READ),
    ];
    form.retain(|(key, _)| !extra.iter().any(|(k, _)| k == key));
    form.extend_from_slice(extra);
    token(tenant, "organizations", &form).await
}

#[tokio::test]
async fn refresh_rotates_normalises_scopes_and_honours_client_capabilities() {
    let tenant = start().await;
    let first = sign_in(
        &tenant,
        "adele@contoso.example",
        "User.Read openid profile offline_access",
    )
    .await;
    let rt = first["refresh_token"].as_str().expect("rt");
    let cp1 = r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#;
    let (status, second) = refresh(&tenant, rt, &[("claims", cp1)]).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(
        second["scope"], "User.Read",
        "long Graph names come back short"
    );
    let rotated = second["refresh_token"].as_str().expect("rotated");
    assert_ne!(rotated, rt);
    let at = decode_claims(second["access_token"].as_str().expect("at")).expect("claims");
    assert_eq!(at["xms_cc"][0], "cp1");
    assert_eq!(at["scp"], "User.Read");
    assert_eq!(at["aud"], "https://graph.microsoft.com");
    let plain = decode_claims(first["access_token"].as_str().expect("at")).expect("claims");
    assert!(plain.get("xms_cc").is_none());
    assert_eq!(refresh(&tenant, rotated, &[]).await.0, 200);
}

#[tokio::test]
async fn refresh_refusals_are_invalid_grant_with_the_right_code() {
    let tenant = start().await;
    let first = sign_in(
        &tenant,
        "adele@contoso.example",
        "User.Read openid offline_access",
    )
    .await;
    let rt = first["refresh_token"].as_str().expect("rt").to_owned();

    let (_, body) = refresh(&tenant, "1.ARnot-a-real-token", &[]).await;
    assert_eq!(
        (
            body["error"].as_str(),
            aadsts(&body),
            body["suberror"].as_str()
        ),
        (Some("invalid_grant"), 9_002_313, Some("bad_token"))
    );

    let (_, body) = refresh(&tenant, &rt, &[("scope", "Mail.Read")]).await;
    assert_eq!(
        (aadsts(&body), body["suberror"].as_str()),
        (65_001, Some("consent_required")),
        "unconsented scope"
    );

    let (status, body) = token(
        &tenant,
        "organizations",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "00000000-0000-0000-0000-0000000000aa"),
            ("refresh_token", &rt),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str(), aadsts(&body)),
        (400, Some("unauthorized_client"), 700_016)
    );

    tenant.advance_clock(91 * 86_400);
    let (_, body) = refresh(&tenant, &rt, &[]).await;
    assert_eq!(aadsts(&body), 700_082, "inactive for 91 days");

    let tenant = start().await;
    let first = sign_in(
        &tenant,
        "adele@contoso.example",
        "User.Read openid offline_access",
    )
    .await;
    let rt = first["refresh_token"].as_str().expect("rt").to_owned();
    assert!(tenant.revoke("adele@contoso.example"));
    assert!(!tenant.revoke("nobody@contoso.example"));
    let (_, body) = refresh(&tenant, &rt, &[]).await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("invalid_grant"), 50_173),
        "revoked"
    );
    // A new sign-in after the revocation works again.
    tenant.advance_clock(1);
    let again = sign_in(
        &tenant,
        "adele@contoso.example",
        "User.Read openid offline_access",
    )
    .await;
    assert_eq!(
        refresh(&tenant, again["refresh_token"].as_str().expect("rt"), &[])
            .await
            .0,
        200
    );
}

async fn start_device(tenant: &graphdesk_tenant::RunningTenant) -> Value {
    let response = client(tenant)
        .post(format!(
            "{}/oauth2/v2.0/devicecode",
            tenant.authority("organizations")
        ))
        .form(&[
            ("client_id", DEMO_CLIENT_ID),
            ("scope", "User.Read openid profile offline_access"),
        ])
        .send()
        .await
        .expect("devicecode");
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

async fn poll(tenant: &graphdesk_tenant::RunningTenant, device_code: &str) -> (u16, Value) {
    token(
        tenant,
        "organizations",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", DEMO_CLIENT_ID),
            ("device_code", device_code),
        ],
    )
    .await
}

#[tokio::test]
async fn device_code_pending_slow_down_approve_and_single_use() {
    let tenant = start().await;
    let flow = start_device(&tenant).await;
    let device_code = flow["device_code"]
        .as_str()
        .expect("device code")
        .to_owned();
    let user_code = flow["user_code"].as_str().expect("user code").to_owned();
    assert_eq!(flow["interval"], 5);
    assert_eq!(flow["expires_in"], 900);
    assert_eq!(
        flow["verification_uri"],
        format!("{}/devicelogin", tenant.https_url())
    );
    assert!(
        flow["message"]
            .as_str()
            .is_some_and(|m| m.contains(&user_code))
    );

    let (status, body) = poll(&tenant, &device_code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    let (_, body) = poll(&tenant, &device_code).await;
    assert_eq!(
        body["error"], "slow_down",
        "polled again within the interval"
    );

    tenant.advance_clock(11);
    tenant
        .decide_device_code(&user_code.to_lowercase(), "adele@contoso.example", true)
        .expect("approved");
    let (status, body) = poll(&tenant, &device_code).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["id_token"].is_string() && body["refresh_token"].is_string());
    tenant.advance_clock(11);
    let (_, body) = poll(&tenant, &device_code).await;
    assert_eq!(
        body["error"], "bad_verification_code",
        "a device code is redeemed once"
    );
    assert!(
        tenant
            .decide_device_code(&user_code, "adele@contoso.example", true)
            .is_err()
    );
}

#[tokio::test]
async fn refresh_in_is_sent_when_configured() {
    let config = TenantConfig {
        access_token_lifetime: 7_200,
        refresh_in: Some(3_600),
        ..TenantConfig::default()
    };
    let tenant = start_with(Directory::demo(), config).await;
    let body = sign_in(
        &tenant,
        "adele@contoso.example",
        "User.Read openid offline_access",
    )
    .await;
    assert_eq!(
        (body["expires_in"].as_u64(), body["refresh_in"].as_u64()),
        (Some(7_200), Some(3_600))
    );
    let plain = sign_in(&start().await, "adele@contoso.example", "User.Read openid").await;
    assert!(
        plain.get("refresh_in").is_none() && plain.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
}

#[tokio::test]
async fn device_code_requests_are_validated() {
    let tenant = start().await;
    let endpoint = format!(
        "{}/oauth2/v2.0/devicecode",
        tenant.authority("organizations")
    );
    for (form, error, code) in [
        (
            vec![("client_id", DEMO_CLIENT_ID)],
            "invalid_request",
            900_144,
        ),
        (
            vec![
                ("client_id", "00000000-0000-0000-0000-0000000000aa"),
                ("scope", "User.Read"),
            ],
            "unauthorized_client",
            700_016,
        ),
        (
            vec![("client_id", DEMO_CLIENT_ID), ("scope", "Nope.Nothing")],
            "invalid_scope",
            65_005,
        ),
    ] {
        let body: Value = client(&tenant)
            .post(&endpoint)
            .form(&form)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(
            (body["error"].as_str(), aadsts(&body)),
            (Some(error), code),
            "{form:?}"
        );
    }
}

#[tokio::test]
async fn device_code_denied_expired_and_unknown() {
    let tenant = start().await;
    let flow = start_device(&tenant).await;
    tenant
        .decide_device_code(
            flow["user_code"].as_str().expect("uc"),
            "lee@contoso.example",
            false,
        )
        .expect("denied");
    let (_, body) = poll(&tenant, flow["device_code"].as_str().expect("dc")).await;
    assert_eq!(body["error"], "authorization_declined");

    let flow = start_device(&tenant).await;
    tenant.advance_clock(901);
    let (_, body) = poll(&tenant, flow["device_code"].as_str().expect("dc")).await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("expired_token"), 70_020)
    );
    assert!(
        tenant
            .decide_device_code(
                flow["user_code"].as_str().expect("uc"),
                "lee@contoso.example",
                true
            )
            .is_err()
    );

    let (_, body) = poll(&tenant, "DAQABAAEAAADnot-a-code").await;
    assert_eq!(body["error"], "bad_verification_code");

    // The device page refuses a wrong password.
    let flow = start_device(&tenant).await;
    let page = client(&tenant)
        .post(format!("{}/devicelogin", tenant.https_url()))
        .form(&[
            ("user_code", flow["user_code"].as_str().expect("uc")),
            ("username", "lee@contoso.example"),
            ("password", "x"),
        ])
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 400);
    let ok = client(&tenant)
        .post(format!("{}/devicelogin", tenant.https_url()))
        .form(&[
            ("user_code", flow["user_code"].as_str().expect("uc")),
            ("username", "lee@contoso.example"),
            ("password", "demo"),
        ])
        .send()
        .await
        .expect("page");
    assert_eq!(ok.status(), 200);
    tenant.advance_clock(11);
    assert_eq!(
        poll(&tenant, flow["device_code"].as_str().expect("dc"))
            .await
            .0,
        200
    );
}

async fn ropc(
    tenant: &graphdesk_tenant::RunningTenant,
    username: &str,
    password: &str,
) -> (u16, Value) {
    token(
        tenant,
        "organizations",
        &[
            ("grant_type", "password"),
            ("client_id", DEMO_CLIENT_ID),
            ("username", username),
            ("password", password),
            ("scope", "User.Read openid profile offline_access"),
        ],
    )
    .await
}

#[tokio::test]
async fn username_password_works_and_refuses_mfa_personal_and_bad_credentials() {
    let tenant = start().await;
    let (status, body) = ropc(&tenant, "adele@contoso.example", "demo").await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].is_string());

    let (_, body) = ropc(&tenant, "megan@contoso.example", "demo").await;
    assert_eq!(
        (
            body["error"].as_str(),
            aadsts(&body),
            body["suberror"].as_str()
        ),
        (Some("interaction_required"), 50_076, Some("basic_action"))
    );
    let (_, body) = ropc(&tenant, "adele@contoso.example", "wrong").await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("invalid_grant"), 50_126)
    );
    let (_, body) = ropc(&tenant, "nobody@contoso.example", "demo").await;
    assert_eq!(aadsts(&body), 50_034);
    let (_, body) = token(
        &tenant,
        "common",
        &[
            ("grant_type", "password"),
            ("client_id", DEMO_CLIENT_ID),
            ("username", "sam@outlook.example"),
            ("password", "demo"),
            ("scope", "User.Read"),
        ],
    )
    .await;
    assert_eq!(
        aadsts(&body),
        9_002_331,
        "personal accounts cannot use ROPC"
    );
}

#[tokio::test]
async fn malformed_requests_get_entra_shaped_errors() {
    let tenant = start_with(
        Directory::demo(),
        TenantConfig {
            max_body_bytes: 4096,
            ..TenantConfig::default()
        },
    )
    .await;
    let (_, body) = token(&tenant, "organizations", &[("client_id", DEMO_CLIENT_ID)]).await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("invalid_request"), 900_144)
    );
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| d.contains("'grant_type'"))
    );
    for field in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[field].is_string(), "{field}");
    }
    let (_, body) = token(
        &tenant,
        "organizations",
        &[("grant_type", "magic"), ("client_id", DEMO_CLIENT_ID)],
    )
    .await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("unsupported_grant_type"), 70_003)
    );
    let (_, body) = token(
        &tenant,
        "nope.example",
        &[("grant_type", "password"), ("client_id", DEMO_CLIENT_ID)],
    )
    .await;
    assert_eq!(aadsts(&body), 90_002);

    let http = client(&tenant);
    let url = format!("{}/oauth2/v2.0/token", tenant.authority("organizations"));
    let send = |body: Vec<u8>, content_type: &'static str| {
        http.post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let dup: Value = send(
        b"grant_type=password&grant_type=refresh_token&client_id=x".to_vec(),
        "application/x-www-form-urlencoded",
    )
    .await
    .expect("dup")
    .json()
    .await
    .expect("json");
    assert_eq!(aadsts(&dup), 90_015);
    let json_body = send(br#"{"grant_type":"password"}"#.to_vec(), "application/json")
        .await
        .expect("json body");
    assert_eq!(json_body.status(), 400);
    assert_eq!(aadsts(&json_body.json().await.expect("json")), 900_561);
    let big = send(vec![b'a'; 10_000], "application/x-www-form-urlencoded")
        .await
        .expect("big");
    assert_eq!(big.status(), 413);
    let big: Value = big.json().await.expect("json");
    assert_eq!(big["error"], "invalid_request");
    let binary: Value = send(vec![0xff, 0xfe, b'='], "application/x-www-form-urlencoded")
        .await
        .expect("binary")
        .json()
        .await
        .expect("json");
    assert_eq!(binary["error"], "invalid_request");

    // The client's correlation id comes back.
    let echoed: Value = http
        .post(&url)
        .header("client-request-id", "0a1b2c3d-0000-4000-8000-000000000001")
        .form(&[("client_id", DEMO_CLIENT_ID)])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        echoed["correlation_id"],
        "0a1b2c3d-0000-4000-8000-000000000001"
    );
}

#[tokio::test]
async fn a_durable_tenant_honours_its_tokens_after_a_restart_on_the_same_ports() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("tenant-state.json");
    let first = graphdesk_tenant::TenantServer::new()
        .durable(&state)
        .start()
        .await
        .expect("start");
    let tokens = sign_in(&first, "adele@contoso.example", "User.Read offline_access").await;
    let at = tokens["access_token"].as_str().expect("at").to_owned();
    let rt = tokens["refresh_token"].as_str().expect("rt").to_owned();
    let url = first.https_url();
    drop(first);

    let second = graphdesk_tenant::TenantServer::new()
        .durable(&state)
        .start()
        .await
        .expect("restart");
    assert_eq!(second.https_url(), url, "same ports, so the same issuer");
    assert_eq!(
        graph(&second, "/v1.0/me", &at).await.status(),
        200,
        "same signing key"
    );
    let (status, body) = refresh(&second, &rt, &[]).await;
    assert_eq!(status, 200, "the refresh token survived: {body}");
    assert!(second.revoke("adele@contoso.example"));
    drop(second);

    // The revocation is kept too; and a damaged file is moved aside, not trusted.
    let third = graphdesk_tenant::TenantServer::new()
        .durable(&state)
        .start()
        .await
        .expect("restart");
    let rotated = body["refresh_token"].as_str().expect("rotated");
    assert_eq!(
        refresh(&third, rotated, &[]).await.1["error"],
        "invalid_grant"
    );
    drop(third);
    std::fs::write(&state, b"garbage").expect("damage");
    let fourth = graphdesk_tenant::TenantServer::new()
        .durable(&state)
        .start()
        .await
        .expect("a damaged file does not stop the tenant");
    assert!(state.with_extension("unreadable").exists());
    assert_eq!(
        graph(&fourth, "/v1.0/me", &at).await.status(),
        401,
        "a new key"
    );
}
