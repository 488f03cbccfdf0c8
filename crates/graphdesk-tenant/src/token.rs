//! The token endpoint: `authorization_code` (PKCE S256 required; codes single-use and short-lived), `refresh_token`
//! (rotating; revocation and inactivity expiry), the device-code grant (`authorization_pending`, `slow_down`, declined,
//! expired), and `password` (ROPC: MFA users get `interaction_required`, personal accounts are refused). Every refusal is
//! Entra-shaped, and injected OAuth faults (`invalid_grant` with a suberror, `interaction_required`) surface here.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::crypto::pkce_s256;
use crate::directory::{Audience, User};
use crate::faults::{FaultAction, FaultTarget};
use crate::http::{Form, Origin, correlation_id, with_note};
use crate::oauth_error::OAuthError;
use crate::scopes::ScopeRequest;
use crate::store::{DeviceStatus, LogNote};
use crate::tenant::{Grant, Tenant, wants_client_info};

/// `POST /{tenant}/oauth2/v2.0/token`
pub async fn token(
    State(tenant): State<Arc<Tenant>>,
    Extension(Origin(origin)): Extension<Origin>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let correlation = correlation_id(&headers);
    let form = Form::parse(&headers, body);
    let note = LogNote {
        grant_type: form
            .as_ref()
            .ok()
            .and_then(|f| f.get("grant_type"))
            .map(str::to_owned),
        client_id: form
            .as_ref()
            .ok()
            .and_then(|f| f.get("client_id"))
            .map(str::to_owned),
    };
    let result = form.and_then(|form| redeem(&tenant, &origin, &segment, &form));
    let response = match result {
        Ok(mut body) => {
            crate::faults::answer_with(&tenant, FaultTarget::Token, &mut body);
            let mut response = axum::Json(body).into_response();
            response.headers_mut().insert(
                "cache-control",
                axum::http::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(error) => error.response(tenant.clock.now(), &correlation),
    };
    with_note(response, note)
}

fn redeem(tenant: &Tenant, origin: &str, segment: &str, form: &Form) -> Result<Value, OAuthError> {
    let grant_type = form.require("grant_type")?;
    let client_id = form.require("client_id")?;
    let Some(audience) = Audience::resolve(segment, &tenant.directory()) else {
        return Err(crate::oidc::unknown_tenant(segment));
    };
    let Some(app) = tenant.directory().app(client_id).cloned() else {
        return Err(OAuthError::new(
            "unauthorized_client",
            700_016,
            format!(
                "Application with identifier '{}' was not found in the directory.",
                client_id.chars().take(64).collect::<String>()
            ),
        ));
    };
    if let Some(fault) = tenant.store().faults.take(FaultTarget::Token, |f| {
        matches!(
            f.action,
            FaultAction::InvalidGrant { .. } | FaultAction::InteractionRequired { .. }
        )
    }) {
        return Err(oauth_fault(fault));
    }
    match grant_type {
        "authorization_code" => authorization_code(tenant, origin, &app.client_id, form),
        "refresh_token" => refresh_token(tenant, origin, &audience, &app, form),
        // msal-node sends the short `device_code`, which Entra accepts beside RFC 8628's URN.
        "urn:ietf:params:oauth:grant-type:device_code" | "device_code" => {
            device_code(tenant, &app.client_id, form)
        }
        "password" => password(tenant, origin, &audience, &app, form),
        "urn:ietf:params:oauth:grant-type:saml1_1-bearer"
        | "urn:ietf:params:oauth:grant-type:saml2-bearer" => {
            saml_bearer(tenant, origin, &audience, &app, grant_type, form)
        }
        other => Err(OAuthError::new(
            "unsupported_grant_type",
            70_003,
            format!(
                "The app requested an unsupported grant type '{}'.",
                other.chars().take(64).collect::<String>()
            ),
        )),
    }
}

fn oauth_fault(action: FaultAction) -> OAuthError {
    match action {
        FaultAction::InvalidGrant { suberror, aadsts } => {
            let error = OAuthError::new(
                "invalid_grant",
                aadsts.unwrap_or(50_173),
                "The provided grant has expired due to it being revoked, a fresh auth token is needed.",
            );
            match suberror {
                Some(suberror) => error.with_suberror(suberror),
                None => error,
            }
        }
        FaultAction::InteractionRequired { aadsts, claims } => {
            let error = OAuthError::new(
                "interaction_required",
                aadsts.unwrap_or(50_079),
                "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication.",
            );
            match claims {
                Some(claims) => error.with_claims(claims),
                None => error,
            }
        }
        _ => OAuthError::new("server_error", 500_011, "Unexpected fault."),
    }
}

fn user(tenant: &Tenant, oid: &str) -> Result<User, OAuthError> {
    tenant.directory().user_by_oid(oid).cloned().ok_or_else(|| {
        OAuthError::new(
            "invalid_grant",
            50_034,
            "The user account does not exist in the directory.",
        )
    })
}

fn authorization_code(
    tenant: &Tenant,
    origin: &str,
    client_id: &str,
    form: &Form,
) -> Result<Value, OAuthError> {
    let code = form.require("code")?;
    let redirect_uri = form.require("redirect_uri")?;
    // Single use: the code is gone whether or not the rest of the request is right (RFC 6749 §4.1.2).
    let Some(grant) = tenant.store().codes.remove(code) else {
        return Err(OAuthError::new(
            "invalid_grant",
            54_005,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        ));
    };
    if tenant.clock.now() >= grant.issued + tenant.config.code_lifetime {
        return Err(OAuthError::new(
            "invalid_grant",
            70_008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        ));
    }
    if !grant.request.client_id.eq_ignore_ascii_case(client_id) {
        return Err(OAuthError::new(
            "invalid_grant",
            70_000,
            "The code was issued to another application.",
        ));
    }
    if grant.request.redirect_uri != redirect_uri {
        return Err(OAuthError::new(
            "invalid_grant",
            500_112,
            "The reply address does not match the reply address provided when requesting the authorization code.",
        ));
    }
    let verifier = form.require("code_verifier")?;
    if pkce_s256(verifier) != grant.request.code_challenge {
        return Err(OAuthError::new(
            "invalid_grant",
            501_481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        ));
    }
    let user = user(tenant, &grant.user_oid)?;
    Ok(tenant.token_response(&Grant {
        origin,
        client_id,
        user: &user,
        audience: &grant.request.audience,
        client_info: wants_client_info(form.get("client_info")),
        scopes: &grant.request.scopes,
        nonce: grant.request.nonce.as_deref(),
        claims: form.get("claims").or(grant.request.claims.as_deref()),
    }))
}

fn refresh_token(
    tenant: &Tenant,
    origin: &str,
    audience: &Audience,
    app: &crate::directory::AppRegistration,
    form: &Form,
) -> Result<Value, OAuthError> {
    let token = form.require("refresh_token")?;
    let scopes = ScopeRequest::parse(
        form.get("scope").unwrap_or("openid profile offline_access"),
        app,
    )?;
    let now = tenant.clock.now();
    let grant = tenant.store().refresh_tokens.get(token).cloned();
    let Some(grant) = grant else {
        return Err(OAuthError::new(
            "invalid_grant",
            9_002_313,
            "Invalid request. Request is malformed or invalid.",
        )
        .with_suberror("bad_token"));
    };
    if !grant.client_id.eq_ignore_ascii_case(&app.client_id) {
        return Err(OAuthError::new(
            "invalid_grant",
            70_000,
            "The refresh token was issued to another application.",
        ));
    }
    if tenant
        .store()
        .revoked_before
        .get(&grant.user_oid)
        .is_some_and(|t| grant.issued <= *t)
    {
        return Err(OAuthError::new(
            "invalid_grant",
            50_173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
        ));
    }
    if now >= grant.last_used + tenant.config.refresh_token_inactivity {
        return Err(OAuthError::new(
            "invalid_grant",
            700_082,
            "The refresh token has expired due to inactivity.",
        ));
    }
    let user = user(tenant, &grant.user_oid)?;
    if !audience.admits(&user) {
        return Err(OAuthError::new(
            "invalid_grant",
            50_020,
            "The user is not allowed through this authority.",
        ));
    }
    if !tenant.has_consent(&app.client_id, &user.object_id, &scopes) {
        return Err(OAuthError::new(
            "invalid_grant",
            65_001,
            "The user or administrator has not consented to use the application for the requested scopes.",
        )
        .with_suberror("consent_required"));
    }
    if let Some(entry) = tenant.store().refresh_tokens.get_mut(token) {
        entry.last_used = now;
    }
    // A refresh always yields a new refresh token (rotation); keep offline_access so the response carries it.
    let mut scopes = scopes;
    if !scopes.wants("offline_access") {
        scopes.oidc.push("offline_access".to_owned());
    }
    Ok(tenant.token_response(&Grant {
        origin,
        client_id: &app.client_id,
        user: &user,
        audience,
        client_info: wants_client_info(form.get("client_info")),
        scopes: &scopes,
        nonce: None,
        claims: form.get("claims"),
    }))
}

fn device_code(tenant: &Tenant, client_id: &str, form: &Form) -> Result<Value, OAuthError> {
    let device_code = form.require("device_code")?;
    let now = tenant.clock.now();
    let mut store = tenant.store();
    let Some(grant) = store.device_codes.get_mut(device_code) else {
        return Err(OAuthError::new(
            "bad_verification_code",
            70_000,
            "The device code is not valid.",
        ));
    };
    if !grant.client_id.eq_ignore_ascii_case(client_id) {
        return Err(OAuthError::new(
            "bad_verification_code",
            70_000,
            "The device code was issued to another application.",
        ));
    }
    if now >= grant.expires {
        return Err(OAuthError::new(
            "expired_token",
            70_020,
            "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
        ));
    }
    let too_fast = grant
        .last_poll
        .is_some_and(|last| now < last + grant.interval);
    grant.last_poll = Some(now);
    match grant.status.clone() {
        DeviceStatus::Pending if too_fast => {
            grant.interval += 5;
            Err(OAuthError::new(
                "slow_down",
                70_016,
                "The client is polling too quickly; increase the interval by 5 seconds.",
            ))
        }
        DeviceStatus::Pending => Err(OAuthError::new(
            "authorization_pending",
            70_016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )),
        DeviceStatus::Denied => Err(OAuthError::new(
            "authorization_declined",
            70_019,
            "The end user denied the authorization request.",
        )),
        DeviceStatus::Redeemed => Err(OAuthError::new(
            "bad_verification_code",
            70_000,
            "The device code was already redeemed.",
        )),
        DeviceStatus::Approved { user_oid } => {
            grant.status = DeviceStatus::Redeemed;
            let (origin, scopes, audience) = (
                grant.origin.clone(),
                grant.scopes.clone(),
                grant.audience.clone(),
            );
            drop(store);
            let user = user(tenant, &user_oid)?;
            Ok(tenant.token_response(&Grant {
                origin: &origin,
                client_id,
                user: &user,
                audience: &audience,
                client_info: wants_client_info(form.get("client_info")),
                scopes: &scopes,
                nonce: None,
                claims: form.get("claims"),
            }))
        }
    }
}

fn password(
    tenant: &Tenant,
    origin: &str,
    audience: &Audience,
    app: &crate::directory::AppRegistration,
    form: &Form,
) -> Result<Value, OAuthError> {
    let username = form.require("username")?;
    let password = form.require("password")?;
    let scopes = ScopeRequest::parse(form.require("scope")?, app)?;
    let user = tenant.directory().user_by_upn(username).cloned();
    let Some(user) = user.filter(|u| audience.admits(u)) else {
        return Err(OAuthError::new(
            "invalid_grant",
            50_034,
            "The user account does not exist in this directory.",
        ));
    };
    // A federated account's password lives at its federation server, which Entra does not ask: a direct attempt is
    // AADSTS50126, as for a wrong password (MSAL asks the federation server itself, through WS-Trust).
    if tenant.directory().federated_domain_of(&user.upn).is_some() {
        return Err(OAuthError::new(
            "invalid_grant",
            50_126,
            "Error validating credentials due to invalid username or password.",
        ));
    }
    if user.personal {
        return Err(OAuthError::new(
            "invalid_grant",
            9_002_331,
            "Personal Microsoft accounts do not support the resource owner password credentials grant; use an interactive sign-in.",
        ));
    }
    if user.password != password {
        return Err(OAuthError::new(
            "invalid_grant",
            50_126,
            "Error validating credentials due to invalid username or password.",
        ));
    }
    if user.needs_mfa {
        return Err(OAuthError::new(
            "interaction_required",
            50_076,
            "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access this resource.",
        )
        .with_suberror("basic_action"));
    }
    non_interactive_tokens(tenant, origin, audience, app, &user, &scopes, form)
}

/// The SAML bearer grants: an assertion from a federation server the tenant trusts (Integrated Windows Authentication).
fn saml_bearer(
    tenant: &Tenant,
    origin: &str,
    audience: &Audience,
    app: &crate::directory::AppRegistration,
    grant_type: &str,
    form: &Form,
) -> Result<Value, OAuthError> {
    let scopes = ScopeRequest::parse(form.require("scope")?, app)?;
    let user = crate::federation::redeem_assertion(tenant, grant_type, form.require("assertion")?)?;
    if !audience.admits(&user) {
        return Err(OAuthError::new(
            "invalid_grant",
            50_034,
            "The user account does not exist in this directory.",
        ));
    }
    non_interactive_tokens(tenant, origin, audience, app, &user, &scopes, form)
}

/// The tokens a grant without a browser ends in (password, SAML bearer): only for scopes the user already consented to
/// (AADSTS65001 otherwise: consent needs the interactive sign-in).
fn non_interactive_tokens(
    tenant: &Tenant,
    origin: &str,
    audience: &Audience,
    app: &crate::directory::AppRegistration,
    user: &User,
    scopes: &ScopeRequest,
    form: &Form,
) -> Result<Value, OAuthError> {
    if !tenant.has_consent(&app.client_id, &user.object_id, scopes) {
        return Err(OAuthError::new(
            "invalid_grant",
            65_001,
            "The user or administrator has not consented to use the application. Send an interactive authorization request for this user and resource.",
        )
        .with_suberror("consent_required"));
    }
    Ok(tenant.token_response(&Grant {
        origin,
        client_id: &app.client_id,
        user,
        audience,
        client_info: wants_client_info(form.get("client_info")),
        scopes,
        nonce: None,
        claims: form.get("claims"),
    }))
}
