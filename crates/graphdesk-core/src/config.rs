//! The app registration GraphDesk signs in with: client id, authority, redirect URI, default scopes, extra trusted roots
//! and client capabilities. Built through [`ClientConfig::builder`]; every invalid piece is a typed error naming its field,
//! so a configuration that exists is a configuration that works.

use crate::authority::Authority;
use crate::error::{ConfigField, CoreError};
use crate::redirect::RedirectUri;

/// The redirect URI a desktop app registers for the deep link (`graphdesk://auth`).
pub const DEFAULT_REDIRECT_URI: &str = "graphdesk://auth";

/// A validated client configuration.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub client_id: String,
    pub authority: Authority,
    pub redirect_uri: RedirectUri,
    /// Scopes asked for when the caller names none (`User.Read`).
    pub default_scopes: Vec<String>,
    /// PEM certificates trusted besides the system roots.
    pub extra_root_ca_pem: Option<String>,
    /// Client capabilities announced in `claims` (`cp1`: continuous access evaluation).
    pub client_capabilities: Vec<String>,
    /// Instance metadata the app supplies (MSAL .NET's `WithInstanceDiscoveryMetadata`): used instead of instance
    /// discovery; it must name the authority's host.
    pub instance_metadata: Option<crate::cloud::InstanceMetadata>,
}

/// Builds a [`ClientConfig`].
#[derive(Debug, Clone)]
pub struct ClientConfigBuilder {
    client_id: String,
    authority: String,
    oidc: bool,
    redirect_uri: String,
    default_scopes: Vec<String>,
    extra_root_ca_pem: Option<String>,
    client_capabilities: Vec<String>,
    instance_metadata: Option<Vec<u8>>,
}

fn invalid(field: ConfigField, reason: &str) -> CoreError {
    CoreError::Config {
        field,
        reason: reason.into(),
    }
}

impl ClientConfig {
    /// Starts a configuration for `client_id` against `https://login.microsoftonline.com/organizations`, redirecting to
    /// `graphdesk://auth`, asking for `User.Read`.
    pub fn builder(client_id: impl Into<String>) -> ClientConfigBuilder {
        ClientConfigBuilder {
            client_id: client_id.into(),
            authority: "https://login.microsoftonline.com/organizations".into(),
            oidc: false,
            redirect_uri: crate::config::DEFAULT_REDIRECT_URI.into(),
            default_scopes: vec!["User.Read".into()],
            extra_root_ca_pem: None,
            client_capabilities: Vec::new(),
            instance_metadata: None,
        }
    }

    /// The `claims` request parameter announcing the client capabilities, merged with a claims challenge if any.
    pub fn claims_parameter(&self, challenge: Option<&str>) -> Option<String> {
        let mut claims: serde_json::Value = match challenge {
            Some(text) => serde_json::from_str(text).unwrap_or_else(|_| serde_json::json!({})),
            None if self.client_capabilities.is_empty() => return None,
            None => serde_json::json!({}),
        };
        if !self.client_capabilities.is_empty()
            && let Some(object) = claims.as_object_mut()
        {
            let access = object
                .entry("access_token")
                .or_insert_with(|| serde_json::json!({}));
            access["xms_cc"] = serde_json::json!({ "values": self.client_capabilities });
        }
        Some(claims.to_string())
    }
}

impl ClientConfigBuilder {
    /// An Entra authority URL (`https://host/tenant`).
    pub fn authority(mut self, authority: impl Into<String>) -> Self {
        self.authority = authority.into();
        self.oidc = false;
        self
    }

