//! A slice of Microsoft Graph (v1.0 and beta): `/me`, `/me/photo/$value`, `/users` (paged with `@odata.nextLink`) and
//! `/me/messages`. Bearer tokens are validated as Graph does — signature, expiry, audience, scope — with Graph-shaped
//! errors, and a continuous-access-evaluation claims challenge can be injected.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::clock::iso8601;
use crate::crypto::b64url;
use crate::directory::{GRAPH_APP_ID, GRAPH_RESOURCE, User};
use crate::faults::{FaultAction, FaultTarget};
use crate::http::Origin;
use crate::tenant::Tenant;

/// Most items a page holds when the client does not ask for fewer.
const DEFAULT_PAGE: usize = 100;

/// A Graph error response: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
pub fn graph_error(
    tenant: &Tenant,
    headers: &HeaderMap,
    status: StatusCode,
    code: &str,
    message: &str,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or(&request_id)
        .chars()
        .take(64)
        .collect::<String>();
    let body = json!({"error": {"code": code, "message": message, "innerError": {
        "date": iso8601(tenant.clock.now()), "request-id": request_id, "client-request-id": client_request_id,
    }}});
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("request-id", value);
    }
    response
}

/// The signed-in user of a valid bearer token with `scope` (any of `scopes`), or the Graph error to send.
fn authorize(
    tenant: &Tenant,
    headers: &HeaderMap,
    scopes: &[&str],
) -> Result<(User, Value), Box<Response>> {
    let unauthorized = |message: &str| {
        let mut response = graph_error(
            tenant,
            headers,
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            message,
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\""),
        );
        Box::new(response)
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or_else(|| unauthorized("Access token is empty."))?;
    let claims = tenant.key.verify(token.trim()).map_err(|_| {
        unauthorized("Access token validation failure. Invalid signature or malformed token.")
    })?;
    if claims["exp"]
        .as_u64()
        .is_none_or(|exp| tenant.clock.now() >= exp)
    {
        return Err(unauthorized(
            "Lifetime validation failed, the token is expired.",
        ));
    }
    let aud = claims["aud"].as_str().unwrap_or_default();
    if aud != GRAPH_RESOURCE && aud != GRAPH_APP_ID {
        return Err(unauthorized("Invalid audience."));
    }
    let iat = claims["iat"].as_u64().unwrap_or(0);
    if let Some(fault) = tenant.store().faults.take(FaultTarget::Graph, |f| {
        matches!(
            f.action,
            FaultAction::ClaimsChallenge | FaultAction::ClaimsChallengeBesidePop
        ) && iat < f.installed_at
    }) {
        let beside_pop = matches!(fault, FaultAction::ClaimsChallengeBesidePop);
        return Err(Box::new(claims_challenge(tenant, headers, beside_pop)));
    }
    let granted: Vec<&str> = claims["scp"]
        .as_str()
        .unwrap_or_default()
        .split(' ')
        .collect();
    if !scopes
        .iter()
        .any(|needed| granted.iter().any(|g| g.eq_ignore_ascii_case(needed)))
    {
        return Err(Box::new(graph_error(
            tenant,
            headers,
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )));
    }
    // A guest's token carries the guest object id: it is the same person.
    let oid = claims["oid"].as_str().unwrap_or_default();
    let user = tenant
        .directory()
        .user_by_profile_oid(oid)
        .map(|(user, _)| user.clone())
        .ok_or_else(|| unauthorized("The user of this token no longer exists."))?;
    Ok((user, claims))
}

