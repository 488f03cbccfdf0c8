//! Calling Microsoft Graph — or any web API named by its scopes — with the engine's tokens. Every call gets its token
//! silent-first ("UI required" comes back as the engine's typed error); 429/503/504 are retried after `Retry-After`
//! (seconds or an HTTP date) or with exponential backoff and full jitter, within a cap on attempts and on total time;
//! a claims challenge (`401`, `WWW-Authenticate: … error="insufficient_claims", claims="…"`) gets a token with those
//! claims and one retry. Graph errors become [`GraphError`] with code, message and request ids; responses keep status,
//! headers and elapsed time for the UI.

use std::time::{Duration, Instant};

use base64::Engine as _;
use serde::{Deserialize, Serialize};

pub use crate::api::{Api, GraphVersion};
use crate::cancel::Cancel;
use crate::engine::{SilentOptions, TokenEngine};
pub use crate::error::GraphError;
use crate::error::{CoreError, UiRequiredReason};
use crate::http::{HttpRequest, Method};

/// Retry limits.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The longest the retries may wait in total.
    pub max_wait: Duration,
    /// The first backoff step; doubles each time, capped at `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_wait: Duration::from_secs(60),
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// A request to the API.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    /// A path relative to the API's base (`/me?$select=displayName`), or a next link.
    pub path: String,
    pub body: Option<serde_json::Value>,
    pub headers: Vec<(String, String)>,
}

impl ApiRequest {
    pub fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            path: path.into(),
            body: None,
            headers: Vec::new(),
        }
    }
}

/// An answer, with what the UI shows about it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    #[serde(skip)]
    pub body: Vec<u8>,
    pub elapsed_ms: u64,
    pub attempts: u32,
    pub request_id: Option<String>,
    pub client_request_id: String,
}

impl ApiResponse {
    /// The first header named `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Result<serde_json::Value, CoreError> {
        serde_json::from_slice(&self.body).map_err(|e| CoreError::Protocol {
            detail: format!(
                "the API answered {} with a body that is not JSON ({e})",
                self.status
            ),
        })
    }
}

/// A user's profile (`/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    pub job_title: Option<String>,
}

/// A profile photo.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Photo {
    /// The photo as a `data:` URL, for an `<img>` in the window.
    pub fn data_url(&self) -> String {
        use base64::Engine as _;
        format!(
            "data:{};base64,{}",
            self.content_type,
            base64::engine::general_purpose::STANDARD.encode(&self.bytes)
        )
    }
}

impl std::fmt::Debug for Photo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Photo({}, {} bytes)",
            self.content_type,
            self.bytes.len()
        )
    }
}

/// The client.
#[derive(Debug)]
pub struct ApiClient<'a> {
    engine: &'a TokenEngine,
    api: Api,
    policy: RetryPolicy,
}

impl<'a> ApiClient<'a> {
    pub fn new(engine: &'a TokenEngine, api: Api) -> Self {
        Self {
            engine,
            api,
            policy: RetryPolicy::default(),
        }
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sends `request` as `account`: token silent-first, retries, one claims-challenge round.
    pub async fn send(
        &self,
        account: &str,
        request: &ApiRequest,
        cancel: &Cancel,
    ) -> Result<ApiResponse, CoreError> {
        let url = self.api.url(&request.path)?;
        let started = Instant::now();
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut options = SilentOptions::default();
        let mut challenged = false;
        let mut waited = Duration::ZERO;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if cancel.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
            let token = self
                .engine
                .acquire_token_silent(&self.api.scopes, account, &options)
                .await?;
            let mut http = HttpRequest::get(url.clone())
                .header(
                    "authorization",
                    format!("Bearer {}", token.access_token.secret()),
                )
                .header("client-request-id", client_request_id.clone())
                .header("accept", "application/json");
            http.method = request.method;
            for (name, value) in &request.headers {
                http = http.header(name, value.clone());
            }
            if let Some(body) = &request.body {
                http = http.header("content-type", "application/json");
                http.body = Some(serde_json::to_vec(body).unwrap_or_default());
            }
            let response = self.engine.http.send(http).await?;
            let answer = ApiResponse {
                status: response.status,
                request_id: response.header("request-id").map(str::to_owned),
                headers: response.headers,
                body: response.body,
                elapsed_ms: started.elapsed().as_millis() as u64,
                attempts: attempt,
                client_request_id: client_request_id.clone(),
            };
            match answer.status {
                200..=299 => return Ok(answer),
                401 if !challenged && let Some(claims) = claims_challenge(&answer) => {
                    // Continuous access evaluation: a token with these claims, then one more try.
                    challenged = true;
                    options = SilentOptions {
                        force_refresh: false,
                        claims: Some(claims.clone()),
                    };
                    attempt -= 1;
                    if let Err(CoreError::UiRequired(mut ui)) = self
                        .engine
                        .acquire_token_silent(&self.api.scopes, account, &options)
                        .await
                    {
                        ui.reason = UiRequiredReason::ClaimsChallenge;
                        ui.claims = Some(claims);
                        return Err(CoreError::UiRequired(ui));
                    }
                    options.claims = None;
                }
                429 | 503 | 504 if attempt < self.policy.max_attempts => {
                    let delay = self.delay(&answer, attempt);
                    // Saturating: a server's Retry-After may be any number (u64::MAX seconds overflowed a Duration sum).
                    if waited.saturating_add(delay) > self.policy.max_wait {
                        return Err(graph_error(&answer));
                    }
                    waited += delay;
                    tokio::select! {
                        () = self.engine.sleeper.sleep(delay) => {}
                        () = cancel.cancelled() => return Err(CoreError::Cancelled),
                    }
                }
                _ => return Err(graph_error(&answer)),
            }
        }
    }

