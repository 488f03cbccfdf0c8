//! The device authorization grant (RFC 8628): start returns the code, the URL and the platform's message; polling honours
//! `interval`, adds 5 s on `slow_down`, stops on decline or expiry, reports progress, and can be cancelled.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::engine::{TokenEngine, TokenResult, TokenSource};
use crate::error::CoreError;
use crate::flows::auth_code::Cancel;
use crate::http::HttpRequest;
use crate::protocol;
use crate::scopes::request_scope;
use crate::secret::DeviceCode;

/// A started device-code sign-in: what to show the user.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodeFlow {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    /// When the code expires, seconds since the epoch.
    pub expires_on: u64,
    pub interval: u64,
    #[serde(skip)]
    device_code: DeviceCode,
    #[serde(skip)]
    scopes: Vec<String>,
}

impl std::fmt::Debug for DeviceCodeFlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCodeFlow")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("expires_on", &self.expires_on)
            .finish_non_exhaustive()
    }
}

/// Polling progress, for the UI's countdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DeviceCodeProgress {
    /// Still waiting for the user; `seconds_left` until the code expires.
    Waiting { seconds_left: u64 },
    /// The platform asked to poll more slowly; the interval is now `interval` seconds.
    SlowedDown { interval: u64 },
}

#[derive(Deserialize)]
struct RawDeviceCode {
    user_code: String,
    device_code: String,
    verification_uri: String,
    expires_in: u64,
    #[serde(default = "default_interval")]
    interval: u64,
    #[serde(default)]
    message: Option<String>,
}

fn default_interval() -> u64 {
    5
}

impl TokenEngine {
    /// Asks for a device code.
    pub async fn start_device_code(&self, scopes: &[String]) -> Result<DeviceCodeFlow, CoreError> {
        let endpoints = self.endpoints().await?;
        let endpoint = match &endpoints.device_authorization_endpoint {
            Some(url) => url.clone(),
            // msal-node derives it the same way when discovery does not name it.
            None => url::Url::parse(
                &endpoints
                    .token_endpoint
                    .as_str()
                    .replace("/token", "/devicecode"),
            )
            .map_err(|_| CoreError::Protocol {
                detail: "no device authorization endpoint".into(),
            })?,
        };
        let request = HttpRequest::post_form(
            endpoint,
            vec![
                ("client_id".into(), self.config.client_id.clone()),
                ("scope".into(), request_scope(scopes)),
            ],
        );
        let response = self.send_once(request).await?;
        let raw: RawDeviceCode =
            serde_json::from_slice(&response.body).map_err(|e| CoreError::Protocol {
                detail: format!("the device code answer is incomplete ({e})"),
            })?;
        let message = raw.message.unwrap_or_else(|| {
            format!(
                "To sign in, open {} and enter the code {}.",
                raw.verification_uri, raw.user_code
            )
        });
        Ok(DeviceCodeFlow {
            user_code: raw.user_code,
            verification_uri: raw.verification_uri,
            message,
            expires_on: self.clock.now() + raw.expires_in,
            interval: raw.interval.clamp(1, 60),
            device_code: DeviceCode::new(raw.device_code),
            scopes: scopes.to_vec(),
        })
    }

    /// Polls until the user finishes (or declines, or the code expires, or `cancel` fires).
    pub async fn complete_device_code(
        &self,
        flow: &DeviceCodeFlow,
        cancel: &Cancel,
        mut progress: impl FnMut(DeviceCodeProgress) + Send,
    ) -> Result<TokenResult, CoreError> {
        let mut interval = flow.interval;
        loop {
            tokio::select! {
                () = self.sleeper.sleep(Duration::from_secs(interval)) => {}
                () = cancel.cancelled() => return Err(CoreError::Cancelled),
            }
            let now = self.clock.now();
            if now >= flow.expires_on {
                return Err(CoreError::SignInTimeout);
            }
            let form = vec![
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:device_code".to_owned(),
                ),
                ("device_code", flow.device_code.secret().to_owned()),
            ];
            let endpoint = self.endpoints().await?.token_endpoint.clone();
            let mut fields = vec![("client_id".to_owned(), self.config.client_id.clone())];
            fields.extend(form.into_iter().map(|(k, v)| (k.to_owned(), v)));
            let response = self
                .http
                .send(HttpRequest::post_form(endpoint, fields))
                .await;
            let response = match response {
                Ok(response) => response,
                // A dropped poll is retried at the next interval, as the RFC's client would.
                Err(error) => {
                    tracing::debug!(%error, "device code poll failed; polling again");
                    continue;
                }
            };
            if response.status == 200 {
                let tokens = protocol::parse_token_response(&response)?;
                return self.save(tokens, &flow.scopes, None, TokenSource::DeviceCode, None);
            }
            match protocol::error_code(&response).as_deref() {
                Some("authorization_pending") => progress(DeviceCodeProgress::Waiting {
                    seconds_left: flow.expires_on.saturating_sub(now),
                }),
                Some("slow_down") => {
                    interval += 5;
                    progress(DeviceCodeProgress::SlowedDown { interval });
                }
                Some("expired_token") => return Err(CoreError::SignInTimeout),
                Some("authorization_declined") | Some("access_denied") => {
                    return Err(CoreError::Cancelled);
                }
                _ => return Err(protocol::oauth_error(&response)),
            }
        }
    }
}
