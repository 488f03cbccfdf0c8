//! The authorization endpoint (RFC 6749 §4.1 with PKCE, RFC 7636) as Entra runs it: validate the client and redirect URI
//! (failures there show an error page and never redirect), then sign-in, MFA and consent pages, `prompt` and
//! `login_hint`, and finally a redirect with `code` and `state` — or with `error` and an AADSTS description.
//!
//! The flow is a small state machine ([`Step`]) shared by the HTML pages and the automation API, so tests that skip the
//! browser go through exactly the checks a user's browser does.

use std::collections::HashMap;

use axum::http::HeaderMap;

use crate::clock::entra_timestamp;
use crate::crypto::random_token;
use crate::directory::Audience;
use crate::http::Form;
use crate::oauth_error::OAuthError;
use crate::scopes::ScopeRequest;
use crate::store::{AuthorizeRequest, CodeGrant, PendingSignIn};
use crate::tenant::Tenant;

/// The browser session cookie.
pub const SESSION_COOKIE: &str = "gd_tenant_session";

/// How long a sign-in page stays usable.
const PENDING_LIFETIME: u64 = 15 * 60;

/// Where the flow is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A problem that must not be redirected (unknown client, unregistered redirect URI).
    ErrorPage { aadsts: u32, message: String },
    /// Back to the client's redirect URI, with a code or an error.
    Redirect(String),
    /// Ask for username and password.
    SignIn {
        txn: String,
        login_hint: Option<String>,
        error: Option<String>,
    },
    /// Ask the user to approve the second factor.
    Mfa { txn: String },
    /// Ask for consent to the app's scopes.
    Consent {
        txn: String,
        app: String,
        scopes: Vec<String>,
    },
}

/// The session id in the request's cookies.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Starts (or, with a signed-in session, finishes) an authorization request.
pub fn begin(
    tenant: &Tenant,
    origin: &str,
    segment: &str,
    params: &HashMap<String, String>,
    session_user: Option<&str>,
) -> Step {
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let Some(client_id) = get("client_id") else {
        return error_page(&OAuthError::missing("client_id"));
    };
    let directory = tenant.directory();
    let Some(app) = directory.app(client_id).cloned() else {
        return error_page(&OAuthError::new(
            "unauthorized_client",
            700_016,
            format!(
                "Application with identifier '{}' was not found in the directory.",
                truncate(client_id)
            ),
        ));
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page(&OAuthError::missing("redirect_uri"));
    };
    if !app.accepts_redirect(redirect_uri) {
        return error_page(&OAuthError::new(
            "invalid_request",
            50_011,
            format!(
                "The redirect URI '{}' specified in the request does not match the redirect URIs configured for the application '{}'.",
                truncate(redirect_uri),
                app.client_id
            ),
        ));
    }
    let Some(audience) = Audience::resolve(segment, &directory) else {
        return error_page(&crate::oidc::unknown_tenant(segment));
    };
    drop(directory);
    let state = get("state").map(str::to_owned);
    let refuse = |error: OAuthError| {
        Step::Redirect(error_redirect(
            tenant,
            redirect_uri,
            &error,
            state.as_deref(),
        ))
    };

    if get("response_type") != Some("code") {
        return refuse(OAuthError::new(
            "unsupported_response_type",
            700_054,
            "response_type must be 'code' for this application.",
        ));
    }
    if get("response_mode").is_some_and(|m| m != "query") {
        return refuse(OAuthError::new(
            "invalid_request",
            90_014,
            "Only response_mode=query is supported.",
        ));
    }
    let scopes = match ScopeRequest::parse(get("scope").unwrap_or_default(), &app) {
        Ok(scopes) => scopes,
        Err(error) => return refuse(error),
    };
    let challenge_ok = get("code_challenge").is_some_and(|c| (43..=128).contains(&c.len()))
        && get("code_challenge_method") == Some("S256");
    if !challenge_ok {
        return refuse(OAuthError::new(
            "invalid_request",
            9_002_325,
            "Proof Key for Code Exchange is required: send code_challenge (43-128 characters) with code_challenge_method=S256.",
        ));
    }
    let prompt = get("prompt").map(str::to_owned);
    if let Some(p) = &prompt
        && !["none", "login", "select_account", "consent"].contains(&p.as_str())
    {
        return refuse(OAuthError::new(
            "invalid_request",
            90_023,
            format!("Invalid prompt value '{}'.", truncate(p)),
        ));
    }
    let request = AuthorizeRequest {
        origin: origin.to_owned(),
        audience,
        client_id: app.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        scopes,
        state: state.clone(),
        nonce: get("nonce").map(str::to_owned),
        code_challenge: get("code_challenge").unwrap_or_default().to_owned(),
        prompt,
        login_hint: get("login_hint").map(str::to_owned),
        claims: get("claims").map(str::to_owned),
        client_info: crate::tenant::wants_client_info(get("client_info")),
    };
    // Single sign-on: a signed-in browser skips the sign-in page unless the app asks for a fresh one.
    let reuse_session = !matches!(request.prompt.as_deref(), Some("login" | "select_account"));
    let session_user = session_user.filter(|oid| {
        tenant.directory().user_by_oid(oid).is_some_and(|u| {
            request.audience.admits(u) && hint_matches(request.login_hint.as_deref(), &u.upn)
        })
    });
    if request.prompt.as_deref() == Some("none") {
        let Some(oid) = session_user else {
            return refuse(OAuthError::new(
                "login_required",
                50_058,
                "A silent sign-in request was sent but no user is signed in.",
            ));
        };
        if !tenant.has_consent(&request.client_id, oid, &request.scopes) {
            return refuse(OAuthError::new(
                "consent_required",
                65_001,
                "The user or administrator has not consented to use the application.",
            ));
        }
        return issue_code(tenant, request, oid);
    }
    let login_hint = request.login_hint.clone();
    let txn = remember(
        tenant,
        request,
        session_user.filter(|_| reuse_session).map(str::to_owned),
    );
    match session_user.filter(|_| reuse_session) {
        Some(_) => after_sign_in(tenant, &txn),
        None => Step::SignIn {
            txn,
            login_hint,
            error: None,
        },
    }
}