    /// `Retry-After` when the server gave one; exponential backoff with full jitter otherwise.
    fn delay(&self, answer: &ApiResponse, attempt: u32) -> Duration {
        if let Some(seconds) = answer
            .header("retry-after")
            .and_then(|v| crate::protocol::retry_after_seconds(v, self.engine.clock.now()))
        {
            return Duration::from_secs(seconds);
        }
        crate::backoff::Backoff {
            base: self.policy.base_delay,
            max: self.policy.max_delay,
        }
        .jittered(attempt)
    }

    /// `GET /me`.
    pub async fn me(&self, account: &str, cancel: &Cancel) -> Result<UserProfile, CoreError> {
        let response = self.send(account, &ApiRequest::get("/me"), cancel).await?;
        serde_json::from_value(response.json()?).map_err(|e| CoreError::Protocol {
            detail: format!("/me is not a user ({e})"),
        })
    }

    /// `GET /me/photo/$value`: the photo, or `None` when the user has none.
    pub async fn photo(&self, account: &str, cancel: &Cancel) -> Result<Option<Photo>, CoreError> {
        match self
            .send(account, &ApiRequest::get("/me/photo/$value"), cancel)
            .await
        {
            Ok(response) => Ok(Some(Photo {
                content_type: response
                    .header("content-type")
                    .unwrap_or("application/octet-stream")
                    .to_owned(),
                bytes: response.body,
            })),
            Err(CoreError::Graph(error)) if error.status == 404 => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The items of a collection, following `@odata.nextLink`, at most `limit` of them.
    pub async fn collect(
        &self,
        account: &str,
        path: &str,
        limit: usize,
        cancel: &Cancel,
    ) -> Result<Vec<serde_json::Value>, CoreError> {
        let mut items = Vec::new();
        let mut next = Some(path.to_owned());
        while let Some(path) = next.take() {
            let page = self
                .send(account, &ApiRequest::get(path), cancel)
                .await?
                .json()?;
            let values = page["value"]
                .as_array()
                .ok_or_else(|| CoreError::Protocol {
                    detail: "the collection page has no value array".into(),
                })?;
            for item in values {
                if items.len() == limit {
                    return Ok(items);
                }
                items.push(item.clone());
            }
            next = page["@odata.nextLink"].as_str().map(str::to_owned);
        }
        Ok(items)
    }
}

/// The claims of an `insufficient_claims` challenge, decoded from base64.
fn claims_challenge(answer: &ApiResponse) -> Option<String> {
    // Every WWW-Authenticate header: the Bearer `insufficient_claims` challenge may follow a PoP one (issue 13).
    let values = answer
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("www-authenticate"))
        .map(|(_, v)| v.as_str());
    let challenges = crate::protocol::challenges(values);
    let challenge = challenges.iter().find(|c| {
        c.scheme.eq_ignore_ascii_case("bearer")
            && c.param("error")
                .is_some_and(|e| e.eq_ignore_ascii_case("insufficient_claims"))
    })?;
    let encoded = challenge.param("claims")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .or_else(|| crate::encoding::base64url_decode(encoded))?;
    String::from_utf8(bytes)
        .ok()
        .filter(|c| serde_json::from_str::<serde_json::Value>(c).is_ok())
}

/// A non-success answer as a typed error.
fn graph_error(answer: &ApiResponse) -> CoreError {
    let body: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
    let error = &body["error"];
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    CoreError::Graph(Box::new(GraphError {
        status: answer.status,
        code: text(&error["code"]).unwrap_or_else(|| format!("http_{}", answer.status)),
        message: text(&error["message"]).unwrap_or_else(|| "the API gave no message".into()),
        request_id: text(&error["innerError"]["request-id"]).or_else(|| answer.request_id.clone()),
        client_request_id: text(&error["innerError"]["client-request-id"])
            .or_else(|| Some(answer.client_request_id.clone())),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(headers: Vec<(&str, &str)>) -> ApiResponse {
        ApiResponse {
            status: 401,
            headers: headers
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            body: Vec::new(),
            elapsed_ms: 0,
            attempts: 1,
            request_id: None,
            client_request_id: "c".into(),
        }
    }

    #[test]
    fn claims_challenges_are_decoded() {
        let claims = r#"{"access_token":{"nbf":{"essential":true,"value":"1"}}}"#;
        let header = format!(
            "Bearer realm=\"\", error=\"insufficient_claims\", claims=\"{}\"",
            base64::engine::general_purpose::STANDARD.encode(claims)
        );
        assert_eq!(
            claims_challenge(&answer(vec![("WWW-Authenticate", &header)])).as_deref(),
            Some(claims)
        );
        assert_eq!(
            claims_challenge(&answer(vec![("WWW-Authenticate", "Bearer realm=\"\"")])),
            None
        );
        assert_eq!(
            claims_challenge(&answer(vec![(
                "WWW-Authenticate",
                "Bearer error=\"insufficient_claims\", claims=\"!!\""
            )])),
            None
        );
    }

    #[derive(Debug)]
    struct NoNetwork;

    impl crate::http::HttpClient for NoNetwork {
        fn send(
            &self,
            _: HttpRequest,
        ) -> crate::clock::BoxFuture<
            '_,
            Result<crate::http::HttpResponse, crate::http::TransportError>,
        > {
            Box::pin(async { Err(crate::http::TransportError::Other("offline".into())) })
        }
    }

    #[test]
    fn retry_after_seconds_and_http_dates_and_jittered_backoff() {
        let clock = std::sync::Arc::new(crate::clock::ManualClock::at(1_445_412_480)); // Wed, 21 Oct 2015 07:28:00 GMT
        let config = crate::config::ClientConfig::builder("c")
            .build()
            .expect("config");
        let engine = TokenEngine::new(
            config,
            std::sync::Arc::new(NoNetwork),
            clock.clone(),
            std::sync::Arc::new(clock),
        );
        let client = ApiClient::new(
            &engine,
            Api::custom("https://api.example", vec!["x".into()]).expect("api"),
        );
        let with = |value: &str| {
            let mut a = answer(vec![("Retry-After", value)]);
            a.status = 429;
            a
        };
        assert_eq!(client.delay(&with("7"), 1), Duration::from_secs(7));
        assert_eq!(
            client.delay(&with("Wed, 21 Oct 2015 07:28:30 GMT"), 1),
            Duration::from_secs(30)
        );
        assert_eq!(
            client.delay(&with("Wed, 21 Oct 2015 07:00:00 GMT"), 1),
            Duration::ZERO,
            "a date in the past: now"
        );
        for attempt in 1..=8 {
            let ceiling = Duration::from_secs(1 << (attempt - 1)).min(Duration::from_secs(30));
            assert!(
                client.delay(&answer(vec![]), attempt) <= ceiling,
                "attempt {attempt}"
            );
        }
    }

    #[test]
    fn apis_must_be_https_with_scopes_and_keep_tokens_on_their_host() {
        assert!(Api::custom("http://api.example", vec!["x".into()]).is_err());
        assert!(Api::custom("https://api.example", vec![]).is_err());
        let api = Api::graph(
            "graph.microsoft.com",
            GraphVersion::Beta,
            vec!["User.Read".into()],
        )
        .expect("api");
        assert_eq!(
            api.url("/me").expect("url").as_str(),
            "https://graph.microsoft.com/beta/me"
        );
        assert_eq!(
            api.url("me/messages?$top=5").expect("url").as_str(),
            "https://graph.microsoft.com/beta/me/messages?$top=5"
        );
        assert!(
            api.url("https://graph.microsoft.com/beta/users?$skiptoken=x")
                .is_ok()
        );
        assert!(
            api.url("https://evil.example/steal").is_err(),
            "a next link to another host gets no token"
        );
    }
}
