//! The device authorization grant (RFC 8628): start returns the code, the URL and the platform's message; polling honours
//! `interval`, adds 5 s on `slow_down`, stops on decline or expiry, reports progress, and can be cancelled.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::engine::flows::auth_code::Cancel;
use crate::engine::{TokenEngine, TokenResult, TokenSource};
use crate::error::CoreError;
use crate::http::HttpRequest;
use crate::scopes::request_scope;
use crate::secret::DeviceCode;

/// A started device-code sign-in: what to show the user.
#[derive(Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
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

/// The longest polling interval GraphDesk accepts from the platform (or reaches by `slow_down`), seconds.
const MAX_INTERVAL: u64 = 60;

/// What a failed poll means (RFC 8628 §3.5).
#[derive(Debug, PartialEq, Eq)]
enum Poll {
    Pending,
    SlowDown,
    Expired,
    Declined,
    Transient,
    Stop,
}

fn poll_outcome(error: &CoreError) -> Poll {
    match error {
        CoreError::Server(server) => match server.error.as_str() {
            "authorization_pending" => Poll::Pending,
            "slow_down" => Poll::SlowDown,
            "expired_token" => Poll::Expired,
            "authorization_declined" | "access_denied" => Poll::Declined,
            _ if server.status >= 500 => Poll::Transient,
            _ => Poll::Stop,
        },
        error if error.is_transient() => Poll::Transient,
        _ => Poll::Stop,
    }
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
        // The window opens this page in the browser: only an https page, never a `file:` or another app's scheme
        // a hostile authority could name (RFC 8628 §3.2 has the user visit a web page).
        let page = url::Url::parse(&raw.verification_uri).ok();
        if !page.is_some_and(|p| p.scheme() == "https" && p.host_str().is_some()) {
            return Err(CoreError::Protocol {
                detail: "the device code answer names a sign-in page that is not an https URL"
                    .into(),
            });
        }
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
            expires_on: self.clock.now().saturating_add(raw.expires_in),
            interval: raw.interval.clamp(1, MAX_INTERVAL),
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
            // The same token request as every other grant: client_id, client_info=1 (without it Entra names the
            // account only by the ID token's `sub`, and the first refresh, which asks, comes back as `uid.utid`),
            // client-request-id, one retry of a transient failure.
            let form = vec![
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:device_code".to_owned(),
                ),
                ("device_code", flow.device_code.secret().to_owned()),
            ];
            let error = match self.token_request(form).await {
                Ok(tokens) => {
                    return self.save(tokens, &flow.scopes, None, TokenSource::DeviceCode, None);
                }
                Err(error) => error,
            };
            match poll_outcome(&error) {
                Poll::Pending => progress(DeviceCodeProgress::Waiting {
                    seconds_left: flow.expires_on.saturating_sub(now),
                }),
                Poll::SlowDown => {
                    interval = interval.saturating_add(5).min(MAX_INTERVAL);
                    progress(DeviceCodeProgress::SlowedDown { interval });
                }
                Poll::Expired => return Err(CoreError::SignInTimeout),
                Poll::Declined => return Err(CoreError::Declined),
                // A dropped or failed poll (already retried once) is tried again at the next interval, as the RFC's
                // client would; the code's expiry ends the loop.
                Poll::Transient => {
                    tracing::debug!(%error, "device code poll failed; polling again");
                }
                Poll::Stop => return Err(error),
            }
        }
    }
}
