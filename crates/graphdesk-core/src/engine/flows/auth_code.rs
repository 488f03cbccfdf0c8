//! Interactive sign-in: authorization code with PKCE (RFC 7636) in the system browser. The authorize URL carries a fresh
//! `state`, `nonce` and S256 challenge (plus `prompt`, `login_hint`, `domain_hint`, `claims`, `client_info=1`); it is opened
//! through an injected [`Opener`]; the redirect comes back through the pending-sign-in registry — from the deep link, or
//! from the [`loopback`](super::super::loopback) receiver — and the code is redeemed with the verifier. Cancellable, with a
//! timeout; the ID token's audience, issuer, expiry and nonce are checked.

use std::time::Duration;

use oauth2::{CsrfToken, PkceCodeChallenge};
use tokio::sync::oneshot;

pub use crate::cancel::Cancel;

/// The random bytes in each `state` and `nonce` (base64url: 43 characters).
const RANDOM_BYTES: u32 = 32;
use crate::engine::{TokenEngine, TokenResult, TokenSource};
use crate::error::CoreError;
use crate::redirect::{AuthorizationResponse, RedirectError, RedirectUri};
use crate::scopes::request_scope;
use crate::secret::{OAuthState, PkceVerifier};

/// How long a sign-in may take by default: long enough for MFA, short enough that a forgotten tab does not linger.
pub const DEFAULT_SIGN_IN_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Opens the authorize URL (the system browser in the app; an automated browser in tests).
pub trait Opener: Send + Sync + std::fmt::Debug {
    fn open(&self, url: &str) -> Result<(), CoreError>;
}

/// `prompt` (OpenID Connect Core §3.1.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    SelectAccount,
    Login,
    Consent,
    None,
}

impl Prompt {
    fn as_str(self) -> &'static str {
        match self {
            Self::SelectAccount => "select_account",
            Self::Login => "login",
            Self::Consent => "consent",
            Self::None => "none",
        }
    }
}

/// Options of an interactive sign-in.
#[derive(Debug, Clone)]
pub struct InteractiveOptions {
    /// `None`: the authority's default — `select_account` for Entra (MSAL .NET's default, so a user with several
    /// accounts picks one), nothing for a generic OpenID provider (MSAL Python and msal-node send none; the certified
    /// panva provider refuses `select_account`, which OIDC Core does not define).
    pub prompt: Option<Prompt>,
    pub login_hint: Option<String>,
    pub domain_hint: Option<String>,
    /// A claims challenge to satisfy.
    pub claims: Option<String>,
    pub timeout: Duration,
}

impl Default for InteractiveOptions {
    fn default() -> Self {
        Self {
            prompt: None,
            login_hint: None,
            domain_hint: None,
            claims: None,
            timeout: DEFAULT_SIGN_IN_TIMEOUT,
        }
    }
}

/// A started sign-in: open [`Self::url`], then [`TokenEngine::finish_authorization`].
pub struct AuthorizationRequest {
    pub url: String,
    id: u64,
    receiver: oneshot::Receiver<AuthorizationResponse>,
    verifier: PkceVerifier,
    nonce: String,
    redirect_uri: String,
    scopes: Vec<String>,
    timeout: Duration,
}