/// A CAE claims challenge: the token was issued before a revocation event; a new one must be at least this recent.
fn claims_challenge(tenant: &Tenant, headers: &HeaderMap, beside_pop: bool) -> Response {
    let claims = json!({"access_token": {"nbf": {"essential": true, "value": tenant.clock.now().to_string()}}});
    let mut response = graph_error(
        tenant,
        headers,
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
    );
    let value = format!(
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"insufficient_claims\", claims=\"{}\"",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            claims.to_string()
        )
    );
    if beside_pop {
        let nonce = crate::crypto::random_token(16);
        if let Ok(pop) = HeaderValue::from_str(&format!(
            "PoP realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", nonce=\"{nonce}\""
        )) {
            response.headers_mut().append(header::WWW_AUTHENTICATE, pop);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .append(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn user_json(origin: &str, version: &str, user: &User) -> Value {
    let (given, surname) = user
        .display_name
        .split_once(' ')
        .unwrap_or((&user.display_name, ""));
    json!({
        "@odata.context": format!("{origin}/{version}/$metadata#users/$entity"),
        "id": user.object_id,
        "displayName": user.display_name,
        "givenName": given,
        "surname": surname,
        "userPrincipalName": user.upn,
        "mail": user.upn,
        "jobTitle": user.job_title,
        "businessPhones": [],
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": "en-US",
    })
}

fn version(uri: &axum::http::Uri) -> &'static str {
    if uri.path().starts_with("/beta/") {
        "beta"
    } else {
        "v1.0"
    }
}

/// `GET /v1.0/me`
pub async fn me(
    State(tenant): State<Arc<Tenant>>,
    Extension(Origin(origin)): Extension<Origin>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    headers: HeaderMap,
) -> Response {
    match authorize(
        &tenant,
        &headers,
        &["User.Read", "User.ReadBasic.All", "User.Read.All"],
    ) {
        Ok((user, _)) => axum::Json(user_json(&origin, version(&uri), &user)).into_response(),
        Err(response) => *response,
    }
}

/// `GET /v1.0/me/photo/$value`: a generated PNG, or 404 `ImageNotFound`.
pub async fn photo(State(tenant): State<Arc<Tenant>>, headers: HeaderMap) -> Response {
    let user = match authorize(
        &tenant,
        &headers,
        &["User.Read", "User.ReadBasic.All", "User.Read.All"],
    ) {
        Ok((user, _)) => user,
        Err(response) => return *response,
    };
    if !user.has_photo {
        return graph_error(
            &tenant,
            &headers,
            StatusCode::NOT_FOUND,
            "ImageNotFound",
            "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
        );
    }
    match crate::photo::render(&user.object_id, 96) {
        Ok(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        Err(_) => graph_error(
            &tenant,
            &headers,
            StatusCode::INTERNAL_SERVER_ERROR,
            "generalException",
            "The photo could not be rendered.",
        ),
    }
}

/// The caller of a collection endpoint and the page asked for, or the Graph error to send.
fn collection_request(
    tenant: &Tenant,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    scopes: &[&str],
    default_top: usize,
) -> Result<(User, usize, usize), Box<Response>> {
    let (me, _) = authorize(tenant, headers, scopes)?;
    let (top, skip) = page_window(query, default_top).map_err(|message| {
        Box::new(graph_error(
            tenant,
            headers,
            StatusCode::BAD_REQUEST,
            "BadRequest",
            message,
        ))
    })?;
    Ok((me, top, skip))
}

/// Page parameters: `$top` (1–999, `default_top` when absent) and the tenant's `$skiptoken` (an offset).
fn page_window(
    query: &HashMap<String, String>,
    default_top: usize,
) -> Result<(usize, usize), &'static str> {
    let top = match query.get("$top") {
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|t| (1..=999).contains(t))
            .ok_or("Invalid value for $top.")?,
        None => default_top,
    };
    let skip = match query.get("$skiptoken") {
        Some(s) => crate::crypto::b64url_decode(s)
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.strip_prefix("offset:").and_then(|n| n.parse().ok()))
            .ok_or("Invalid $skiptoken.")?,
        None => 0,
    };
    Ok((top, skip))
}

fn paged(
    origin: &str,
    path: &str,
    context: &str,
    items: Vec<Value>,
    top: usize,
    skip: usize,
) -> Value {
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(skip).take(top).collect();
    let mut body = json!({"@odata.context": context, "value": page});
    if skip + top < total {
        let token = b64url(format!("offset:{}", skip + top));
        body["@odata.nextLink"] = json!(format!("{origin}{path}?$top={top}&$skiptoken={token}"));
    }
    body
}

/// `GET /v1.0/users`
pub async fn users(
    State(tenant): State<Arc<Tenant>>,
    Extension(Origin(origin)): Extension<Origin>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (me, top, skip) = match collection_request(
        &tenant,
        &headers,
        &query,
        &["User.ReadBasic.All", "User.Read.All"],
        DEFAULT_PAGE,
    ) {
        Ok(request) => request,
        Err(response) => return *response,
    };
    let version = version(&uri);
    let items: Vec<Value> = tenant
        .directory()
        .users
        .iter()
        .filter(|u| u.tenant_id == me.tenant_id)
        .map(|u| {
            let mut item = user_json(&origin, version, u);
            item.as_object_mut().map(|o| o.remove("@odata.context"));
            item
        })
        .collect();
    let context = format!("{origin}/{version}/$metadata#users");
    axum::Json(paged(&origin, uri.path(), &context, items, top, skip)).into_response()
}

/// `GET /v1.0/me/messages`: 25 generated messages per user.
pub async fn messages(
    State(tenant): State<Arc<Tenant>>,
    Extension(Origin(origin)): Extension<Origin>,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let (me, top, skip) = match collection_request(
        &tenant,
        &headers,
        &query,
        &["Mail.Read", "Mail.ReadBasic"],
        10,
    ) {
        Ok(request) => request,
        Err(response) => return *response,
    };
    let now = tenant.clock.now();
    let items: Vec<Value> = (0..25u64)
        .map(|i| {
            json!({
                "id": format!("{}-msg-{i:03}", me.object_id),
                "subject": format!("Weekly update #{}", 25 - i),
                "from": {"emailAddress": {"name": "Contoso News", "address": "news@contoso.example"}},
                "receivedDateTime": format!("{}Z", iso8601(now - i * 3_600)),
                "isRead": i % 3 == 0,
                "bodyPreview": format!("Hello {}, here is what happened this week.", me.display_name),
            })
        })
        .collect();
    let version = version(&uri);
    let context = format!(
        "{origin}/{version}/$metadata#users('{}')/messages",
        me.object_id
    );
    axum::Json(paged(&origin, uri.path(), &context, items, top, skip)).into_response()
}

/// Unknown Graph paths.
pub async fn not_found(
    State(tenant): State<Arc<Tenant>>,
    headers: HeaderMap,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
) -> Response {
    graph_error(
        &tenant,
        &headers,
        StatusCode::BAD_REQUEST,
        "BadRequest",
        &format!(
            "Resource not found for the segment '{}'.",
            uri.path().rsplit('/').next().unwrap_or_default()
        ),
    )
}
