//! The steps federated sign-ins share, as MSAL takes them: user realm discovery (is the user's domain federated?), the
//! federation server's metadata (which WS-Trust endpoint takes the sign-in), one WS-Trust Issue request, and the SAML
//! assertion redeemed at the token endpoint with the SAML bearer grant. Integrated Windows Authentication authenticates
//! the request with a Kerberos ticket, username/password with a UsernameToken in the message.

use url::Url;

use crate::engine::{TokenEngine, TokenResult, TokenSource};
use crate::error::CoreError;
use crate::federation::wstrust::{self, SamlAssertion, WsTrustFailure};
use crate::federation::{UserRealm, WsTrustEndpoint, WsTrustVersion, realm};
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::scopes::request_scope;

/// Which WS-Trust endpoint a sign-in needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    WindowsTransport,
    UsernameMixed,
}

/// Why a WS-Trust request gave no assertion.
#[derive(Debug)]
pub(crate) enum IssueFailure {
    /// The server answered with a SOAP fault (its subcode and reason) or an error page (`HTTP nnn`).
    Refused { code: String, reason: String },
    /// `401`: the HTTP authentication was not accepted; the server's Negotiate token, if it sent one.
    Unauthorized(Option<Vec<u8>>),
    /// Transport or a 200 that holds no assertion.
    Other(CoreError),
}

/// `text` when it is an https URL.
pub(crate) fn https_url(text: &str, what: &str) -> Result<Url, CoreError> {
    match Url::parse(text) {
        Ok(url) if url.scheme() == "https" => Ok(url),
        _ => Err(CoreError::Protocol {
            detail: format!("the user realm names {what} that is not an https URL"),
        }),
    }
}

/// The server token in a `WWW-Authenticate: Negotiate <base64>` header, if any.
pub(crate) fn negotiate_challenge(header: Option<&str>) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let (scheme, token) = header?.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("negotiate") {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
}

impl TokenEngine {
    /// User realm discovery for `username` at the authority's host; `None` where the host has none (`404`), which MSAL
    /// Python takes as "not federated".
    pub(crate) async fn user_realm(&self, username: &str) -> Result<Option<UserRealm>, CoreError> {
        let url = realm::realm_url(&self.scope.environment, username)
            .map_err(|detail| CoreError::Protocol { detail })?;
        let response = self.http.send(HttpRequest::get(url)).await?;
        match response.status {
            200 => realm::parse(&response.body)
                .map(Some)
                .map_err(|detail| CoreError::Protocol { detail }),
            404 => Ok(None),
            _ => Err(crate::protocol::oauth_error(&response)),
        }
    }

    /// The federation server's endpoint for `wanted`, from the metadata the realm names (https only). For
    /// username/password without metadata, the realm's `federation_active_auth_url`, as MSAL Python falls back to.
    pub(crate) async fn federation_endpoint(
        &self,
        user_realm: &UserRealm,
        wanted: Endpoint,
    ) -> Result<Option<WsTrustEndpoint>, CoreError> {
        let Some(metadata) = user_realm.federation_metadata_url.as_deref() else {
            return Ok(
                match (wanted, user_realm.federation_active_auth_url.as_deref()) {
                    (Endpoint::UsernameMixed, Some(active)) => {
                        let url = https_url(active, "a federation endpoint")?;
                        let version = if url.path().contains("/trust/2005/") {
                            WsTrustVersion::Trust2005
                        } else {
                            WsTrustVersion::Trust13
                        };
                        Some(WsTrustEndpoint { url, version })
                    }
                    _ => None,
                },
            );
        };
        let url = https_url(metadata, "federation metadata")?;
        let response = self.http.send(HttpRequest::get(url)).await?;
        if response.status != 200 {
            return Err(CoreError::Protocol {
                detail: format!(
                    "the federation metadata could not be read (HTTP {})",
                    response.status
                ),
            });
        }
        let text = String::from_utf8_lossy(&response.body);
        let chosen = match wanted {
            Endpoint::WindowsTransport => crate::federation::windows_transport_endpoint(&text),
            Endpoint::UsernameMixed => crate::federation::username_password_endpoint(&text),
        };
        chosen.map_err(|detail| CoreError::Protocol {
            detail: format!("the federation metadata: {detail}"),
        })
    }

    /// POSTs one WS-Trust Issue request (`body`, with `authorization` when the HTTP layer authenticates it) and reads
    /// the assertion from the answer.
    pub(crate) async fn ws_trust_issue(
        &self,
        endpoint: &WsTrustEndpoint,
        body: Vec<u8>,
        authorization: Option<String>,
    ) -> Result<SamlAssertion, IssueFailure> {
        let mut request = HttpRequest {
            method: Method::Post,
            url: endpoint.url.clone(),
            headers: Vec::new(),
            form: Vec::new(),
            body: Some(body),
        }
        .header("Content-Type", "application/soap+xml; charset=utf-8")
        .header("SOAPAction", endpoint.version.action());
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        let response: HttpResponse = self
            .http
            .send(request)
            .await
            .map_err(|e| IssueFailure::Other(e.into()))?;
        if response.status == 401 {
            return Err(IssueFailure::Unauthorized(negotiate_challenge(
                response.header("www-authenticate"),
            )));
        }
        match wstrust::parse_response(&response.body) {
            Ok(assertion) => Ok(assertion),
            Err(WsTrustFailure::Fault { code, reason }) => {
                Err(IssueFailure::Refused { code, reason })
            }
            Err(WsTrustFailure::Malformed(detail)) if response.status == 200 => {
                Err(IssueFailure::Other(CoreError::Protocol {
                    detail: format!("the federation server's answer: {detail}"),
                }))
            }
            Err(WsTrustFailure::Malformed(_)) => Err(IssueFailure::Refused {
                code: format!("HTTP {}", response.status),
                reason: "the federation server answered with an error page".into(),
            }),
        }
    }

    /// Redeems `assertion` with the SAML bearer grant and files the answer like any sign-in.
    pub(crate) async fn redeem_assertion(
        &self,
        scopes: &[String],
        assertion: &SamlAssertion,
        source: TokenSource,
    ) -> Result<TokenResult, CoreError> {
        let form = vec![
            ("grant_type", assertion.token_type.grant_type().to_owned()),
            ("assertion", assertion.form_value()),
            ("scope", request_scope(scopes)),
        ];
        let response = self.token_request(form).await?;
        self.save(response, scopes, None, source, None)
    }
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
}
