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

use super::federated::{Endpoint, IssueFailure};
use crate::engine::{TokenEngine, TokenResult, TokenSource};
use crate::error::{CoreError, WindowsSignInError};
use crate::federation::{AccountType, wstrust};
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
        let user_realm = self
            .user_realm(&username)
            .await?
            .ok_or(WindowsSignInError::UnknownUser)?;
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
        let endpoint = self
            .federation_endpoint(&user_realm, Endpoint::WindowsTransport)
            .await?
            .ok_or(WindowsSignInError::NoWindowsEndpoint)?;
        let host = endpoint.url.host_str().unwrap_or_default().to_owned();
        let mut context = identity.negotiate(&host)?;
        let body = wstrust::windows_integrated_request(
            &endpoint.url,
            endpoint.version,
            &user_realm.cloud_audience_urn,
            uuid::Uuid::new_v4(),
        );
        // The first token goes at once (Kerberos needs no challenge); each 401 with a server token gets the next one.
        let mut server_token: Option<Vec<u8>> = None;
        for _ in 0..MAX_NEGOTIATE_LEGS {
            let token = context.step(server_token.as_deref())?;
            let authorization = format!(
                "Negotiate {}",
                base64::engine::general_purpose::STANDARD.encode(token.secret())
            );
            match self
                .ws_trust_issue(&endpoint, body.clone().into_bytes(), Some(authorization))
                .await
            {
                Ok(assertion) => {
                    return self
                        .redeem_assertion(scopes, &assertion, TokenSource::IntegratedWindows)
                        .await;
                }
                Err(IssueFailure::Unauthorized(Some(next))) => server_token = Some(next),
                Err(IssueFailure::Unauthorized(None)) => {
                    return Err(WindowsSignInError::Negotiate {
                        detail:
                            "the federation server did not accept the Windows sign-in (HTTP 401)"
                                .into(),
                    }
                    .into());
                }
                Err(IssueFailure::Refused { code, reason }) => {
                    return Err(WindowsSignInError::FederationRefused { code, reason }.into());
                }
                Err(IssueFailure::Other(error)) => return Err(error),
            }
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
    fn the_domain_is_what_follows_the_at() {
        assert_eq!(domain_of("ann@corp.example"), "corp.example");
        assert_eq!(domain_of("ann"), "ann");
    }
}
