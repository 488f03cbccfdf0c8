//! A web API as GraphDesk calls it: its https base URL and the scopes that name it (Microsoft Graph on a cloud's host, or
//! any API). The settings build one; the Graph client resolves paths against it and refuses to send a token elsewhere.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::CoreError;

/// Graph API versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GraphVersion {
    #[serde(rename = "v1.0")]
    V1,
    Beta,
}

/// A web API: its base URL and the scopes that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    base: Url,
    pub(crate) scopes: Vec<String>,
}

impl Api {
    /// Microsoft Graph on `host` (`graph.microsoft.com`, `graph.microsoft.us`, `microsoftgraph.chinacloudapi.cn`).
    pub fn graph(
        host: &str,
        version: GraphVersion,
        scopes: Vec<String>,
    ) -> Result<Self, CoreError> {
        let version = match version {
            GraphVersion::V1 => "v1.0",
            GraphVersion::Beta => "beta",
        };
        Self::custom(&format!("https://{host}/{version}"), scopes)
    }

    /// Any https API with its scopes (a web API is defined by its scopes).
    pub fn custom(base: &str, scopes: Vec<String>) -> Result<Self, CoreError> {
        let invalid = |reason: &str| CoreError::Config {
            field: crate::error::ConfigField::ApiBaseUrl,
            reason: reason.into(),
        };
        let base = Url::parse(base.trim_end_matches('/'))
            .map_err(|_| invalid("the base URL is not a URL"))?;
        if base.scheme() != "https" {
            return Err(invalid(
                "the base URL must be https: tokens never travel in clear",
            ));
        }
        if scopes.is_empty() {
            return Err(invalid("name the API's scopes, such as User.Read"));
        }
        Ok(Self { base, scopes })
    }

    /// The same API asked for with other scopes (the request bar's); no scopes keeps the current ones.
    pub fn with_scopes(mut self, scopes: Vec<String>) -> Self {
        if !scopes.is_empty() {
            self.scopes = scopes;
        }
        self
    }

    /// The absolute URL of `path` (`/me`, `me/messages?$top=5`) or of a full URL on the same host (`@odata.nextLink`).
    pub(crate) fn url(&self, path: &str) -> Result<Url, CoreError> {
        if path.starts_with("https://") {
            let url = Url::parse(path).map_err(|_| CoreError::InvalidRequest {
                field: crate::error::RequestField::Path,
                reason: "not a URL".into(),
            })?;
            // Tokens go only to the API's own host: a next link elsewhere is refused.
            if url.host_str() != self.base.host_str()
                || url.port_or_known_default() != self.base.port_or_known_default()
            {
                return Err(CoreError::InvalidRequest {
                    field: crate::error::RequestField::Path,
                    reason: format!(
                        "{} is not on the API's host; its token is not sent there",
                        url.host_str().unwrap_or("?")
                    ),
                });
            }
            return Ok(url);
        }
        let joined = format!(
            "{}/{}",
            self.base.as_str().trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        Url::parse(&joined).map_err(|_| CoreError::InvalidRequest {
            field: crate::error::RequestField::Path,
            reason: "the path does not make a valid URL".into(),
        })
    }
}
