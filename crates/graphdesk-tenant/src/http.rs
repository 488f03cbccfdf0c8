//! Small HTTP helpers shared by the endpoints: the request's origin (issuers follow the Host the client used), strict
//! form parsing with Entra-shaped refusals, correlation ids, HTML escaping, and the log note handlers attach.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use crate::oauth_error::OAuthError;
use crate::store::LogNote;

/// `scheme://host[:port]` of the request, as the client addressed the tenant.
#[derive(Debug, Clone)]
pub struct Origin(pub String);

/// The scheme of the listener a request arrived on.
#[derive(Debug, Clone, Copy)]
pub struct Scheme(pub &'static str);

/// The client's `client-request-id`, or a fresh one: Entra echoes it as `correlation_id`.
pub fn correlation_id(headers: &HeaderMap) -> String {
    headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() <= 64 && v.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// A form body parsed strictly: `application/x-www-form-urlencoded`, within the size limit, each parameter once.
#[derive(Debug, Default)]
pub struct Form(HashMap<String, String>);

impl Form {
    /// Parses `body` (the extractor result, so oversized bodies arrive here as errors).
    pub fn parse(
        headers: &HeaderMap,
        body: Result<Bytes, BytesRejection>,
    ) -> Result<Self, OAuthError> {
        let body = body.map_err(|rejection| {
            OAuthError::new(
                "invalid_request",
                90_014,
                format!(
                    "The request body could not be read: {}.",
                    rejection.body_text()
                ),
            )
            .with_status(rejection.status())
        })?;
        let content_type = headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !content_type
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
        {
            return Err(OAuthError::new(
                "invalid_request",
                900_561,
                "The endpoint only accepts POST requests with content type application/x-www-form-urlencoded.",
            ));
        }
        Self::parse_bytes(&body)
    }

    /// Parses a urlencoded string, refusing duplicates (Entra: AADSTS90015).
    pub fn parse_bytes(body: &[u8]) -> Result<Self, OAuthError> {
        if std::str::from_utf8(body).is_err() {
            return Err(OAuthError::malformed("the body is not UTF-8"));
        }
        let mut map = HashMap::new();
        for (name, value) in form_urlencoded::parse(body) {
            if map.insert(name.to_string(), value.to_string()).is_some() {
                return Err(OAuthError::new(
                    "invalid_request",
                    90_015,
                    format!(
                        "Requested query string is too long, or the parameter '{name}' is duplicated."
                    ),
                ));
            }
        }
        Ok(Self(map))
    }

    /// A parameter, empty values treated as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A required parameter.
    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| OAuthError::missing(name))
    }
}

/// Attaches what the request log should record about this request.
pub fn with_note(mut response: Response, note: LogNote) -> Response {
    response.extensions_mut().insert(note);
    response
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML page in the tenant's minimal style.
pub fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <style>body{{font:15px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1d21}}\
         h1{{font-size:1.3rem}}label{{display:block;margin:.7rem 0 .2rem}}input[type=text],input[type=password],select\
         {{width:100%;padding:.45rem;font:inherit}}button{{margin:.9rem .5rem 0 0;padding:.45rem 1.1rem;font:inherit}}\
         .err{{color:#a4262c}}.muted{{color:#626875;font-size:.85rem}}code{{font-size:.95em}}</style></head>\
         <body><p class=\"muted\">GraphDesk emulated tenant — not Microsoft</p><h1>{title}</h1>{body}</body></html>",
        title = escape_html(title)
    );
    (
        [
            ("content-type", "text/html; charset=utf-8"),
            (
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            ),
            ("cache-control", "no-store"),
        ],
        html,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_refuse_duplicates_and_treat_empty_as_absent() {
        let form = Form::parse_bytes(b"a=1&b=&c=x%20y").expect("valid");
        assert_eq!(form.get("a"), Some("1"));
        assert_eq!(form.get("b"), None);
        assert_eq!(form.get("c"), Some("x y"));
        assert_eq!(form.require("b").expect_err("missing").aadsts, 900_144);
        assert_eq!(
            Form::parse_bytes(b"a=1&a=2").expect_err("dup").aadsts,
            90_015
        );
        assert!(Form::parse_bytes(&[0xff, 0xfe]).is_err());
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