/// Handles a page's form: `step` is `login`, `mfa` or `consent`. Returns the next step and, after a successful sign-in,
/// the new session id to set as a cookie.
pub fn submit(tenant: &Tenant, form: &Form) -> (Step, Option<String>) {
    let now = tenant.clock.now();
    let txn = form.get("txn").unwrap_or_default().to_owned();
    let pending = tenant.store().pending.get(&txn).cloned();
    let Some(pending) = pending.filter(|p| now < p.created + PENDING_LIFETIME) else {
        return (
            Step::ErrorPage {
                aadsts: 50_132,
                message:
                    "This sign-in page has expired. Go back to the application and sign in again."
                        .to_owned(),
            },
            None,
        );
    };
    let request = &pending.request;
    let refuse = |error: OAuthError| {
        tenant.store().pending.remove(&txn);
        Step::Redirect(error_redirect(
            tenant,
            &request.redirect_uri,
            &error,
            request.state.as_deref(),
        ))
    };
    match (form.get("step"), form.get("decision")) {
        (Some("login"), _) => {
            let username = form.get("username").unwrap_or_default();
            let password = form.get("password").unwrap_or_default();
            let user = tenant.directory().user_by_upn(username).cloned();
            let app_allows_personal = tenant
                .directory()
                .app(&request.client_id)
                .is_some_and(|a| a.allow_personal_accounts);
            let Some(user) = user.filter(|u| {
                u.password == password
                    && request.audience.admits(u)
                    && (app_allows_personal || !u.personal)
            }) else {
                let step = Step::SignIn {
                    txn,
                    login_hint: Some(username.to_owned()),
                    error: Some("Your account or password is incorrect (AADSTS50126).".to_owned()),
                };
                return (step, None);
            };
            if let Some(p) = tenant.store().pending.get_mut(&txn) {
                p.user_oid = Some(user.object_id.clone());
            }
            if user.needs_mfa {
                return (Step::Mfa { txn }, None);
            }
            let session = start_session(tenant, &user.object_id);
            (after_sign_in(tenant, &txn), Some(session))
        }
        (Some("mfa"), Some("accept")) => match pending.user_oid {
            Some(oid) => {
                let session = start_session(tenant, &oid);
                (after_sign_in(tenant, &txn), Some(session))
            }
            None => (
                refuse(OAuthError::new(
                    "access_denied",
                    50_074,
                    "Strong authentication is required.",
                )),
                None,
            ),
        },
        (Some("mfa"), _) => (
            refuse(OAuthError::new(
                "access_denied",
                50_074,
                "Strong authentication is required.",
            )),
            None,
        ),
        (Some("consent"), Some("accept")) => match pending.user_oid {
            Some(oid) => {
                tenant
                    .store()
                    .consent(&request.client_id, &oid, &request.scopes.graph);
                tenant.store().pending.remove(&txn);
                (issue_code(tenant, pending.request.clone(), &oid), None)
            }
            None => (
                refuse(OAuthError::new(
                    "access_denied",
                    65_004,
                    "User declined to consent.",
                )),
                None,
            ),
        },
        (Some("consent"), _) => (
            refuse(OAuthError::new(
                "access_denied",
                65_004,
                "User declined to consent to access the app.",
            )),
            None,
        ),
        _ => (
            Step::ErrorPage {
                aadsts: 90_014,
                message: "The sign-in form is incomplete.".to_owned(),
            },
            None,
        ),
    }
}

