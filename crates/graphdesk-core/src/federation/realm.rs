//! User realm discovery: `GET https://{environment}/common/userrealm/{username}?api-version=1.0` answers whether the
//! user's domain is managed by Entra or federated to another identity provider, and for a federated one where its
//! metadata (MEX) and WS-Trust endpoints are.

use serde::Deserialize;
use url::Url;

/// The audience WS-Trust tokens for Entra are requested for when the realm does not name one (MSAL's default).
pub const DEFAULT_CLOUD_AUDIENCE_URN: &str = "urn:federation:MicrosoftOnline";

/// How the user's domain signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountType {
    /// Entra holds the password (cloud-only or hash-synced): no federation server to ask.
    Managed,
    /// Another identity provider (AD FS, …) signs the user in and Entra trusts its assertions.
    Federated,
    /// Entra does not know the domain.
    Unknown,
}

/// The realm discovery answer, as far as sign-in needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRealm {
    pub account_type: AccountType,
    pub domain_name: Option<String>,
    pub federation_protocol: Option<String>,
    pub federation_metadata_url: Option<String>,
    pub federation_active_auth_url: Option<String>,
    pub cloud_audience_urn: String,
}

#[derive(Deserialize)]
struct Wire {
    account_type: Option<String>,
    domain_name: Option<String>,
    federation_protocol: Option<String>,
    federation_metadata_url: Option<String>,
    federation_active_auth_url: Option<String>,
    cloud_audience_urn: Option<String>,
}

/// The discovery URL for `username` on the authority host `environment` (`login.microsoftonline.com`, or a host with a
/// port for the emulated tenant). The username is one path segment, percent-encoded.
pub fn realm_url(environment: &str, username: &str) -> Result<Url, String> {
    let mut url = Url::parse(&format!("https://{environment}/common/userrealm/"))
        .map_err(|e| format!("no realm discovery URL for {environment} ({e})"))?;
    url.path_segments_mut()
        .map_err(|()| "the authority host cannot carry a path".to_owned())?
        .pop_if_empty()
        .push(username);
    url.query_pairs_mut().append_pair("api-version", "1.0");
    Ok(url)
}

/// Parses the answer. An `account_type` other than the two known ones is `Unknown`, as MSAL treats it.
pub fn parse(body: &[u8]) -> Result<UserRealm, String> {
    let wire: Wire = serde_json::from_slice(body)
        .map_err(|e| format!("the user realm answer is not the expected JSON ({e})"))?;
    let account_type = match wire.account_type.as_deref() {
        Some(t) if t.eq_ignore_ascii_case("federated") => AccountType::Federated,
        Some(t) if t.eq_ignore_ascii_case("managed") => AccountType::Managed,
        _ => AccountType::Unknown,
    };
    Ok(UserRealm {
        account_type,
        domain_name: wire.domain_name,
        federation_protocol: wire.federation_protocol,
        federation_metadata_url: wire.federation_metadata_url,
        federation_active_auth_url: wire.federation_active_auth_url,
        cloud_audience_urn: wire
            .cloud_audience_urn
            .filter(|urn| !urn.is_empty())
            .unwrap_or_else(|| DEFAULT_CLOUD_AUDIENCE_URN.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_encodes_the_username_as_one_segment() {
        let url = realm_url("login.microsoftonline.com", "ann+x@contoso.com")
            .expect("as the test wrote it");
        assert_eq!(
            url.as_str(),
            "https://login.microsoftonline.com/common/userrealm/ann+x@contoso.com?api-version=1.0"
        );
        let sneaky = realm_url("127.0.0.1:8443", "a/../../b?c#d").expect("as the test wrote it");
        assert_eq!(sneaky.path(), "/common/userrealm/a%2F..%2F..%2Fb%3Fc%23d");
        assert_eq!(sneaky.query(), Some("api-version=1.0"));
    }

    #[test]
    fn federated_managed_and_unknown_answers_parse() {
        let federated = parse(
            br#"{"ver":"1.0","account_type":"Federated","domain_name":"corp.example","federation_protocol":"WSTrust",
               "federation_metadata_url":"https://sts.corp.example/adfs/services/trust/mex",
               "federation_active_auth_url":"https://sts.corp.example/adfs/services/trust/2005/usernamemixed",
               "cloud_instance_name":"microsoftonline.com","cloud_audience_urn":"urn:federation:MicrosoftOnline"}"#,
        )
        .expect("as the test wrote it");
        assert_eq!(federated.account_type, AccountType::Federated);
        assert_eq!(
            federated.federation_metadata_url.as_deref(),
            Some("https://sts.corp.example/adfs/services/trust/mex")
        );
        let managed = parse(
            br#"{"ver":"1.0","account_type":"Managed","domain_name":"contoso.com","cloud_instance_name":"microsoftonline.com"}"#,
        )
        .expect("as the test wrote it");
        assert_eq!(managed.account_type, AccountType::Managed);
        assert_eq!(managed.cloud_audience_urn, DEFAULT_CLOUD_AUDIENCE_URN);
        let unknown = parse(br#"{"ver":"1.0","account_type":"Unknown","cloud_instance_name":"microsoftonline.com"}"#).expect("as the test wrote it");
        assert_eq!(unknown.account_type, AccountType::Unknown);
        assert_eq!(
            parse(br#"{"account_type":"Brand new"}"#)
                .expect("as the test wrote it")
                .account_type,
            AccountType::Unknown
        );
        assert!(parse(b"<html>").is_err());
    }
}
