//! The Web Account Manager (WAM) broker's requests and answers as plain data, and their mapping onto GraphDesk's types:
//! what goes into a `WebTokenRequest` (scopes, client id, prompt, `authority`, `wam_compat`, `claims`, `LoginHint`),
//! and how a `WebTokenRequestResult` (status, `WebTokenResponse` properties, `WebProviderError`) becomes a token or a
//! typed error. The WinRT calls that fill these structs live in the `#[cfg(windows)]` module beside this one; everything
//! here is tested on any platform.
//!
//! We follow MSAL .NET's WAM AAD plugin (its pre-runtime `WamBroker`, the one open-source mapping of WAM's answers):
//! `wam_compat=2.0` asks the AAD plugin for MSAL-shaped properties (`wamcompat_id_token`, `wamcompat_client_info`,
//! `wamcompat_scopes`); `TokenExpiresOn` counts seconds since 1601; `AccountSwitch` is a success; an answer without an
//! `Authority` is refused; provider errors are sorted by their HRESULT facility.

use crate::cache::account::{Account, TenantProfile};
use crate::error::{CoreError, UiRequired, UiRequiredReason};
use crate::id_token;
use crate::protocol::ClientInfo;
use crate::scopes::request_scope;
use crate::secret::{AccessToken, IdToken};

/// The account provider WAM uses for Entra (work and school) accounts.
pub const AAD_PROVIDER_ID: &str = "https://login.microsoft.com";

/// Seconds from 1601-01-01 (Windows' epoch) to 1970-01-01.
const SECONDS_1601_TO_1970: u64 = 11_644_473_600;

/// The redirect URI WAM signs in with: the app registration must list it (Authentication → Mobile and desktop
/// applications), or Entra refuses with AADSTS50011.
pub fn broker_redirect_uri(client_id: &str) -> String {
    format!("ms-appx-web://Microsoft.AAD.BrokerPlugin/{client_id}")
}

/// Whether WAM should show its account prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WamPrompt {
    /// Only if it must.
    Default,
    /// Always (`WebTokenRequestPromptType::ForceAuthentication`): a login hint, or the user asked to pick an account.
    ForceAuthentication,
}

/// A `WebTokenRequest`, as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WamRequest {
    pub provider_id: &'static str,
    /// The authority the provider is looked up with (`FindAccountProviderAsync(provider, authority)`).
    pub authority: String,
    pub client_id: String,
    /// Space-separated, with the OpenID scopes (so the answer carries an ID token and client info).
    pub scope: String,
    pub prompt: WamPrompt,
    /// `WebTokenRequest.Properties`.
    pub properties: Vec<(String, String)>,
}

impl WamRequest {
    /// The request for `scopes`. Interactive requests with a login hint force the prompt and carry the hint, as MSAL
    /// .NET does; silent ones never prompt.
    pub fn new(
        authority: &str,
        client_id: &str,
        scopes: &[String],
        claims: Option<&str>,
        interactive: Option<Option<&str>>,
    ) -> Self {
        let mut properties = vec![
            ("authority".to_owned(), authority.to_owned()),
            ("wam_compat".to_owned(), "2.0".to_owned()),
        ];
        if let Some(claims) = claims.filter(|c| !c.is_empty()) {
            properties.push(("claims".to_owned(), claims.to_owned()));
        }
        let login_hint = interactive.flatten().filter(|h| !h.trim().is_empty());
        if let Some(hint) = login_hint {
            properties.push(("LoginHint".to_owned(), hint.trim().to_owned()));
        }
        Self {
            provider_id: AAD_PROVIDER_ID,
            authority: authority.to_owned(),
            client_id: client_id.to_owned(),
            scope: request_scope(scopes),
            prompt: if login_hint.is_some() {
                WamPrompt::ForceAuthentication
            } else {
                WamPrompt::Default
            },
            properties,
        }
    }
}

/// `WebTokenRequestStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WamStatus {
    Success,
    UserCancel,
    AccountSwitch,
    UserInteractionRequired,
    AccountProviderNotAvailable,
    ProviderError,
}

