//! Instance discovery (`GET /{tenant}/discovery/instance?api-version=1.1&authorization_endpoint=…`), as Entra answers
//! it: the alias groups of the cloud the authorization endpoint belongs to (`metadata`: preferred network host,
//! preferred cache host, aliases) and the tenant's discovery document, or `invalid_instance` (AADSTS50049) for a host it
//! does not serve. The emulated tenant is one cloud: its own host, under both loopback spellings when it is on loopback.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::directory::Audience;
use crate::http::{Origin, correlation_id};
use crate::oauth_error::OAuthError;
use crate::tenant::Tenant;

/// `GET /{tenant}/discovery/instance`
pub async fn instance(
    State(tenant): State<Arc<Tenant>>,
    Extension(Origin(origin)): Extension<Origin>,
    Path(segment): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let refuse = |error: OAuthError| error.response(tenant.clock.now(), &correlation_id(&headers));
    if Audience::resolve(&segment, &tenant.directory()).is_none() {
        return refuse(crate::oidc::unknown_tenant(&segment));
    }
    if !matches!(
        query.get("api-version").map(String::as_str),
        Some("1.0" | "1.1")
    ) {
        return refuse(OAuthError::new(
            "invalid_request",
            90_014,
            "The request body must contain the following parameter: 'api-version'.",
        ));
    }
    let Some(endpoint) = query.get("authorization_endpoint") else {
        return refuse(OAuthError::missing("authorization_endpoint"));
    };
    let own = own_environment(&origin);
    let asked = url::Url::parse(endpoint)
        .ok()
        .filter(|u| u.scheme() == "https");
    let Some(asked) = asked.map(|u| environment_of(&u)) else {
        return refuse(OAuthError::malformed(
            "authorization_endpoint is not an https URL",
        ));
    };
    let aliases = aliases_of(&own);
    if !aliases.iter().any(|a| a.eq_ignore_ascii_case(&asked)) {
        return refuse(OAuthError::new(
            "invalid_instance",
            50_049,
            "Unknown or invalid instance.",
        ));
    }
    axum::Json(json!({
        "tenant_discovery_endpoint": format!("{origin}/{segment}/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [{"preferred_network": own, "preferred_cache": own, "aliases": aliases}],
    }))
    .into_response()
}

/// `host:port` of a URL (the port when it is not the scheme's default), as MSAL names environments.
fn environment_of(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

fn own_environment(origin: &str) -> String {
    url::Url::parse(origin)
        .map(|u| environment_of(&u))
        .unwrap_or_default()
}

/// The names one host answers to: on loopback, `127.0.0.1` and `localhost` with the same port.
fn aliases_of(own: &str) -> Vec<String> {
    let (host, port) = own
        .rsplit_once(':')
        .map_or((own, None), |(h, p)| (h, Some(p)));
    let with_port = |h: &str| port.map_or_else(|| h.to_owned(), |p| format!("{h}:{p}"));
    match host {
        "127.0.0.1" => vec![with_port("127.0.0.1"), with_port("localhost")],
        "localhost" => vec![with_port("localhost"), with_port("127.0.0.1")],
        _ => vec![own.to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_answers_to_both_spellings() {
        assert_eq!(
            aliases_of("127.0.0.1:8443"),
            ["127.0.0.1:8443", "localhost:8443"]
        );
        assert_eq!(
            aliases_of("login.contoso.example"),
            ["login.contoso.example"]
        );
        assert_eq!(own_environment("https://127.0.0.1:8443"), "127.0.0.1:8443");
    }
}
