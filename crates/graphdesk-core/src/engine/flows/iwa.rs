//! Integrated Windows Authentication: the Windows session's user signs in without a prompt, for federated domains. User
//! realm discovery says whether the domain is federated; the federation server's MEX names its Windows-integrated
//! WS-Trust endpoint; a WS-Trust Issue request, authenticated with the user's Kerberos ticket over HTTP Negotiate
//! (RFC 4559), returns a SAML assertion; the assertion is redeemed at the token endpoint with the SAML bearer grant and
//! the answer is cached like any other sign-in. Everything but the ticket is plain Rust; the ticket comes from a
//! [`WindowsIdentity`] (SSPI on Windows, a test identity against the emulated tenant).
//!
//! As MSAL .NET: managed and unknown domains are typed errors (no federation server to ask), only https metadata and
//! endpoints are used, redirects are not followed (the HTTP client follows none).

use base64::Engine as _;
use url::Url;

use crate::engine::{TokenEngine, TokenResult, TokenSource};
use crate::error::{CoreError, WindowsSignInError};
use crate::federation::wstrust::{self, WsTrustFailure};
use crate::federation::{AccountType, realm};
use crate::http::{HttpRequest, Method};
use crate::scopes::request_scope;
use crate::secret::SecretBytes;

/// The longest Negotiate exchange followed (Kerberos needs one leg; NTLM, which this flow does not promise, three).
const MAX_NEGOTIATE_LEGS: usize = 3;

/// The signed-in Windows user, as far as IWA needs them.
pub trait WindowsIdentity: Send + Sync + std::fmt::Debug {
    /// The user's UPN (`user@corp.contoso.com`), as Windows knows it; `None` for an account without one (a local one).
    fn user_principal_name(&self) -> Result<Option<String>, CoreError>;
    /// A Negotiate security context for the service `HTTP/{host}`.
    fn negotiate(&self, host: &str) -> Result<Box<dyn NegotiateContext>, CoreError>;
}

/// One Negotiate (SPNEGO) exchange.
pub trait NegotiateContext: Send {
    /// The next token to send: first with no server token, then with each one the server sends back.
    fn step(&mut self, server_token: Option<&[u8]>) -> Result<SecretBytes, CoreError>;
}

fn refused(code: &str, reason: impl Into<String>) -> CoreError {
    WindowsSignInError::FederationRefused {
        code: code.to_owned(),
        reason: reason.into(),
    }
    .into()
}

fn https_url(text: &str, what: &str) -> Result<Url, CoreError> {
    match Url::parse(text) {
        Ok(url) if url.scheme() == "https" => Ok(url),
        _ => Err(CoreError::Protocol {
            detail: format!("the user realm names {what} that is not an https URL"),
        }),
    }
}