impl std::fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl TokenEngine {
    /// Builds the authorize URL and registers the sign-in; `redirect_uri` overrides the app's (loopback).
    pub async fn begin_authorization(
        &self,
        scopes: &[String],
        options: &InteractiveOptions,
        redirect_uri: Option<RedirectUri>,
    ) -> Result<AuthorizationRequest, CoreError> {
        let endpoint = self.endpoints().await?.authorization_endpoint.clone();
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        // 256 random bits each (oauth2's default is 128): `state` guards the redirect (RFC 9700 §4.7), `nonce` ties
        // the ID token to this request (OIDC Core §3.1.2.1).
        let state = CsrfToken::new_random_len(RANDOM_BYTES);
        let nonce = CsrfToken::new_random_len(RANDOM_BYTES).secret().clone();
        let redirect = redirect_uri
            .clone()
            .unwrap_or_else(|| self.config.redirect_uri.clone());
        let mut url = endpoint;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_id", &self.config.client_id)
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", redirect.as_str())
                .append_pair("scope", &request_scope(scopes))
                .append_pair("state", state.secret())
                .append_pair("nonce", &nonce)
                .append_pair("code_challenge", challenge.as_str())
                .append_pair("code_challenge_method", "S256")
                .append_pair("client_info", "1")
                .append_pair("response_mode", "query");
            let entra = *self.config.authority.kind() == crate::authority::AuthorityKind::Entra;
            let prompt = options.prompt.or(entra.then_some(Prompt::SelectAccount));
            if let Some(prompt) = prompt {
                query.append_pair("prompt", prompt.as_str());
            }
            if let Some(hint) = &options.login_hint {
                query.append_pair("login_hint", hint);
            }
            if let Some(hint) = &options.domain_hint {
                query.append_pair("domain_hint", hint);
            }
            if let Some(claims) = self.config.claims_parameter(options.claims.as_deref()) {
                query.append_pair("claims", &claims);
            }
        }
        let redirect_text = redirect.as_str().to_owned();
        let expires = self.clock.now() + options.timeout.as_secs();
        let (id, receiver) = self.pending.register(
            OAuthState::new(state.secret().clone()),
            expires,
            redirect_uri,
        );
        Ok(AuthorizationRequest {
            url: url.to_string(),
            id,
            receiver,
            verifier: PkceVerifier::new(verifier.secret().clone()),
            nonce,
            redirect_uri: redirect_text,
            scopes: scopes.to_vec(),
            timeout: options.timeout,
        })
    }

    /// Hands a redirect (deep link or loopback request) to the sign-in waiting for it.
    pub fn deliver_redirect(&self, raw: &str) -> Result<(), RedirectError> {
        self.pending.deliver(raw, self.clock.now())
    }

    /// Waits for the redirect, then redeems the code.
    pub async fn finish_authorization(
        &self,
        request: AuthorizationRequest,
        cancel: &Cancel,
    ) -> Result<TokenResult, CoreError> {
        let AuthorizationRequest {
            id,
            receiver,
            verifier,
            nonce,
            redirect_uri,
            scopes,
            timeout,
            ..
        } = request;
        let response = tokio::select! {
            response = receiver => response.map_err(|_| CoreError::Cancelled),
            () = cancel.cancelled() => Err(CoreError::Cancelled),
            () = tokio::time::sleep(timeout) => Err(CoreError::SignInTimeout),
        };
        self.pending.forget(id);
        let code = match response? {
            AuthorizationResponse::Code { code, .. } => code,
            AuthorizationResponse::Error {
                error, description, ..
            } => {
                let aadsts = description
                    .as_deref()
                    .and_then(|d| d.strip_prefix("AADSTS"))
                    .and_then(|d| d.split(':').next())
                    .and_then(|n| n.parse().ok());
                return Err(CoreError::SignInRefused {
                    error,
                    description: description.map(|d| crate::protocol::without_trace(&d).to_owned()),
                    aadsts,
                });
            }
        };
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.secret().to_owned()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier.secret().to_owned()),
            ("scope", request_scope(&scopes)),
        ];
        let response = self.token_request(form).await?;
        self.save(
            response,
            &scopes,
            Some(&nonce),
            TokenSource::Interactive,
            None,
        )
    }

    /// The whole interactive sign-in: begin, open the browser, wait, redeem. The configured redirect URI decides how
    /// the answer comes back: a custom scheme (`graphdesk://auth`) through the OS's deep link; a loopback one
    /// (`http://127.0.0.1`, the fallback where no scheme can be registered) through a receiver listening on 127.0.0.1
    /// on a free port for this sign-in only (RFC 8252 §7.3).
    pub async fn acquire_token_interactive(
        &self,
        scopes: &[String],
        options: &InteractiveOptions,
        opener: &dyn Opener,
        cancel: &Cancel,
    ) -> Result<TokenResult, CoreError> {
        if !self.config.redirect_uri.is_loopback() {
            let request = self.begin_authorization(scopes, options, None).await?;
            return self.open_and_finish(request, opener, cancel).await;
        }
        // Lives until the sign-in ends: dropped, it stops listening.
        let receiver = crate::engine::flows::loopback::LoopbackReceiver::start(
            self.pending.clone(),
            self.clock.clone(),
        )
        .await?;
        let request = self
            .begin_authorization(scopes, options, Some(receiver.redirect_uri().clone()))
            .await?;
        self.open_and_finish(request, opener, cancel).await
    }

    /// Opens the authorize URL and waits for the sign-in; a failed open forgets the request.
    async fn open_and_finish(
        &self,
        request: AuthorizationRequest,
        opener: &dyn Opener,
        cancel: &Cancel,
    ) -> Result<TokenResult, CoreError> {
        if let Err(error) = opener.open(&request.url) {
            self.pending.forget(request.id);
            return Err(error);
        }
        self.finish_authorization(request, cancel).await
    }
}
