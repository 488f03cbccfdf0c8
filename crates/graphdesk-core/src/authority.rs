//! Authorities: where tokens come from. An Entra authority is `https://{host}/{tenant}` (tenant `common`,
//! `organizations`, `consumers`, a GUID or a domain; hosts of the global and national clouds, or any https host such as
//! the emulated tenant); a generic OpenID Connect provider is named by its issuer. Discovery is fetched once and cached,
//! its endpoints must be https, and its issuer must belong to the authority (Entra's `{tenantid}` template included).

use serde::Deserialize;
use tokio::sync::OnceCell;
use url::Url;

use crate::error::CoreError;
use crate::http::{HttpClient, HttpRequest};

/// What kind of provider an authority is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorityKind {
    /// The Microsoft identity platform (v2.0 endpoints), or something that speaks it.
    Entra,
    /// Any OpenID Connect provider, found through `{issuer}/.well-known/openid-configuration`.
    Oidc,
}

/// A validated authority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    url: Url,
    kind: AuthorityKind,
}

fn invalid(reason: impl Into<String>) -> CoreError {
    CoreError::Config {
        field: crate::error::ConfigField::Tenant,
        reason: reason.into(),
    }
}

impl Authority {
    /// An Entra authority: `https://host[:port]/tenant`.
    pub fn entra(text: &str) -> Result<Self, CoreError> {
        let url = https_url(text)?;
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        match segments.as_slice() {
            [tenant] if valid_tenant(tenant) => Ok(Self {
                url: normalise(&url, &format!("/{tenant}")),
                kind: AuthorityKind::Entra,
            }),
            [] => Err(invalid(
                "name a tenant: https://login.microsoftonline.com/organizations (or common, consumers, a tenant id)",
            )),
            _ => Err(invalid(
                "an Entra authority is https://host/tenant with nothing after the tenant",
            )),
        }
    }

    /// A generic OpenID Connect issuer.
    pub fn oidc(issuer: &str) -> Result<Self, CoreError> {
        let url = https_url(issuer)?;
        let path = url.path().trim_end_matches('/').to_owned();
        Ok(Self {
            url: normalise(&url, &path),
            kind: AuthorityKind::Oidc,
        })
    }

    /// The authority URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }

    pub fn kind(&self) -> &AuthorityKind {
        &self.kind
    }

    /// MSAL's `environment`: the host, with the port when it is not 443 (as msal-node writes it).
    pub fn environment(&self) -> String {
        match self.url.port() {
            Some(port) => format!("{}:{port}", self.url.host_str().unwrap_or_default()),
            None => self.url.host_str().unwrap_or_default().to_owned(),
        }
    }

    /// The tenant segment (MSAL's `realm`); for an OIDC issuer, its last path segment or the host.
    pub fn tenant(&self) -> String {
        self.url
            .path_segments()
            .and_then(|mut s| s.rfind(|p| !p.is_empty()).map(str::to_owned))
            .unwrap_or_else(|| self.environment())
    }

    /// The Graph host of this cloud (`graph.microsoft.com` for unknown hosts, such as the emulated tenant's, whose Graph
    /// slice is configured separately).
    pub fn graph_host(&self) -> &'static str {
        crate::cloud::graph_host(self.url.host_str().unwrap_or_default())
            .unwrap_or("graph.microsoft.com")
    }

    fn discovery_url(&self) -> Result<Url, CoreError> {
        let suffix = match self.kind {
            AuthorityKind::Entra => "/v2.0/.well-known/openid-configuration",
            AuthorityKind::Oidc => "/.well-known/openid-configuration",
        };
        Url::parse(&format!("{}{suffix}", self.as_str())).map_err(|e| invalid(e.to_string()))
    }

    /// Whether `issuer` may issue tokens for this authority (OIDC Discovery §4.3; Entra's `{tenantid}` template).
    fn accepts_issuer(&self, issuer: &str) -> bool {
        match self.kind {
            AuthorityKind::Oidc => issuer.trim_end_matches('/') == self.as_str(),
            AuthorityKind::Entra => Url::parse(issuer).is_ok_and(|url| {
                url.scheme() == "https"
                    && url.host_str() == self.url.host_str()
                    && url.port_or_known_default() == self.url.port_or_known_default()
            }),
        }
    }
}

fn https_url(text: &str) -> Result<Url, CoreError> {
    let url = Url::parse(text.trim()).map_err(|_| invalid("not a URL"))?;
    if url.scheme() != "https" {
        return Err(invalid("must be https"));
    }
    if url.query().is_some() || url.fragment().is_some() || url.host_str().is_none() {
        return Err(invalid(
            "must be https://host/path with no query or fragment",
        ));
    }
    Ok(url)
}