/// The server token in a `WWW-Authenticate: Negotiate <base64>` header, if any.
fn negotiate_challenge(header: Option<&str>) -> Option<Vec<u8>> {
    let (scheme, token) = header?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("negotiate") {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
}

impl TokenEngine {
    /// Signs the Windows user in with IWA. `username` overrides the UPN Windows reports (for a user whose Windows
    /// account name is not their Entra UPN).
    pub async fn acquire_token_integrated_windows_auth(
        &self,
        scopes: &[String],
        username: Option<&str>,
        identity: &dyn WindowsIdentity,
    ) -> Result<TokenResult, CoreError> {
        // Realm discovery and the SAML bearer grant are Entra's; another OpenID provider has neither.
        if *self.config.authority.kind() != crate::authority::AuthorityKind::Entra {
            return Err(WindowsSignInError::NotEntra.into());
        }
        let username = match username.map(str::trim).filter(|u| !u.is_empty()) {
            Some(given) => given.to_owned(),
            None => identity
                .user_principal_name()?
                .filter(|u| !u.trim().is_empty())
                .ok_or(WindowsSignInError::NoUsername)?,
        };
        let user_realm = self.user_realm(&username).await?;
        match user_realm.account_type {
            AccountType::Federated => {}
            AccountType::Managed => {
                return Err(WindowsSignInError::ManagedUser {
                    domain: user_realm
                        .domain_name
                        .unwrap_or_else(|| domain_of(&username).to_owned()),
                }
                .into());
            }
            AccountType::Unknown => return Err(WindowsSignInError::UnknownUser.into()),
        }
        let mex_url = user_realm
            .federation_metadata_url
            .as_deref()
            .ok_or(WindowsSignInError::NoWindowsEndpoint)
            .map_err(CoreError::from)
            .and_then(|url| https_url(url, "federation metadata"))?;
        let mex = self.http.send(HttpRequest::get(mex_url)).await?;
        if mex.status != 200 {
            return Err(refused(
                &format!("HTTP {}", mex.status),
                "the federation metadata could not be read",
            ));
        }
        let endpoint =
            crate::federation::windows_transport_endpoint(&String::from_utf8_lossy(&mex.body))
                .map_err(|detail| CoreError::Protocol {
                    detail: format!("the federation metadata: {detail}"),
                })?
                .ok_or(WindowsSignInError::NoWindowsEndpoint)?;
        let assertion = self
            .ws_trust_issue(&endpoint, &user_realm.cloud_audience_urn, identity)
            .await?;
        let form = vec![
            ("grant_type", assertion.token_type.grant_type().to_owned()),
            ("assertion", assertion.form_value()),
            ("scope", request_scope(scopes)),
        ];
        let response = self.token_request(form).await?;
        self.save(response, scopes, None, TokenSource::IntegratedWindows, None)
    }

    async fn user_realm(&self, username: &str) -> Result<realm::UserRealm, CoreError> {
        let url = realm::realm_url(&self.scope.environment, username)
            .map_err(|detail| CoreError::Protocol { detail })?;
        let response = self.send_once(HttpRequest::get(url)).await?;
        realm::parse(&response.body).map_err(|detail| CoreError::Protocol { detail })
    }

    /// The WS-Trust Issue request, authenticated with Negotiate: the first token sent at once (Kerberos needs no
    /// challenge), each `401` with a server token answered with the context's next one.
    async fn ws_trust_issue(
        &self,
        endpoint: &crate::federation::WsTrustEndpoint,
        cloud_audience_urn: &str,
        identity: &dyn WindowsIdentity,
    ) -> Result<wstrust::SamlAssertion, CoreError> {
        let host = endpoint.url.host_str().unwrap_or_default();
        let mut context = identity.negotiate(host)?;
        let body = wstrust::windows_integrated_request(
            &endpoint.url,
            endpoint.version,
            cloud_audience_urn,
            uuid::Uuid::new_v4(),
        );
        let mut server_token: Option<Vec<u8>> = None;
        for _ in 0..MAX_NEGOTIATE_LEGS {
            let token = context.step(server_token.as_deref())?;
            let request = HttpRequest {
                method: Method::Post,
                url: endpoint.url.clone(),
                headers: Vec::new(),
                form: Vec::new(),
                body: Some(body.clone().into_bytes()),
            }
            .header("Content-Type", "application/soap+xml; charset=utf-8")
            .header("SOAPAction", endpoint.version.action())
            .header(
                "Authorization",
                format!(
                    "Negotiate {}",
                    base64::engine::general_purpose::STANDARD.encode(token.secret())
                ),
            );
            let response = self.http.send(request).await?;
            if response.status == 401 {
                match negotiate_challenge(response.header("www-authenticate")) {
                    Some(next) => {
                        server_token = Some(next);
                        continue;
                    }
                    None => {
                        return Err(WindowsSignInError::Negotiate {
                            detail: "the federation server did not accept the Windows sign-in (HTTP 401)".into(),
                        }
                        .into());
                    }
                }
            }
            return match wstrust::parse_response(&response.body) {
                Ok(assertion) => Ok(assertion),
                Err(WsTrustFailure::Fault { code, reason }) => Err(refused(&code, reason)),
                Err(WsTrustFailure::Malformed(detail)) if response.status == 200 => {
                    Err(CoreError::Protocol {
                        detail: format!("the federation server's answer: {detail}"),
                    })
                }
                Err(WsTrustFailure::Malformed(_)) => Err(refused(
                    &format!("HTTP {}", response.status),
                    "the federation server answered with an error page",
                )),
            };
        }
        Err(WindowsSignInError::Negotiate {
            detail: format!("the Negotiate exchange did not finish in {MAX_NEGOTIATE_LEGS} steps"),
        }
        .into())
    }
}

fn domain_of(username: &str) -> &str {
    username
        .rsplit_once('@')
        .map_or(username, |(_, domain)| domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiate_challenges_are_read_from_www_authenticate() {
        assert_eq!(
            negotiate_challenge(Some("Negotiate YWJj")),
            Some(b"abc".to_vec())
        );
        assert_eq!(
            negotiate_challenge(Some("negotiate  YWJj ")),
            Some(b"abc".to_vec())
        );
        assert_eq!(
            negotiate_challenge(Some("Negotiate")),
            None,
            "a bare scheme has no token"
        );
        assert_eq!(negotiate_challenge(Some("NTLM YWJj")), None);
        assert_eq!(negotiate_challenge(Some("Negotiate !!")), None);
        assert_eq!(negotiate_challenge(None), None);
    }

    #[test]
    fn federation_urls_must_be_https() {
        assert!(
            https_url(
                "https://sts.corp.example/adfs/services/trust/mex",
                "metadata"
            )
            .is_ok()
        );
        for bad in [
            "http://sts.corp.example/mex",
            "file:///etc/passwd",
            "not a url",
            "",
        ] {
            assert!(
                matches!(https_url(bad, "metadata"), Err(CoreError::Protocol { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_domain_is_what_follows_the_at() {
        assert_eq!(domain_of("ann@corp.example"), "corp.example");
        assert_eq!(domain_of("ann"), "ann");
    }
}
