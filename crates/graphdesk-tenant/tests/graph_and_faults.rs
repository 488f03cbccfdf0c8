//! The Graph slice (profile, photo, paging, bearer validation) and every injectable fault, through the library API and
//! the admin API a test in another process would use.

mod common;

use std::time::{Duration, Instant};

use common::*;
use graphdesk_tenant::{
    DEMO_CLIENT_ID, DEMO_TENANT_ID, Directory, Fault, FaultAction, FaultTarget, TenantConfig, User,
};
use serde_json::{Value, json};

async fn access_token(tenant: &graphdesk_tenant::RunningTenant, upn: &str, scope: &str) -> String {
    sign_in(tenant, upn, scope).await["access_token"]
        .as_str()
        .expect("at")
        .to_owned()
}

#[tokio::test]
async fn profile_and_photo_present_and_absent() {
    let tenant = start().await;
    let adele = access_token(&tenant, "adele@contoso.example", "User.Read openid").await;
    let me: Value = graph(&tenant, "/v1.0/me", &adele)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (me["displayName"].as_str(), me["jobTitle"].as_str()),
        (Some("Adele Vance"), Some("Product Manager"))
    );
    let beta: Value = graph(&tenant, "/beta/me", &adele)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        beta["@odata.context"]
            .as_str()
            .is_some_and(|c| c.contains("/beta/"))
    );

    let photo = graph(&tenant, "/v1.0/me/photo/$value", &adele).await;
    assert_eq!(photo.status(), 200);
    assert_eq!(photo.headers()["content-type"], "image/png");
    assert_eq!(&photo.bytes().await.expect("bytes")[..4], b"\x89PNG");

    let alex = access_token(&tenant, "alex@contoso.example", "User.Read openid").await;
    let none = graph(&tenant, "/v1.0/me/photo/$value", &alex).await;
    assert_eq!(none.status(), 404);
    let body: Value = none.json().await.expect("json");
    assert_eq!(body["error"]["code"], "ImageNotFound");
    assert!(body["error"]["innerError"]["request-id"].is_string());
}

