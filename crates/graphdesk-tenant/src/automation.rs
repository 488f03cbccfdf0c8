//! Browserless sign-in for tests: complete an authorization request as a given user (sign in, approve MFA, consent) and
//! hand back the final redirect URL with `code` and `state`, through the same state machine the HTML pages use.

use std::collections::HashMap;

use crate::authorize::{self, Step};
use crate::http::Form;
use crate::tenant::Tenant;

/// Why an automated sign-in did not produce a redirect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutomationError {
    #[error("not an authorize URL of this tenant: {0}")]
    NotAnAuthorizeUrl(String),
    #[error("the tenant showed an error page: AADSTS{aadsts}: {message}")]
    ErrorPage { aadsts: u32, message: String },
    #[error("sign-in refused: {0}")]
    SignInRefused(String),
    #[error("the sign-in did not finish")]
    Stuck,
}

/// Follows `authorize_url` as `upn` would in a browser with no session: signs in (with `password`, or the user's own),
/// approves MFA, answers the consent page with `consent`, and returns the redirect URL (a code, or an error such as
/// `access_denied` when consent is refused).
pub fn complete_authorization(
    tenant: &Tenant,
    authorize_url: &str,
    upn: &str,
    password: Option<&str>,
    consent: bool,
) -> Result<String, AutomationError> {
    let url = url::Url::parse(authorize_url)
        .map_err(|_| AutomationError::NotAnAuthorizeUrl(authorize_url.to_owned()))?;
    let segments: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
    let ["oauth2", "v2.0", "authorize"] = segments.get(1..).unwrap_or_default() else {
        return Err(AutomationError::NotAnAuthorizeUrl(url.path().to_owned()));
    };
    let segment = segments.first().copied().unwrap_or_default();
    let origin = url.origin().ascii_serialization();
    let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
    let password = match password {
        Some(p) => p.to_owned(),
        None => tenant
            .directory()
            .user_by_upn(upn)
            .map(|u| u.password.clone())
            .unwrap_or_default(),
    };
    let mut step = authorize::begin(tenant, &origin, segment, &params, None);
    // Sign-in, MFA and consent: at most a handful of pages.
    for _ in 0..6 {
        let fields: Vec<(&str, String)> = match &step {
            Step::Redirect(location) => return Ok(location.clone()),
            Step::ErrorPage { aadsts, message } => {
                return Err(AutomationError::ErrorPage {
                    aadsts: *aadsts,
                    message: message.clone(),
                });
            }
            Step::SignIn {
                error: Some(error), ..
            } => return Err(AutomationError::SignInRefused(error.clone())),
            Step::SignIn { txn, .. } => vec![
                ("step", "login".into()),
                ("txn", txn.clone()),
                ("username", upn.to_owned()),
                ("password", password.clone()),
            ],
            Step::Mfa { txn } => vec![
                ("step", "mfa".into()),
                ("txn", txn.clone()),
                ("decision", "accept".into()),
            ],
            Step::Consent { txn, .. } => vec![
                ("step", "consent".into()),
                ("txn", txn.clone()),
                ("decision", if consent { "accept" } else { "cancel" }.into()),
            ],
        };
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let form = Form::parse_bytes(body.as_bytes())
            .map_err(|e| AutomationError::SignInRefused(e.description))?;
        step = authorize::submit(tenant, &form).0;
    }
    Err(AutomationError::Stuck)
}
