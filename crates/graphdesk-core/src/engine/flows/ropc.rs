//! Username/password (the resource owner password credentials grant). Kept for automation and legacy tenants; the
//! identity platform refuses it for personal accounts and whenever MFA or conditional access applies — those answers
//! become "UI required" errors that say to sign in interactively.

use crate::engine::{TokenEngine, TokenResult, TokenSource};
use crate::error::{CoreError, UiRequiredReason};
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
        let mut form = vec![
            ("grant_type", "password".to_owned()),
            ("username", username.trim().to_owned()),
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
}