/// After the user is known: consent if needed, else the code.
fn after_sign_in(tenant: &Tenant, txn: &str) -> Step {
    let Some(pending) = tenant.store().pending.get(txn).cloned() else {
        return Step::ErrorPage {
            aadsts: 50_132,
            message: "This sign-in page has expired.".to_owned(),
        };
    };
    let Some(oid) = pending.user_oid.clone() else {
        return Step::SignIn {
            txn: txn.to_owned(),
            login_hint: pending.request.login_hint.clone(),
            error: None,
        };
    };
    let request = &pending.request;
    let consented = tenant.has_consent(&request.client_id, &oid, &request.scopes);
    if !consented || request.prompt.as_deref() == Some("consent") {
        let app = tenant
            .directory()
            .app(&request.client_id)
            .map(|a| a.display_name.clone())
            .unwrap_or_default();
        return Step::Consent {
            txn: txn.to_owned(),
            app,
            scopes: request.scopes.graph.clone(),
        };
    }
    tenant.store().pending.remove(txn);
    issue_code(tenant, pending.request, &oid)
}

fn remember(tenant: &Tenant, request: AuthorizeRequest, user_oid: Option<String>) -> String {
    let txn = random_token(18);
    let created = tenant.clock.now();
    let mut store = tenant.store();
    store
        .pending
        .retain(|_, p| created < p.created + PENDING_LIFETIME);
    store.pending.insert(
        txn.clone(),
        PendingSignIn {
            request,
            user_oid,
            created,
        },
    );
    txn
}

fn start_session(tenant: &Tenant, oid: &str) -> String {
    let session = random_token(24);
    tenant
        .store()
        .sessions
        .insert(session.clone(), oid.to_owned());
    session
}

fn issue_code(tenant: &Tenant, request: AuthorizeRequest, oid: &str) -> Step {
    let code = format!("1.AQ{}", random_token(96));
    let mut params: Vec<(&str, String)> = vec![("code", code.clone())];
    if let Some(state) = &request.state {
        params.push(("state", state.clone()));
    }
    if request.client_info
        && let Some(user) = tenant.directory().user_by_oid(oid)
    {
        params.push(("client_info", crate::tenant::client_info(user)));
    }
    params.push(("session_state", uuid::Uuid::new_v4().to_string()));
    let redirect = with_query(&request.redirect_uri, &params);
    tenant.store().codes.insert(
        code,
        CodeGrant {
            request,
            user_oid: oid.to_owned(),
            issued: tenant.clock.now(),
        },
    );
    Step::Redirect(redirect)
}

/// The redirect Entra sends for a refused request: `error`, `error_description` (AADSTS), `error_uri`, `state`.
fn error_redirect(
    tenant: &Tenant,
    redirect_uri: &str,
    error: &OAuthError,
    state: Option<&str>,
) -> String {
    let body = error.body(tenant.clock.now(), &uuid::Uuid::new_v4().to_string());
    let text = |key: &str| body[key].as_str().unwrap_or_default().to_owned();
    let mut params = vec![
        ("error", error.error.to_owned()),
        ("error_description", text("error_description")),
        ("error_uri", text("error_uri")),
    ];
    if let Some(state) = state {
        params.push(("state", state.to_owned()));
    }
    with_query(redirect_uri, &params)
}

fn with_query(base: &str, params: &[(&str, String)]) -> String {
    match url::Url::parse(base) {
        Ok(mut url) => {
            url.query_pairs_mut()
                .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
            url.to_string()
        }
        Err(_) => base.to_owned(),
    }
}

fn error_page(error: &OAuthError) -> Step {
    Step::ErrorPage {
        aadsts: error.aadsts,
        message: error.description.clone(),
    }
}

fn hint_matches(hint: Option<&str>, upn: &str) -> bool {
    hint.is_none_or(|h| h.eq_ignore_ascii_case(upn))
}

fn truncate(text: &str) -> String {
    text.chars().take(200).collect()
}

/// When the error page was shown, for its footer.
pub fn error_footer(tenant: &Tenant) -> String {
    format!("Timestamp: {}", entra_timestamp(tenant.clock.now()))
}