impl WamStatus {
    /// From the WinRT enum's value; an unknown value is a provider error.
    pub fn from_raw(value: i32) -> Self {
        match value {
            0 => Self::Success,
            1 => Self::UserCancel,
            2 => Self::AccountSwitch,
            3 => Self::UserInteractionRequired,
            4 => Self::AccountProviderNotAvailable,
            _ => Self::ProviderError,
        }
    }
}

/// A `WebTokenRequestResult`, as data.
#[derive(Debug, Clone)]
pub struct WamOutcome {
    pub status: WamStatus,
    /// The first `WebTokenResponse`: its token, its web account's id, its properties.
    pub response: Option<WamResponse>,
    /// `ResponseError`: `ErrorCode` (an HRESULT) and `ErrorMessage`.
    pub error: Option<(u32, String)>,
}

/// A `WebTokenResponse`, as data.
#[derive(Clone)]
pub struct WamResponse {
    pub token: AccessToken,
    pub web_account_id: Option<String>,
    pub properties: Vec<(String, String)>,
}

impl std::fmt::Debug for WamResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Properties hold an ID token and client info: only their names.
        let names: Vec<&str> = self.properties.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("WamResponse")
            .field("web_account_id", &self.web_account_id)
            .field("properties", &names)
            .finish_non_exhaustive()
    }
}