    /// A generic OpenID Connect issuer instead of an Entra authority.
    pub fn oidc_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.authority = issuer.into();
        self.oidc = true;
        self
    }

    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = uri.into();
        self
    }

    pub fn default_scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.default_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    pub fn extra_root_ca_pem(mut self, pem: impl Into<String>) -> Self {
        self.extra_root_ca_pem = Some(pem.into());
        self
    }

    pub fn client_capabilities<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        capabilities: I,
    ) -> Self {
        self.client_capabilities = capabilities.into_iter().map(Into::into).collect();
        self
    }

    /// Instance-discovery metadata in the format `/common/discovery/instance` answers (`{"metadata": [...]}`).
    pub fn instance_metadata(mut self, json: impl Into<Vec<u8>>) -> Self {
        self.instance_metadata = Some(json.into());
        self
    }

    /// Validates every field.
    pub fn build(self) -> Result<ClientConfig, CoreError> {
        let client_id = self.client_id.trim().to_owned();
        if client_id.is_empty()
            || client_id.len() > 128
            || !client_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
        {
            return Err(invalid(
                ConfigField::ClientId,
                "must be the application (client) id, e.g. a GUID",
            ));
        }
        let authority = if self.oidc {
            Authority::oidc(&self.authority)?
        } else {
            Authority::entra(&self.authority)?
        };
        let redirect_uri = RedirectUri::parse(&self.redirect_uri)?;
        if self
            .default_scopes
            .iter()
            .any(|s| s.trim().is_empty() || s.contains(char::is_whitespace))
        {
            return Err(invalid(
                ConfigField::DefaultScopes,
                "each scope is one word, such as User.Read",
            ));
        }
        if let Some(pem) = &self.extra_root_ca_pem
            && !pem.contains("-----BEGIN CERTIFICATE-----")
        {
            return Err(invalid(
                ConfigField::ExtraRootCaFile,
                "must hold PEM certificates (-----BEGIN CERTIFICATE-----)",
            ));
        }
        if self
            .client_capabilities
            .iter()
            .any(|c| c.is_empty() || !c.chars().all(|ch| ch.is_ascii_alphanumeric()))
        {
            return Err(invalid(
                ConfigField::ClientCapabilities,
                "capabilities are short words such as cp1",
            ));
        }
        let instance_metadata = match &self.instance_metadata {
            None => None,
            Some(json) => {
                let metadata = crate::cloud::InstanceMetadata::parse(json)
                    .map_err(|reason| invalid(ConfigField::InstanceMetadata, &reason))?;
                // MSAL .NET: supplied metadata that does not name the authority's host is an error, not a guess.
                if metadata
                    .supplied_group_of(&authority.environment())
                    .is_none()
                {
                    return Err(invalid(
                        ConfigField::InstanceMetadata,
                        "does not name the authority's host among its aliases",
                    ));
                }
                Some(metadata)
            }
        };
        Ok(ClientConfig {
            instance_metadata,
            client_id,
            authority,
            redirect_uri,
            default_scopes: self.default_scopes,
            extra_root_ca_pem: self.extra_root_ca_pem,
            client_capabilities: self.client_capabilities,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(result: Result<ClientConfig, CoreError>) -> ConfigField {
        match result {
            Err(CoreError::Config { field, .. }) => field,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn every_invalid_field_is_named() {
        assert_eq!(
            field_of(ClientConfig::builder("").build()),
            ConfigField::ClientId
        );
        assert_eq!(
            field_of(ClientConfig::builder("a b").build()),
            ConfigField::ClientId
        );
        assert_eq!(
            field_of(ClientConfig::builder("c").authority("http://x/y").build()),
            ConfigField::Tenant
        );
        assert_eq!(
            field_of(
                ClientConfig::builder("c")
                    .redirect_uri("https://x/cb")
                    .build()
            ),
            ConfigField::RedirectUri
        );
        assert_eq!(
            field_of(
                ClientConfig::builder("c")
                    .default_scopes(["User Read"])
                    .build()
            ),
            ConfigField::DefaultScopes
        );
        assert_eq!(
            field_of(ClientConfig::builder("c").extra_root_ca_pem("nope").build()),
            ConfigField::ExtraRootCaFile
        );
        assert_eq!(
            field_of(
                ClientConfig::builder("c")
                    .client_capabilities(["cp 1"])
                    .build()
            ),
            ConfigField::ClientCapabilities
        );
        assert!(
            ClientConfig::builder("5a1e0d3c-9b7f-4e21-8c6d-0f2a4b6c8e10")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn capabilities_merge_into_claims() {
        let config = ClientConfig::builder("c")
            .client_capabilities(["cp1"])
            .build()
            .expect("valid");
        let claims: serde_json::Value =
            serde_json::from_str(&config.claims_parameter(None).expect("claims")).expect("json");
        assert_eq!(claims["access_token"]["xms_cc"]["values"][0], "cp1");
        let challenge = r#"{"access_token":{"nbf":{"essential":true,"value":"1"}}}"#;
        let merged: serde_json::Value =
            serde_json::from_str(&config.claims_parameter(Some(challenge)).expect("claims"))
                .expect("json");
        assert_eq!(merged["access_token"]["nbf"]["value"], "1");
        assert_eq!(merged["access_token"]["xms_cc"]["values"][0], "cp1");
        let plain = ClientConfig::builder("c").build().expect("valid");
        assert_eq!(plain.claims_parameter(None), None);
    }
}
