//! Entra-shaped OAuth errors: `error`, `error_description` starting `AADSTSnnnnn:`, `error_codes`, `timestamp`,
//! `trace_id`, `correlation_id`, and `suberror` / `claims` when they apply. Every refusal of the identity endpoints goes
//! through here, so clients see exactly the fields MSAL parses.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::clock::entra_timestamp;

/// An OAuth error as the token, device-code and authorize endpoints return it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub aadsts: u32,
    pub description: String,
    pub suberror: Option<String>,
    pub claims: Option<String>,
}

impl OAuthError {
    /// A 400 with `error` and an `AADSTS{aadsts}` description.
    pub fn new(error: &'static str, aadsts: u32, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            aadsts,
            description: description.into(),
            suberror: None,
            claims: None,
        }
    }

    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    pub fn with_suberror(mut self, suberror: impl Into<String>) -> Self {
        self.suberror = Some(suberror.into());
        self
    }

    pub fn with_claims(mut self, claims: impl Into<String>) -> Self {
        self.claims = Some(claims.into());
        self
    }

    /// `invalid_request` for a missing parameter (AADSTS900144).
    pub fn missing(parameter: &str) -> Self {
        Self::new(
            "invalid_request",
            900_144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    /// `invalid_request` for a malformed request (AADSTS90014 family).
    pub fn malformed(detail: impl std::fmt::Display) -> Self {
        Self::new(
            "invalid_request",
            90_014,
            format!("The request is malformed: {detail}."),
        )
    }

    /// The JSON body, stamped with time and ids.
    pub fn body(&self, now: u64, correlation_id: &str) -> serde_json::Value {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let timestamp = entra_timestamp(now);
        let mut body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
                self.aadsts, self.description
            ),
            "error_codes": [self.aadsts],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.aadsts),
        });
        if let Some(suberror) = &self.suberror {
            body["suberror"] = json!(suberror);
        }
        if let Some(claims) = &self.claims {
            body["claims"] = json!(claims);
        }
        body
    }

    /// The HTTP response.
    pub fn response(&self, now: u64, correlation_id: &str) -> Response {
        let mut response =
            (self.status, axum::Json(self.body(now, correlation_id))).into_response();
        response.headers_mut().insert(
            "cache-control",
            axum::http::HeaderValue::from_static("no-store"),
        );
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_every_field_msal_reads() {
        let error = OAuthError::new("invalid_grant", 50_126, "Error validating credentials.")
            .with_suberror("bad_token");
        let body = error.body(0, "corr-1");
        assert_eq!(body["error"], "invalid_grant");
        assert!(
            body["error_description"]
                .as_str()
                .is_some_and(|d| d.starts_with("AADSTS50126: Error"))
        );
        assert_eq!(body["error_codes"][0], 50_126);
        assert_eq!(body["timestamp"], "1970-01-01 00:00:00Z");
        assert_eq!(body["correlation_id"], "corr-1");
        assert_eq!(body["suberror"], "bad_token");
        assert!(body["trace_id"].as_str().is_some_and(|t| t.len() == 36));
    }
}