#[tokio::test]
async fn users_page_with_next_links_and_scopes_are_enforced() {
    let mut directory = Directory::demo();
    for i in 0..7 {
        directory = directory.with_user(User::new(
            DEMO_TENANT_ID,
            &format!("user{i}@contoso.example"),
            &format!("User {i}"),
            "pw",
        ));
    }
    let tenant = start_with(directory, TenantConfig::default()).await;
    let token = access_token(
        &tenant,
        "lee@contoso.example",
        "User.ReadBasic.All openid offline_access",
    )
    .await;
    // First consent to User.ReadBasic.All happened through the automation's consent page.
    let mut next = Some(format!("{}/v1.0/users?$top=3", tenant.https_url()));
    let (mut pages, mut names) = (0, Vec::new());
    while let Some(url) = next {
        let page: Value = client(&tenant)
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("page")
            .json()
            .await
            .expect("json");
        pages += 1;
        names.extend(page["value"].as_array().expect("value").iter().map(|u| {
            u["userPrincipalName"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }));
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    assert_eq!(
        (pages, names.len()),
        (4, 12),
        "5 demo (one in the federated domain) + 7 added contoso users, 3 a page"
    );
    assert!(
        !names.iter().any(|n| n.ends_with("outlook.example")),
        "other tenants' users are not listed"
    );

    let user_read = access_token(&tenant, "lee@contoso.example", "User.Read openid").await;
    let denied = graph(&tenant, "/v1.0/users", &user_read).await;
    assert_eq!(denied.status(), 403);
    assert_eq!(
        denied.json::<Value>().await.expect("json")["error"]["code"],
        "Authorization_RequestDenied"
    );
    let bad_top = graph(&tenant, "/v1.0/users?$top=0", &token).await;
    assert_eq!(bad_top.status(), 400);

    let mail = access_token(&tenant, "lee@contoso.example", "Mail.Read openid").await;
    let messages: Value = graph(&tenant, "/v1.0/me/messages?$top=10", &mail)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(messages["value"].as_array().map(Vec::len), Some(10));
    assert!(messages["@odata.nextLink"].is_string());
    let unknown = graph(&tenant, "/v1.0/me/nothing", &mail).await;
    assert_eq!(unknown.status(), 400);
}

#[tokio::test]
async fn bearer_tokens_are_validated() {
    let tenant = start().await;
    let token = access_token(&tenant, "adele@contoso.example", "User.Read openid").await;
    let missing = client(&tenant)
        .get(format!("{}/v1.0/me", tenant.https_url()))
        .send()
        .await
        .expect("send");
    assert_eq!(missing.status(), 401);
    assert!(
        missing.headers()["www-authenticate"]
            .to_str()
            .is_ok_and(|v| v.starts_with("Bearer"))
    );
    let mut forged = token.clone();
    forged.replace_range(forged.len() - 6.., "AAAAAA");
    let forged = graph(&tenant, "/v1.0/me", &forged).await;
    assert_eq!(forged.status(), 401);
    assert_eq!(
        forged.json::<Value>().await.expect("json")["error"]["code"],
        "InvalidAuthenticationToken"
    );
    // Signed by this tenant, but for another API: Graph refuses the audience.
    let foreign = tenant.tenant().key.sign(&json!({
        "aud": "api://someone-else", "exp": tenant.tenant().clock.now() + 600, "iat": tenant.tenant().clock.now(),
        "scp": "User.Read", "oid": "x", "tid": DEMO_TENANT_ID,
    }));
    let foreign: Value = graph(&tenant, "/v1.0/me", &foreign)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(foreign["error"]["message"], "Invalid audience.");
    let other_tenant = start().await;
    assert_eq!(
        graph(&other_tenant, "/v1.0/me", &token).await.status(),
        401,
        "another tenant's key"
    );
    tenant.advance_clock(3_601);
    let expired: Value = graph(&tenant, "/v1.0/me", &token)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        expired["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired"))
    );
}

