//! HTTP, injected: the engine sends [`HttpRequest`]s through an [`HttpClient`], so flows are tested against the emulated
//! tenant or a scripted fake. The real client is reqwest (the same 0.13 Tauri links) with rustls and the platform
//! verifier: it trusts the operating system's trust store — where a company's TLS-inspecting proxy puts its root —
//! plus any extra CA the configuration names (a corporate proxy, the emulated tenant).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::clock::BoxFuture;
use crate::error::CoreError;

/// A request. Form values may be secrets (codes, refresh tokens, passwords): `Debug` shows only their names.
#[derive(Clone)]
pub struct HttpRequest {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<(String, String)>,
    /// A urlencoded form body (token requests).
    pub form: Vec<(String, String)>,
    /// A raw body (JSON for web APIs), sent when there is no form.
    pub body: Option<Vec<u8>>,
}

/// HTTP methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpRequest {
    /// A GET of `url`.
    pub fn get(url: Url) -> Self {
        Self {
            method: Method::Get,
            url,
            headers: Vec::new(),
            form: Vec::new(),
            body: None,
        }
    }

    /// A form POST to `url`.
    pub fn post_form(url: Url, form: Vec<(String, String)>) -> Self {
        Self {
            method: Method::Post,
            url,
            headers: Vec::new(),
            form,
            body: None,
        }
    }

    /// With one more header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The value of form field `name`.
    pub fn form_value(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = self.form.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field("form_fields", &fields)
            .finish_non_exhaustive()
    }
}

/// A response.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies hold tokens: never print them.
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Why no response arrived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("the request timed out")]
    Timeout,
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("the connection failed: {0}")]
    Other(String),
}

/// Sends requests.
pub trait HttpClient: Send + Sync + fmt::Debug {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;
}

/// The real client.
#[derive(Debug, Clone)]
pub struct ReqwestClient {
    client: reqwest::Client,
}

/// Why the HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("invalid extra root certificate: {0}")]
pub struct CertificateError(String);

impl ReqwestClient {
    /// A client with `timeout` per request, trusting the system roots and the PEM certificates in `extra_roots_pem`.
    pub fn new(timeout: Duration, extra_roots_pem: Option<&str>) -> Result<Self, CertificateError> {
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("GraphDesk/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = extra_roots_pem {
            let certificates = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| CertificateError(e.to_string()))?;
            if certificates.is_empty() {
                return Err(CertificateError("no certificate in the PEM text".into()));
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let client = builder
            .build()
            .map_err(|e| CertificateError(e.to_string()))?;
        Ok(Self { client })
    }

    /// Shared, as the engine holds it.
    pub fn shared(self) -> Arc<dyn HttpClient> {
        Arc::new(self)
    }
}

impl HttpClient for ReqwestClient {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move {
            let method = match request.method {
                Method::Get => reqwest::Method::GET,
                Method::Post => reqwest::Method::POST,
                Method::Put => reqwest::Method::PUT,
                Method::Patch => reqwest::Method::PATCH,
                Method::Delete => reqwest::Method::DELETE,
            };
            let mut builder = self.client.request(method, request.url.clone());
            if !request.form.is_empty() {
                builder = builder.form(&request.form);
            } else if let Some(body) = &request.body {
                builder = builder.body(body.clone());
            }
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            let response = builder.send().await.map_err(classify)?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .filter_map(|(n, v)| {
                    v.to_str()
                        .ok()
                        .map(|v| (n.as_str().to_owned(), v.to_owned()))
                })
                .collect();
            let body = response.bytes().await.map_err(classify)?.to_vec();
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        })
    }
}

fn classify(error: reqwest::Error) -> TransportError {
    // reqwest's messages name the URL but never the form body, so they are safe to keep.
    if error.is_timeout() {
        TransportError::Timeout
    } else if error.is_connect() {
        TransportError::Connect(error.to_string())
    } else {
        TransportError::Other(error.to_string())
    }
}

impl From<TransportError> for CoreError {
    fn from(error: TransportError) -> Self {
        match error {
            TransportError::Timeout => Self::Timeout,
            other => Self::Network {
                detail: other.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_form_values_or_bodies() {
        let request = HttpRequest::post_form(
            Url::parse("https://login.example/token").expect("url"),
            vec![
                ("refresh_token".into(), "SECRET-RT".into()),
                ("password".into(), "hunter2".into()),
            ],
        );
        let printed = format!("{request:?}");
        assert!(
            printed.contains("refresh_token")
                && !printed.contains("SECRET-RT")
                && !printed.contains("hunter2")
        );
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body: b"{\"access_token\":\"AT\"}".to_vec(),
        };
        assert!(!format!("{response:?}").contains("AT\""));
    }

    #[test]
    fn bad_extra_roots_are_refused() {
        assert!(ReqwestClient::new(Duration::from_secs(5), Some("not a pem")).is_err());
        assert!(ReqwestClient::new(Duration::from_secs(5), None).is_ok());
    }
}
