//! The device authorization grant (RFC 8628): `POST …/devicecode` issues a user code, the `/devicelogin` page (or the
//! automation API) lets a user approve or deny it, and the token endpoint answers the polling client.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::json;

use crate::directory::Audience;
use crate::http::{Form, Origin, correlation_id, escape_html, page, with_note};
use crate::oauth_error::OAuthError;
use crate::scopes::ScopeRequest;
use crate::store::{DeviceGrant, DeviceStatus, LogNote};
use crate::tenant::Tenant;

/// User codes avoid look-alike characters, as Entra's do.
const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// `POST /{tenant}/oauth2/v2.0/devicecode`
pub async fn devicecode(
    State(tenant): State<Arc<Tenant>>,
    Extension(Origin(origin)): Extension<Origin>,
    Path(segment): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let correlation = correlation_id(&headers);
    let form = Form::parse(&headers, body);
    let note = LogNote {
        grant_type: Some("device_code_request".to_owned()),
        client_id: form
            .as_ref()
            .ok()
            .and_then(|f| f.get("client_id"))
            .map(str::to_owned),
    };
    let response = match form.and_then(|form| start(&tenant, &origin, &segment, &form)) {
        Ok(mut body) => {
            crate::faults::answer_with(&tenant, crate::faults::FaultTarget::DeviceCode, &mut body);
            axum::Json(body).into_response()
        }
        Err(error) => error.response(tenant.clock.now(), &correlation),
    };
    with_note(response, note)
}

fn start(
    tenant: &Tenant,
    origin: &str,
    segment: &str,
    form: &Form,
) -> Result<serde_json::Value, OAuthError> {
    let client_id = form.require("client_id")?;
    let Some(audience) = Audience::resolve(segment, &tenant.directory()) else {
        return Err(crate::oidc::unknown_tenant(segment));
    };
    let Some(app) = tenant.directory().app(client_id).cloned() else {
        return Err(OAuthError::new(
            "unauthorized_client",
            700_016,
            "Application was not found in the directory.",
        ));
    };
    let scopes = ScopeRequest::parse(form.require("scope")?, &app)?;
    let user_code: String = {
        let mut rng = rand::thread_rng();
        (0..9)
            .map(|_| char::from(USER_CODE_ALPHABET[rng.gen_range(0..USER_CODE_ALPHABET.len())]))
            .collect()
    };
    let device_code = format!("DAQABAAEAAAD{}", crate::crypto::random_token(96));
    let now = tenant.clock.now();
    let (lifetime, interval) = (
        tenant.config.device_code_lifetime,
        tenant.config.device_code_interval,
    );
    let verification_uri = format!("{origin}/devicelogin");
    let mut guard = tenant.store();
    let store = &mut *guard;
    store.device_codes.retain(|_, g| now < g.expires);
    let (device_codes, user_codes) = (&store.device_codes, &mut store.user_codes);
    user_codes.retain(|_, d| device_codes.contains_key(d));
    store
        .user_codes
        .insert(user_code.clone(), device_code.clone());
    store.device_codes.insert(
        device_code.clone(),
        DeviceGrant {
            origin: origin.to_owned(),
            audience,
            client_id: app.client_id.clone(),
            scopes,
            user_code: user_code.clone(),
            expires: now + lifetime,
            interval,
            last_poll: None,
            status: DeviceStatus::Pending,
        },
    );
    Ok(json!({
        "user_code": user_code,
        "device_code": device_code,
        "verification_uri": verification_uri,
        "expires_in": lifetime,
        "interval": interval,
        "message": format!(
            "To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."
        ),
    }))
}

/// Why a device code could not be approved or denied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error("that code is not valid or has expired")]
    UnknownCode,
    #[error("the username or password is incorrect")]
    BadCredentials,
    #[error("this account cannot sign in here")]
    NotAdmitted,
}

/// Approves (`approve = true`) or denies the device code `user_code` as `upn`. With `password = None` the stored password
/// is assumed (automation); the page always passes what the user typed.
pub fn decide(
    tenant: &Tenant,
    user_code: &str,
    upn: &str,
    password: Option<&str>,
    approve: bool,
) -> Result<(), DeviceError> {
    let user_code = user_code.trim().to_ascii_uppercase().replace('-', "");
    let user = tenant
        .directory()
        .user_by_upn(upn)
        .cloned()
        .ok_or(DeviceError::BadCredentials)?;
    if password.is_some_and(|p| p != user.password) {
        return Err(DeviceError::BadCredentials);
    }
    let now = tenant.clock.now();
    let mut store = tenant.store();
    let device_code = store
        .user_codes
        .get(&user_code)
        .cloned()
        .ok_or(DeviceError::UnknownCode)?;
    let grant = store
        .device_codes
        .get_mut(&device_code)
        .filter(|g| now < g.expires && g.status == DeviceStatus::Pending)
        .ok_or(DeviceError::UnknownCode)?;
    if !grant.audience.admits(&user) {
        return Err(DeviceError::NotAdmitted);
    }
    grant.status = if approve {
        DeviceStatus::Approved {
            user_oid: user.object_id.clone(),
        }
    } else {
        DeviceStatus::Denied
    };
    let (client_id, scopes) = (grant.client_id.clone(), grant.scopes.graph.clone());
    if approve {
        // Approving on the device page includes consent to what the app asked for.
        store.consent(&client_id, &user.object_id, &scopes);
    }
    Ok(())
}

/// `GET /devicelogin`
pub async fn devicelogin_page() -> Response {
    page("Enter code", &device_form(None))
}

/// `POST /devicelogin`
pub async fn devicelogin_submit(
    State(tenant): State<Arc<Tenant>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let form = match Form::parse(&headers, body) {
        Ok(form) => form,
        Err(error) => {
            return (
                StatusCode::BAD_REQUEST,
                page("Enter code", &device_form(Some(&error.description))),
            )
                .into_response();
        }
    };
    let approve = form.get("decision") != Some("deny");
    match decide(
        &tenant,
        form.get("user_code").unwrap_or_default(),
        form.get("username").unwrap_or_default(),
        Some(form.get("password").unwrap_or_default()),
        approve,
    ) {
        Ok(()) if approve => page(
            "You're signed in",
            "<p>You have signed in to the application on your device. You may now close this window.</p>",
        ),
        Ok(()) => page(
            "Sign-in denied",
            "<p>The application on your device was not signed in.</p>",
        ),
        Err(error) => (
            StatusCode::BAD_REQUEST,
            page("Enter code", &device_form(Some(&error.to_string()))),
        )
            .into_response(),
    }
}

fn device_form(error: Option<&str>) -> String {
    format!(
        "{}<form method=\"post\" action=\"/devicelogin\">\
         <label for=\"user_code\">Code</label><input type=\"text\" id=\"user_code\" name=\"user_code\" autofocus>\
         <label for=\"username\">Email or username</label><input type=\"text\" id=\"username\" name=\"username\">\
         <label for=\"password\">Password</label><input type=\"password\" id=\"password\" name=\"password\">\
         <button name=\"decision\" value=\"approve\">Sign in</button>\
         <button name=\"decision\" value=\"deny\">Deny</button></form>",
        error
            .map(|e| format!("<p class=\"err\">{}</p>", escape_html(e)))
            .unwrap_or_default()
    )
}