#[tokio::test]
async fn claims_challenge_then_a_token_with_the_claims_succeeds() {
    let tenant = start().await;
    let first = sign_in(
        &tenant,
        "adele@contoso.example",
        "User.Read openid offline_access",
    )
    .await;
    tenant.advance_clock(5);
    tenant.inject(Fault::once(
        FaultTarget::Graph,
        FaultAction::ClaimsChallenge,
    ));
    let challenged = graph(
        &tenant,
        "/v1.0/me",
        first["access_token"].as_str().expect("at"),
    )
    .await;
    assert_eq!(challenged.status(), 401);
    let header = challenged.headers()["www-authenticate"]
        .to_str()
        .expect("header")
        .to_owned();
    assert!(header.contains("error=\"insufficient_claims\""), "{header}");
    let claims_b64 = header
        .split("claims=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("claims");
    let claims = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, claims_b64)
            .expect("b64"),
    )
    .expect("utf8");
    assert!(
        serde_json::from_str::<Value>(&claims).expect("json")["access_token"]["nbf"]["essential"]
            == true
    );

    let (status, fresh) = token(
        &tenant,
        "organizations",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", DEMO_CLIENT_ID),
            (
                "refresh_token",
                first["refresh_token"].as_str().expect("rt"),
            ),
            ("scope", "User.Read"),
            ("claims", &claims),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        graph(
            &tenant,
            "/v1.0/me",
            fresh["access_token"].as_str().expect("at")
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn transport_faults_delay_status_malformed_and_dropped() {
    let tenant = start().await;
    let ropc = || {
        token(
            &tenant,
            "organizations",
            &[
                ("grant_type", "password"),
                ("client_id", DEMO_CLIENT_ID),
                ("username", "adele@contoso.example"),
                ("password", "demo"),
                ("scope", "User.Read"),
            ],
        )
    };
    tenant.inject(Fault::once(
        FaultTarget::Token,
        FaultAction::Delay { ms: 300 },
    ));
    let started = Instant::now();
    assert_eq!(ropc().await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    for (status, retry_after) in [(429, Some(7)), (503, Some(2)), (500, None)] {
        tenant.inject(Fault::once(
            FaultTarget::Token,
            FaultAction::Status {
                status,
                retry_after,
            },
        ));
        let response = client(&tenant)
            .post(format!(
                "{}/oauth2/v2.0/token",
                tenant.authority("organizations")
            ))
            .form(&[("grant_type", "password")])
            .send()
            .await
            .expect("send");
        assert_eq!(response.status().as_u16(), status);
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            retry_after.map(|s| s.to_string()).as_deref()
        );
        assert!(response.json::<Value>().await.expect("json")["error_codes"].is_array());
    }

    tenant.inject(Fault::once(FaultTarget::Token, FaultAction::MalformedBody));
    let garbage = client(&tenant)
        .post(format!(
            "{}/oauth2/v2.0/token",
            tenant.authority("organizations")
        ))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .expect("send");
    assert_eq!(garbage.status(), 200);
    assert!(serde_json::from_str::<Value>(&garbage.text().await.expect("text")).is_err());

    tenant.inject(Fault::once(FaultTarget::Token, FaultAction::DropConnection));
    let dropped = client(&tenant)
        .post(format!(
            "{}/oauth2/v2.0/token",
            tenant.authority("organizations")
        ))
        .form(&[("grant_type", "password")])
        .send()
        .await;
    assert!(dropped.is_err(), "the connection closes without a response");

    tenant.inject(Fault::times(
        FaultTarget::Graph,
        FaultAction::Status {
            status: 429,
            retry_after: Some(1),
        },
        2,
    ));
    let token = sign_in(&tenant, "adele@contoso.example", "User.Read openid").await["access_token"]
        .as_str()
        .expect("at")
        .to_owned();
    for _ in 0..2 {
        let throttled = graph(&tenant, "/v1.0/me", &token).await;
        assert_eq!(throttled.status(), 429);
        assert_eq!(
            throttled.json::<Value>().await.expect("json")["error"]["code"],
            "TooManyRequests"
        );
    }
    assert_eq!(
        graph(&tenant, "/v1.0/me", &token).await.status(),
        200,
        "the fault fired twice, then cleared"
    );
    assert_eq!(ropc().await.0, 200);

    // Faults aim at one endpoint family: discovery and authorize can fail too.
    tenant.inject(Fault::once(
        FaultTarget::Discovery,
        FaultAction::Status {
            status: 503,
            retry_after: Some(1),
        },
    ));
    let discovery = format!(
        "{}/v2.0/.well-known/openid-configuration",
        tenant.authority("common")
    );
    assert_eq!(
        client(&tenant)
            .get(&discovery)
            .send()
            .await
            .expect("send")
            .status(),
        503
    );
    assert_eq!(
        client(&tenant)
            .get(&discovery)
            .send()
            .await
            .expect("send")
            .status(),
        200
    );
    tenant.inject(Fault::once(
        FaultTarget::Authorize,
        FaultAction::Status {
            status: 500,
            retry_after: None,
        },
    ));
    let (_, challenge) = pkce();
    let authorize = client(&tenant)
        .get(authorize_url(&tenant, "common", &challenge, &[]))
        .send()
        .await
        .expect("send");
    assert_eq!(authorize.status(), 500);
}

#[tokio::test]
async fn oauth_faults_invalid_grant_and_interaction_required() {
    let tenant = start().await;
    let first = sign_in(
        &tenant,
        "adele@contoso.example",
        "User.Read openid offline_access",
    )
    .await;
    let rt = first["refresh_token"].as_str().expect("rt");
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", DEMO_CLIENT_ID),
        ("refresh_token", rt),
        ("scope", "User.Read"),
    ];
    let refresh = || token(&tenant, "organizations", &form);
    tenant.inject(Fault::once(
        FaultTarget::Token,
        FaultAction::InvalidGrant {
            suberror: Some("basic_action".into()),
            aadsts: Some(70_043),
        },
    ));
    let (_, body) = refresh().await;
    assert_eq!(
        (
            body["error"].as_str(),
            body["suberror"].as_str(),
            aadsts(&body)
        ),
        (Some("invalid_grant"), Some("basic_action"), 70_043)
    );
    tenant.inject(Fault::once(
        FaultTarget::Token,
        FaultAction::InteractionRequired {
            aadsts: None,
            claims: Some(r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#.into()),
        },
    ));
    let (_, body) = refresh().await;
    assert_eq!(
        (body["error"].as_str(), aadsts(&body)),
        (Some("interaction_required"), 50_079)
    );
    assert!(body["claims"].as_str().is_some_and(|c| c.contains("acrs")));
    assert_eq!(refresh().await.0, 200, "faults fired once");
}

#[tokio::test]
async fn request_log_and_admin_api() {
    let tenant = start().await;
    let base = tenant.http_url().expect("plain http");
    let admin = |path: &str| format!("{base}/_admin/{path}");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "authorization",
        format!("Bearer {}", tenant.admin_token().expect("admin API"))
            .parse()
            .expect("header"),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client");
    let ca = http
        .get(admin("ca.pem"))
        .send()
        .await
        .expect("ca")
        .text()
        .await
        .expect("pem");
    assert_eq!(ca, tenant.ca_pem());

    tenant.clear_requests();
    sign_in(
        &tenant,
        "adele@contoso.example",
        "User.Read openid offline_access",
    )
    .await;
    let log: Value = http
        .get(admin("requests"))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    let grants: Vec<&str> = log
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["grant_type"].as_str())
        .collect();
    assert_eq!(grants, vec!["authorization_code"], "{log}");
    assert!(log.as_array().expect("array").iter().all(|r| {
        !r["path"]
            .as_str()
            .unwrap_or_default()
            .starts_with("/_admin")
    }));
    assert_eq!(
        http.delete(admin("requests"))
            .send()
            .await
            .expect("clear")
            .status(),
        204
    );
    assert_eq!(tenant.requests().len(), 0);

    let fault = json!({"target": "token", "action": {"kind": "status", "status": 503, "retry_after": 3}, "times": 1});
    assert_eq!(
        http.post(admin("faults"))
            .json(&fault)
            .send()
            .await
            .expect("fault")
            .status(),
        204
    );
    let listed: Value = http
        .get(admin("faults"))
        .send()
        .await
        .expect("faults")
        .json()
        .await
        .expect("json");
    assert_eq!(listed[0]["action"]["status"], 503);
    assert_eq!(
        http.delete(admin("faults"))
            .send()
            .await
            .expect("clear")
            .status(),
        204
    );
    assert_eq!(tenant.tenant().store().faults.list().len(), 0);

    let before = tenant.tenant().clock.now();
    let now: Value = http
        .post(admin("clock"))
        .json(&json!({"seconds": 120}))
        .send()
        .await
        .expect("clock")
        .json()
        .await
        .expect("json");
    assert!(now["now"].as_u64().is_some_and(|n| n >= before + 120));

    assert_eq!(
        http.post(admin("revoke"))
            .json(&json!({"upn": "adele@contoso.example"}))
            .send()
            .await
            .expect("revoke")
            .status(),
        204
    );
    assert_eq!(
        http.post(admin("revoke"))
            .json(&json!({"upn": "nobody@x"}))
            .send()
            .await
            .expect("revoke")
            .status(),
        404
    );

    let (_, challenge) = pkce();
    let url = authorize_url(&tenant, "organizations", &challenge, &[]);
    let done: Value = http
        .post(admin("authorize"))
        .json(&json!({"url": url, "upn": "lee@contoso.example"}))
        .send()
        .await
        .expect("authorize")
        .json()
        .await
        .expect("json");
    assert!(
        done["redirect_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("graphdesk://auth?code="))
    );
    let refused = http
        .post(admin("authorize"))
        .json(&json!({"url": "https://x/y", "upn": "lee@contoso.example"}))
        .send()
        .await
        .expect("bad");
    assert_eq!(refused.status(), 400);

    let flow: Value = client(&tenant)
        .post(format!(
            "{}/oauth2/v2.0/devicecode",
            tenant.authority("organizations")
        ))
        .form(&[("client_id", DEMO_CLIENT_ID), ("scope", "User.Read")])
        .send()
        .await
        .expect("devicecode")
        .json()
        .await
        .expect("json");
    let approve = json!({"user_code": flow["user_code"], "upn": "lee@contoso.example"});
    assert_eq!(
        http.post(admin("device"))
            .json(&approve)
            .send()
            .await
            .expect("device")
            .status(),
        204
    );
    assert_eq!(
        http.post(admin("device"))
            .json(&approve)
            .send()
            .await
            .expect("device")
            .status(),
        400,
        "already decided"
    );
}

#[tokio::test]
async fn every_graph_answer_carries_a_request_id_and_echoes_the_client_request_id() {
    let tenant = start().await;
    let token = access_token(&tenant, "adele@contoso.example", "User.Read").await;
    for (path, status) in [("/v1.0/me", 200), ("/v1.0/nothing-here", 400)] {
        let response = client(&tenant)
            .get(format!("{}{path}", tenant.https_url()))
            .bearer_auth(&token)
            .header("client-request-id", "c0ffee00-0000-4000-8000-000000000001")
            .send()
            .await
            .expect("graph request");
        assert_eq!(response.status(), status, "{path}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(header("request-id").map(|id| id.len()), Some(36), "{path}");
        assert_eq!(
            header("client-request-id").as_deref(),
            Some("c0ffee00-0000-4000-8000-000000000001"),
            "{path}"
        );
    }
}

/// DNS rebinding: a web page whose name resolves to 127.0.0.1 reaches the tenant's port, with its own name as `Host`.
/// It gets 421 for everything, admin or not; and the admin API wants the token the tenant made at start.
#[tokio::test]
async fn the_admin_api_needs_its_token_and_no_page_can_rebind_to_the_tenant() {
    let tenant = start().await;
    let base = tenant.http_url().expect("plain http");
    let port = base.rsplit(':').next().expect("a port").to_owned();
    let http = reqwest::Client::new();
    let send = |path: &str, host: &str, token: Option<&str>| {
        let mut request = http
            .get(format!("{base}{path}"))
            .header("host", host.to_owned());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let token = tenant.admin_token().expect("admin API").to_owned();
    for path in [
        "/organizations/v2.0/.well-known/openid-configuration",
        "/_admin/requests",
    ] {
        for host in [
            format!("evil.example:{port}"),
            format!("127.0.0.1.nip.example:{port}"),
            "127.0.0.1".to_owned(),
            format!("127.0.0.1:{}", port.parse::<u16>().expect("port") ^ 1),
        ] {
            let status = send(path, &host, Some(&token))
                .await
                .expect("answer")
                .status();
            assert_eq!(status, 421, "{host}{path}");
        }
    }
    let own = format!("127.0.0.1:{port}");
    assert_eq!(
        send("/_admin/requests", &own, None)
            .await
            .expect("answer")
            .status(),
        401
    );
    assert_eq!(
        send("/_admin/requests", &own, Some("not-the-token"))
            .await
            .expect("answer")
            .status(),
        401
    );
    assert_eq!(
        send("/_admin/requests", &own, Some(&token))
            .await
            .expect("answer")
            .status(),
        200
    );
    assert_eq!(
        send(
            "/_admin/requests",
            &format!("localhost:{port}"),
            Some(&token)
        )
        .await
        .expect("answer")
        .status(),
        200
    );
    // A tenant started without the admin API has no admin routes at all.
    let plain = graphdesk_tenant::TenantServer::new()
        .plain_http()
        .start()
        .await
        .expect("tenant");
    assert!(plain.admin_token().is_none());
    let plain_base = plain.http_url().expect("plain http");
    let answer = http
        .get(format!("{plain_base}/_admin/requests"))
        .bearer_auth("anything")
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 401);
}
