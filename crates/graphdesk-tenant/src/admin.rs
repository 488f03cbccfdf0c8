//! The admin API (`/_admin/…`) through which tests in other processes — MSAL Python, msal-node, the app's end-to-end
//! tests — control the running tenant: CA certificate, faults, clock, revocation, the request log, and browserless
//! sign-in and device-code approval. The tenant listens on loopback only.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::automation::complete_authorization;
use crate::faults::Fault;
use crate::tenant::Tenant;

/// `GET /_admin/requests`
pub async fn requests(State(tenant): State<Arc<Tenant>>) -> Response {
    Json(tenant.store().log.clone()).into_response()
}

/// `DELETE /_admin/requests`
pub async fn clear_requests(State(tenant): State<Arc<Tenant>>) -> StatusCode {
    tenant.store().log.clear();
    StatusCode::NO_CONTENT
}

/// `POST /_admin/faults` with a [`Fault`]
pub async fn add_fault(State(tenant): State<Arc<Tenant>>, Json(fault): Json<Fault>) -> StatusCode {
    let now = tenant.clock.now();
    tenant.store().faults.add(fault, now);
    StatusCode::NO_CONTENT
}

/// `GET /_admin/faults`
pub async fn list_faults(State(tenant): State<Arc<Tenant>>) -> Response {
    Json(tenant.store().faults.list().to_vec()).into_response()
}

/// `DELETE /_admin/faults`
pub async fn clear_faults(State(tenant): State<Arc<Tenant>>) -> StatusCode {
    tenant.store().faults.clear();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
pub struct AdvanceClock {
    pub seconds: i64,
}

/// `POST /_admin/clock` `{"seconds": n}`: moves the tenant's time forward.
pub async fn advance_clock(
    State(tenant): State<Arc<Tenant>>,
    Json(body): Json<AdvanceClock>,
) -> Response {
    tenant.clock.advance(body.seconds);
    Json(json!({"now": tenant.clock.now()})).into_response()
}

#[derive(Debug, Deserialize)]
pub struct Revoke {
    pub upn: String,
}

/// `POST /_admin/revoke` `{"upn": …}`: revokes every refresh token the user holds (as a password reset does).
pub async fn revoke(State(tenant): State<Arc<Tenant>>, Json(body): Json<Revoke>) -> Response {
    match crate::server::revoke(&tenant, &body.upn) {
        true => StatusCode::NO_CONTENT.into_response(),
        false => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such user"})),
        )
            .into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct Authorize {
    pub url: String,
    pub upn: String,
    pub password: Option<String>,
    #[serde(default = "yes")]
    pub consent: bool,
}

fn yes() -> bool {
    true
}

/// `POST /_admin/authorize` `{"url", "upn", "password"?, "consent"?}` → `{"redirect_url"}`
pub async fn authorize(State(tenant): State<Arc<Tenant>>, Json(body): Json<Authorize>) -> Response {
    match complete_authorization(
        &tenant,
        &body.url,
        &body.upn,
        body.password.as_deref(),
        body.consent,
    ) {
        Ok(redirect) => Json(json!({"redirect_url": redirect})).into_response(),
        Err(error) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": error.to_string()})),
        )
            .into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct Device {
    pub user_code: String,
    pub upn: String,
    #[serde(default = "yes")]
    pub approve: bool,
}

/// `POST /_admin/device` `{"user_code", "upn", "approve"?}`
pub async fn device(State(tenant): State<Arc<Tenant>>, Json(body): Json<Device>) -> Response {
    match crate::device::decide(&tenant, &body.user_code, &body.upn, None, body.approve) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": error.to_string()})),
        )
            .into_response(),
    }
}
