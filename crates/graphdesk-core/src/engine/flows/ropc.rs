//! Username/password (the resource owner password credentials grant). Kept for automation and legacy tenants; the
//! identity platform refuses it for personal accounts and whenever MFA or conditional access applies — those answers
//! become "UI required" errors that say to sign in interactively.
//!
//! As MSAL Python and MSAL .NET do, the user's realm is asked first: the password of a federated account is checked by
//! its federation server, not by Entra (which answers AADSTS50126 to a direct attempt), so it goes there in a WS-Trust
//! `usernamemixed` request and the SAML assertion that comes back is redeemed with the SAML bearer grant.

use super::federated::{Endpoint, IssueFailure};
use crate::engine::{TokenEngine, TokenResult, TokenSource};
use crate::error::{CoreError, UiRequiredReason};
use crate::federation::{AccountType, UserRealm, wstrust};
use crate::scopes::request_scope;
use crate::secret::Password;

impl TokenEngine {
    /// Signs `username` in with `password`.
    pub async fn acquire_token_by_username_password(
        &self,
        scopes: &[String],
        username: &str,
        password: &Password,
    ) -> Result<TokenResult, CoreError> {
        if username.trim().is_empty() {
            return Err(CoreError::InvalidRequest {
                field: crate::error::RequestField::Username,
                reason: "enter the account's username (user@contoso.com)".into(),
            });
        }
        let username = username.trim();
        if *self.config.authority.kind() == crate::authority::AuthorityKind::Entra
            && let Some(user_realm) = self.user_realm(username).await?
            && user_realm.account_type == AccountType::Federated
        {
            return self
                .federated_username_password(scopes, username, password, &user_realm)
                .await;
        }
        let mut form = vec![
            ("grant_type", "password".to_owned()),
            ("username", username.to_owned()),
            ("password", password.secret().to_owned()),
            ("scope", request_scope(scopes)),
        ];
        if let Some(claims) = self.config.claims_parameter(None) {
            form.push(("claims", claims));
        }
        match self.token_request(form).await {
            Ok(response) => self.save(response, scopes, None, TokenSource::UsernamePassword, None),
            Err(CoreError::UiRequired(mut ui))
                if ui.reason == UiRequiredReason::InteractionRequired =>
            {
                ui.description = Some(
                    "This account needs multi-factor authentication or is under a sign-in policy, which a password alone \
                     cannot satisfy. Sign in interactively."
                        .into(),
                );
                Err(CoreError::UiRequired(ui))
            }
            Err(CoreError::UiRequired(mut ui))
                if ui.aadsts == Some(9_002_331) || ui.aadsts == Some(70_000) =>
            {
                ui.reason = UiRequiredReason::LoginRequired;
                ui.description =
                    Some("Personal Microsoft accounts cannot sign in with a password here. Sign in interactively.".into());
                Err(CoreError::UiRequired(ui))
            }
            Err(error) => Err(error),
        }
    }

    /// A federated account's password, checked by its federation server.
    async fn federated_username_password(
        &self,
        scopes: &[String],
        username: &str,
        password: &Password,
        user_realm: &UserRealm,
    ) -> Result<TokenResult, CoreError> {
        let endpoint = self
            .federation_endpoint(user_realm, Endpoint::UsernameMixed)
            .await?
            .ok_or_else(|| CoreError::Protocol {
                detail: "the federation server names no https endpoint for a username and password"
                    .into(),
            })?;
        let message = wstrust::username_password_request(
            &endpoint.url,
            endpoint.version,
            &user_realm.cloud_audience_urn,
            username,
            password,
            uuid::Uuid::new_v4(),
            self.clock.now(),
        );
        let refused = |error: String, description: String| CoreError::SignInRefused {
            error,
            description: Some(description),
            aadsts: None,
        };
        match self
            .ws_trust_issue(&endpoint, message.secret().as_bytes().to_vec(), None)
            .await
        {
            Ok(assertion) => {
                self.redeem_assertion(scopes, &assertion, TokenSource::UsernamePassword)
                    .await
            }
            Err(IssueFailure::Refused { code, reason }) => Err(refused(
                format!("the federation server refused ({code})"),
                reason,
            )),
            Err(IssueFailure::Unauthorized(_)) => Err(refused(
                "the federation server refused (HTTP 401)".into(),
                "it did not accept the username and password".into(),
            )),
            Err(IssueFailure::Other(error)) => Err(error),
        }
    }
}