impl WamResponse {
    fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// A token WAM gave, with the account it is for.
#[derive(Debug, Clone)]
pub struct WamToken {
    pub access_token: AccessToken,
    pub expires_on: u64,
    pub scopes: String,
    pub account: Account,
    pub id_token: Option<IdToken>,
    /// WAM's own id of the account (`WebAccount.Id`), for the next silent request.
    pub web_account_id: Option<String>,
}

/// `TokenExpiresOn`: decimal seconds since 1601. Anything else (or a time before 1970) is `None`.
pub fn expires_on_from_windows(text: &str) -> Option<u64> {
    text.trim()
        .parse::<u64>()
        .ok()
        .and_then(|s| s.checked_sub(SECONDS_1601_TO_1970))
        .filter(|&unix| unix > 0)
}

/// One of WAM's web accounts as an account: its home account id from the `OID` and `TenantId` properties (MSAL .NET's
/// `GetHomeAccountIdOrNull`), its environment from `Authority`. `None` without them (WAM's other providers' accounts).
pub fn account_from_web_account(
    username: &str,
    properties: &[(String, String)],
    environment: &str,
) -> Option<Account> {
    let property = |name: &str| {
        properties
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let (oid, tenant_id) = (property("OID")?, property("TenantId")?);
    let environment = property("Authority")
        .and_then(|a| url::Url::parse(&a).ok()?.host_str().map(str::to_owned))
        .unwrap_or_else(|| environment.to_owned());
    Some(Account {
        home_account_id: format!("{oid}.{tenant_id}"),
        environment,
        realm: tenant_id.clone(),
        username: username.to_owned(),
        name: None,
        local_account_id: oid.clone(),
        tenant_profiles: vec![TenantProfile {
            tenant_id,
            local_account_id: oid,
            name: None,
            is_home_tenant: true,
        }],
    })
}

/// The outcome as a token or a typed error. `environment` is the authority's host (the account's environment).
pub fn map_outcome(
    outcome: WamOutcome,
    requested: &[String],
    environment: &str,
) -> Result<WamToken, CoreError> {
    let (code, message) = outcome.error.clone().unwrap_or_default();
    let described = |text: &str| {
        let message = crate::text::displayable(&message);
        if message.is_empty() {
            text.to_owned()
        } else {
            format!("{text} ({message})")
        }
    };
    match outcome.status {
        WamStatus::Success | WamStatus::AccountSwitch => {}
        WamStatus::UserCancel => return Err(CoreError::Cancelled),
        WamStatus::UserInteractionRequired => {
            let mut ui = UiRequired::local(UiRequiredReason::InteractionRequired);
            ui.error = Some("interaction_required".into());
            ui.description = Some(described("Windows needs you to sign in to this account"));
            return Err(CoreError::ui_required(ui));
        }
        WamStatus::AccountProviderNotAvailable => {
            return Err(CoreError::Unsupported {
                what: "the Web Account Manager's work or school account provider".into(),
            });
        }
        WamStatus::ProviderError => return Err(provider_error(code, &described)),
    }
    let response = outcome.response.ok_or_else(|| CoreError::Protocol {
        detail: "the Windows broker reported success without a token".into(),
    })?;
    let authority = response
        .property("Authority")
        .ok_or_else(|| CoreError::Protocol {
            detail: "the Windows broker's answer names no authority".into(),
        })?;
    let expires_on = response
        .property("TokenExpiresOn")
        .and_then(expires_on_from_windows)
        .unwrap_or(0); // None: treat as expired, as MSAL .NET does.
    let id_token = response.property("wamcompat_id_token").map(IdToken::new);
    let claims = id_token.as_ref().and_then(|t| id_token::decode(t).ok());
    let client_info = response
        .property("wamcompat_client_info")
        .and_then(ClientInfo::decode);
    let oid = response
        .property("OID")
        .map(str::to_owned)
        .or_else(|| claims.as_ref().and_then(|c| c.oid.clone()));
    let tenant_id = response
        .property("TenantId")
        .map(str::to_owned)
        .or_else(|| claims.as_ref().and_then(|c| c.tid.clone()));
    let home_account_id = match (&client_info, &oid, &tenant_id) {
        (Some(info), _, _) => info.home_account_id(),
        (None, Some(oid), Some(tid)) => format!("{oid}.{tid}"),
        _ => {
            return Err(CoreError::Protocol {
                detail: "the Windows broker's answer names no account (no client info, no OID and tenant)".into(),
            });
        }
    };
    let username = response
        .property("UPN")
        .map(str::to_owned)
        .or_else(|| claims.as_ref().and_then(|c| c.preferred_username.clone()))
        .unwrap_or_default();
    let realm = tenant_id
        .clone()
        .or_else(|| crate::cache::account::home_tenant(&home_account_id).map(str::to_owned))
        .unwrap_or_default();
    let local_account_id = oid.unwrap_or_default();
    let name = claims.as_ref().and_then(|c| c.name.clone());
    let environment = url::Url::parse(authority)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| environment.to_owned());
    let is_home = crate::cache::account::home_tenant(&home_account_id) == Some(realm.as_str());
    Ok(WamToken {
        access_token: response.token.clone(),
        expires_on,
        scopes: response
            .property("wamcompat_scopes")
            .map_or_else(|| request_scope(requested), str::to_owned),
        account: Account {
            home_account_id,
            environment,
            realm: realm.clone(),
            username,
            name: name.clone(),
            local_account_id: local_account_id.clone(),
            tenant_profiles: vec![TenantProfile {
                tenant_id: realm,
                local_account_id,
                name,
                is_home_tenant: is_home,
            }],
        },
        id_token,
        web_account_id: response.web_account_id.clone(),
    })
}

/// `ProviderError`, by the HRESULT's facility, as MSAL .NET sorts them.
fn provider_error(code: u32, described: &dyn Fn(&str) -> String) -> CoreError {
    const SERVER_TEMPORARILY_UNAVAILABLE: u32 = 0xcaa2_0005;
    let facility = (code >> 16) & 0x1fff;
    match (code, facility) {
        (SERVER_TEMPORARILY_UNAVAILABLE, _) => CoreError::Network {
            detail: described(
                "the identity platform is temporarily unavailable to the Windows broker",
            ),
        },
        // FACILITY_ADAL_HTTP, _URLMON, _INTERNET in the AAD plugin.
        (_, 0xaa3 | 0xaa7 | 0xaa8) => CoreError::Network {
            detail: described("the Windows broker could not reach the identity platform"),
        },
        // FACILITY_ADAL_DEVELOPER: the request broke the plugin's contract.
        (_, 0xaa1) => CoreError::Protocol {
            detail: described(&format!(
                "the Windows broker refused the request (0x{code:08x})"
            )),
        },
        _ => CoreError::SignInRefused {
            error: format!("WAM error 0x{code:08x}"),
            description: Some(described(
                "the Windows broker could not sign in; check that the app registration lists the broker redirect URI",
            )),
            aadsts: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn b64url(json: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }

    fn response(properties: &[(&str, &str)]) -> WamResponse {
        WamResponse {
            token: AccessToken::new("at"),
            web_account_id: Some("wam-account-1".into()),
            properties: properties
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    fn success(properties: &[(&str, &str)]) -> WamOutcome {
        WamOutcome {
            status: WamStatus::Success,
            response: Some(response(properties)),
            error: None,
        }
    }

    #[test]
    fn requests_carry_msal_dotnets_properties_and_prompt() {
        let scopes = vec!["User.Read".to_owned()];
        let silent = WamRequest::new(
            "https://login.microsoftonline.com/organizations",
            "cid",
            &scopes,
            None,
            None,
        );
        assert_eq!(silent.scope, "User.Read openid profile offline_access");
        assert_eq!(silent.prompt, WamPrompt::Default);
        assert_eq!(
            silent.properties,
            [
                (
                    "authority".to_owned(),
                    "https://login.microsoftonline.com/organizations".to_owned()
                ),
                ("wam_compat".to_owned(), "2.0".to_owned())
            ]
        );
        let hinted = WamRequest::new(
            "a",
            "cid",
            &scopes,
            Some(r#"{"access_token":{}}"#),
            Some(Some(" ann@contoso.com ")),
        );
        assert_eq!(hinted.prompt, WamPrompt::ForceAuthentication);
        assert!(
            hinted
                .properties
                .contains(&("LoginHint".into(), "ann@contoso.com".into()))
        );
        assert!(hinted.properties.iter().any(|(k, _)| k == "claims"));
        let picker = WamRequest::new("a", "cid", &scopes, None, Some(None));
        assert_eq!(picker.prompt, WamPrompt::Default);
        assert_eq!(
            broker_redirect_uri("cid"),
            "ms-appx-web://Microsoft.AAD.BrokerPlugin/cid"
        );
    }

    #[test]
    fn token_expires_on_counts_seconds_since_1601() {
        assert_eq!(
            expires_on_from_windows("13412345678"),
            Some(13_412_345_678 - 11_644_473_600)
        );
        assert_eq!(
            expires_on_from_windows("1700000000"),
            None,
            "Unix seconds are too small"
        );
        assert_eq!(expires_on_from_windows("2026-12-06T04:00:00Z"), None);
        assert_eq!(expires_on_from_windows(""), None);
    }

    #[test]
    fn a_success_becomes_a_token_for_the_account_client_info_names() {
        let client_info = b64url(r#"{"uid":"oid-1","utid":"tid-1"}"#);
        let id_token = format!(
            "{}.{}.sig",
            b64url(r#"{"alg":"RS256"}"#),
            b64url(
                r#"{"aud":"cid","iss":"https://login.microsoftonline.com/tid-1/v2.0","exp":1,"tid":"tid-1","oid":"oid-1","sub":"s","preferred_username":"ann@contoso.com","name":"Ann"}"#
            )
        );
        let token = map_outcome(
            success(&[
                ("Authority", "https://login.microsoftonline.com/tid-1"),
                ("TokenExpiresOn", "13412345678"),
                ("wamcompat_client_info", &client_info),
                ("wamcompat_id_token", &id_token),
                ("wamcompat_scopes", "User.Read openid profile"),
                ("UPN", "ann@contoso.com"),
            ]),
            &["User.Read".into()],
            "login.microsoftonline.com",
        )
        .expect("a token");
        assert_eq!(token.account.home_account_id, "oid-1.tid-1");
        assert_eq!(token.account.username, "ann@contoso.com");
        assert_eq!(token.account.name.as_deref(), Some("Ann"));
        assert_eq!(token.account.realm, "tid-1");
        assert!(token.account.tenant_profiles[0].is_home_tenant);
        assert_eq!(token.expires_on, 13_412_345_678 - 11_644_473_600);
        assert_eq!(token.scopes, "User.Read openid profile");
        assert_eq!(token.web_account_id.as_deref(), Some("wam-account-1"));
        // Without client info, OID and TenantId name the account; AccountSwitch is a success too.
        let mut switched = success(&[
            ("Authority", "https://login.microsoftonline.com/common"),
            ("OID", "o"),
            ("TenantId", "t"),
        ]);
        switched.status = WamStatus::AccountSwitch;
        let token = map_outcome(switched, &["User.Read".into()], "login.microsoftonline.com")
            .expect("a token");
        assert_eq!(token.account.home_account_id, "o.t");
        assert_eq!(token.expires_on, 0, "no TokenExpiresOn: treated as expired");
        assert_eq!(token.scopes, "User.Read openid profile offline_access");
    }

    #[test]
    fn answers_without_authority_or_account_are_protocol_errors() {
        let no_authority = map_outcome(success(&[("OID", "o"), ("TenantId", "t")]), &[], "h");
        assert!(matches!(no_authority, Err(CoreError::Protocol { .. })));
        let nobody = map_outcome(success(&[("Authority", "https://h/t")]), &[], "h");
        assert!(matches!(nobody, Err(CoreError::Protocol { .. })));
        let empty = WamOutcome {
            status: WamStatus::Success,
            response: None,
            error: None,
        };
        assert!(matches!(
            map_outcome(empty, &[], "h"),
            Err(CoreError::Protocol { .. })
        ));
    }

    #[test]
    fn statuses_and_provider_errors_map_to_typed_errors() {
        let failed = |status: WamStatus, code: u32| {
            map_outcome(
                WamOutcome {
                    status,
                    response: None,
                    error: Some((code, "the plugin's words".into())),
                },
                &[],
                "h",
            )
            .expect_err("an error")
        };
        assert!(matches!(
            failed(WamStatus::UserCancel, 0),
            CoreError::Cancelled
        ));
        match failed(WamStatus::UserInteractionRequired, 0xcaa2_000c) {
            CoreError::UiRequired(ui) => {
                assert_eq!(ui.reason, UiRequiredReason::InteractionRequired);
                assert!(
                    ui.description
                        .as_deref()
                        .is_some_and(|d| d.contains("the plugin's words"))
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            failed(WamStatus::AccountProviderNotAvailable, 0),
            CoreError::Unsupported { .. }
        ));
        assert!(matches!(
            failed(WamStatus::ProviderError, 0xcaa2_0005),
            CoreError::Network { .. }
        ));
        assert!(matches!(
            failed(WamStatus::ProviderError, 0xcaa3_0194),
            CoreError::Network { .. }
        ));
        assert!(matches!(
            failed(WamStatus::ProviderError, 0xcaa8_0001),
            CoreError::Network { .. }
        ));
        assert!(matches!(
            failed(WamStatus::ProviderError, 0xcaa1_0001),
            CoreError::Protocol { .. }
        ));
        match failed(WamStatus::ProviderError, 0x8007_0005) {
            CoreError::SignInRefused {
                error, description, ..
            } => {
                assert_eq!(error, "WAM error 0x80070005");
                assert!(description.is_some_and(|d| d.contains("redirect URI")));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(WamStatus::from_raw(3), WamStatus::UserInteractionRequired);
        assert_eq!(WamStatus::from_raw(42), WamStatus::ProviderError);
    }

    #[test]
    fn web_accounts_become_accounts_when_they_name_oid_and_tenant() {
        let properties = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let account = account_from_web_account(
            "ann@contoso.com",
            &properties(&[
                ("OID", "o"),
                ("TenantId", "t"),
                ("Authority", "https://login.microsoftonline.com/t"),
            ]),
            "fallback",
        )
        .expect("an account");
        assert_eq!(
            (
                account.home_account_id.as_str(),
                account.environment.as_str()
            ),
            ("o.t", "login.microsoftonline.com")
        );
        assert_eq!(account.username, "ann@contoso.com");
        assert!(account_from_web_account("x", &properties(&[("OID", "o")]), "h").is_none());
    }

    #[test]
    fn debug_never_shows_the_token_or_the_properties_values() {
        let shown = format!("{:?}", response(&[("wamcompat_id_token", "eyJsecret")]));
        assert!(
            !shown.contains("eyJsecret") && !shown.contains("\"at\""),
            "{shown}"
        );
    }
}
