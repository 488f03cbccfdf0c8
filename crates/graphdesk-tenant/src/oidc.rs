//! OpenID Connect discovery, the JWKS and logout, per tenant segment (`common`, `organizations`, `consumers`, a GUID or a
//! domain). Issuer and endpoints follow the request's origin, as msal-node requires.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

use crate::directory::{Audience, CONSUMERS_TENANT_ID};
use crate::http::{Origin, correlation_id, escape_html, page};
use crate::oauth_error::OAuthError;
use crate::tenant::Tenant;

/// An unknown tenant segment (AADSTS90002).
pub fn unknown_tenant(segment: &str) -> OAuthError {
    OAuthError::new(
        "invalid_tenant",
        90_002,
        format!(
            "Tenant '{}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
            segment.chars().take(64).collect::<String>()
        ),
    )
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`
pub async fn discovery(
    State(tenant): State<Arc<Tenant>>,
    Extension(Origin(origin)): Extension<Origin>,
    Path(segment): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(audience) = Audience::resolve(&segment, &tenant.directory()) else {
        return unknown_tenant(&segment).response(tenant.clock.now(), &correlation_id(&headers));
    };
    // Multi-tenant authorities publish the `{tenantid}` template; a tenant's own issuer names it.
    let issuer_tenant = match &audience {
        Audience::Common | Audience::Organizations => "{tenantid}".to_owned(),
        Audience::Consumers => CONSUMERS_TENANT_ID.to_owned(),
        Audience::Tenant(id) => id.clone(),
    };
    let base = format!("{origin}/{segment}");
    axum::Json(json!({
        "issuer": format!("{origin}/{issuer_tenant}/v2.0"),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "end_session_endpoint": format!("{base}/oauth2/v2.0/logout"),
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "userinfo_endpoint": format!("{origin}/oidc/userinfo"),
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "preferred_username", "name", "tid", "oid", "ver"],
        "request_uri_parameter_supported": false,
        "tenant_region_scope": "EU",
        "cloud_instance_name": "graphdesk.local",
        "msgraph_host": origin.trim_start_matches("https://").trim_start_matches("http://"),
    }))
    .into_response()
}

/// `GET /{tenant}/discovery/v2.0/keys`
pub async fn keys(State(tenant): State<Arc<Tenant>>) -> Response {
    axum::Json(tenant.key.jwks()).into_response()
}

/// `GET /{tenant}/oauth2/v2.0/logout`: ends the browser session; redirects to `post_logout_redirect_uri` when given.
pub async fn logout(
    State(tenant): State<Arc<Tenant>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if let Some(session) = crate::authorize::session_cookie(&headers) {
        tenant.store().sessions.remove(&session);
    }
    let clear = [(
        "set-cookie",
        format!("{}=; Path=/; Max-Age=0", crate::authorize::SESSION_COOKIE),
    )];
    match query.get("post_logout_redirect_uri") {
        Some(target) if url::Url::parse(target).is_ok() => {
            (clear, Redirect::to(target)).into_response()
        }
        Some(_) => (
            StatusCode::BAD_REQUEST,
            "post_logout_redirect_uri is not a URL",
        )
            .into_response(),
        None => (
            clear,
            page(
                "You signed out",
                &format!("<p>{}</p>", escape_html("You can close this window.")),
            ),
        )
            .into_response(),
    }
}