fn normalise(url: &Url, path: &str) -> Url {
    let mut url = url.clone();
    url.set_path(path);
    url
}

fn valid_tenant(tenant: &str) -> bool {
    tenant.len() <= 256
        && tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
}

/// The endpoints from discovery.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Endpoints {
    pub issuer: String,
    pub authorization_endpoint: Url,
    pub token_endpoint: Url,
    #[serde(default)]
    pub device_authorization_endpoint: Option<Url>,
    #[serde(default)]
    pub end_session_endpoint: Option<Url>,
}

/// An authority with its discovery document, fetched on first use.
#[derive(Debug)]
pub struct ResolvedAuthority {
    authority: Authority,
    endpoints: OnceCell<Endpoints>,
}

impl ResolvedAuthority {
    pub fn new(authority: Authority) -> Self {
        Self {
            authority,
            endpoints: OnceCell::new(),
        }
    }

    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// The endpoints if discovery already ran.
    pub fn endpoints_cached(&self) -> Option<&Endpoints> {
        self.endpoints.get()
    }

    /// The endpoints: fetched once, then served from memory. A failed fetch is not cached.
    pub async fn endpoints(&self, http: &dyn HttpClient) -> Result<&Endpoints, CoreError> {
        self.endpoints.get_or_try_init(|| self.discover(http)).await
    }

    async fn discover(&self, http: &dyn HttpClient) -> Result<Endpoints, CoreError> {
        let url = self.authority.discovery_url()?;
        let response = http.send(HttpRequest::get(url)).await?;
        if response.status != 200 {
            return Err(crate::protocol::oauth_error(&response));
        }
        let endpoints: Endpoints =
            serde_json::from_slice(&response.body).map_err(|e| CoreError::Protocol {
                detail: format!("the discovery document lacks required endpoints ({e})"),
            })?;
        let all_https = [&endpoints.authorization_endpoint, &endpoints.token_endpoint]
            .into_iter()
            .chain(endpoints.device_authorization_endpoint.as_ref())
            .all(|u| u.scheme() == "https");
        if !all_https {
            return Err(CoreError::Protocol {
                detail: "discovery names an endpoint that is not https".into(),
            });
        }
        if !self.authority.accepts_issuer(&endpoints.issuer) {
            return Err(CoreError::Protocol {
                detail: format!(
                    "discovery's issuer {} does not belong to {}",
                    endpoints.issuer,
                    self.authority.as_str()
                ),
            });
        }
        Ok(endpoints)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_authorities_parse_and_refuse_what_msal_refuses() {
        let a =
            Authority::entra("https://login.microsoftonline.com/organizations/").expect("valid");
        assert_eq!(
            a.as_str(),
            "https://login.microsoftonline.com/organizations"
        );
        assert_eq!(
            (a.environment(), a.tenant()),
            ("login.microsoftonline.com".into(), "organizations".into())
        );
        assert_eq!(
            Authority::entra("https://login.microsoftonline.us/contoso.us")
                .expect("us")
                .graph_host(),
            "graph.microsoft.us"
        );
        let local = Authority::entra("https://127.0.0.1:8443/common").expect("local");
        assert_eq!(local.environment(), "127.0.0.1:8443");
        for bad in [
            "http://login.microsoftonline.com/common",
            "https://login.microsoftonline.com",
            "https://x/a/b",
            "not a url",
            "https://x/t?q=1",
        ] {
            assert!(
                matches!(
                    Authority::entra(bad),
                    Err(CoreError::Config {
                        field: crate::error::ConfigField::Tenant,
                        ..
                    })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn issuers_must_belong_to_the_authority() {
        let entra = Authority::entra("https://127.0.0.1:8443/organizations").expect("valid");
        assert!(entra.accepts_issuer("https://127.0.0.1:8443/{tenantid}/v2.0"));
        assert!(!entra.accepts_issuer("https://127.0.0.1:9443/{tenantid}/v2.0"));
        assert!(!entra.accepts_issuer("https://evil.example/{tenantid}/v2.0"));
        let oidc = Authority::oidc("https://id.example/realms/dev/").expect("valid");
        assert!(oidc.accepts_issuer("https://id.example/realms/dev"));
        assert!(!oidc.accepts_issuer("https://id.example/realms/other"));
        assert_eq!(oidc.tenant(), "dev");
    }
}
