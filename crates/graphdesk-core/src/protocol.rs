//! The identity platform's wire formats: token responses (RFC 6749 §5.1 plus Entra's `client_info`, `ext_expires_in`,
//! `refresh_in`, `foci`), OAuth error bodies (§5.2 plus `error_codes`, `suberror`, `claims`, `correlation_id`) turned into
//! typed errors, and `client_info` → `home_account_id`.

use serde::Deserialize;

use crate::error::{CoreError, ServerError, UiRequired, UiRequiredReason};
use crate::http::HttpResponse;
use crate::secret::{AccessToken, IdToken, RefreshToken};

/// A successful token response.
#[derive(Debug, Clone)]
pub struct TokenResponse {
    pub access_token: AccessToken,
    pub token_type: String,
    pub expires_in: u64,
    pub ext_expires_in: Option<u64>,
    pub refresh_in: Option<u64>,
    /// Granted scopes, as the platform wrote them (Graph's in short form).
    pub scope: Option<String>,
    pub refresh_token: Option<RefreshToken>,
    pub id_token: Option<IdToken>,
    pub client_info: Option<ClientInfo>,
    /// Family id: refresh tokens shared by a family of first-party apps.
    pub foci: Option<String>,
}

/// `client_info`: the user's id (`uid`) and home tenant (`utid`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ClientInfo {
    pub uid: String,
    pub utid: String,
}

impl ClientInfo {
    /// Decodes the base64url JSON the platform sends.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = crate::encoding::base64url_decode(text)?;
        serde_json::from_slice(&bytes).ok()
    }

    /// MSAL's `home_account_id`: `uid.utid`.
    pub fn home_account_id(&self) -> String {
        format!("{}.{}", self.uid, self.utid)
    }
}

#[derive(Deserialize)]
struct RawTokenResponse {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<NumberOrString>,
    ext_expires_in: Option<NumberOrString>,
    refresh_in: Option<NumberOrString>,
    scope: Option<String>,
    refresh_token: Option<String>,
    id_token: Option<String>,
    client_info: Option<String>,
    foci: Option<String>,
}

/// Entra sends numbers; some proxies and older endpoints send them as strings.
#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrString {
    Number(u64),
    Text(String),
}

impl NumberOrString {
    fn value(&self) -> Option<u64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(t) => t.trim().parse().ok(),
        }
    }
}

#[derive(Deserialize, Default)]
struct RawError {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<u32>,
    correlation_id: Option<String>,
    suberror: Option<String>,
    claims: Option<String>,
}

/// Parses a token endpoint answer: the tokens on 200, a typed error otherwise.
pub fn parse_token_response(response: &HttpResponse) -> Result<TokenResponse, CoreError> {
    if response.status != 200 {
        return Err(oauth_error(response));
    }
    let raw: RawTokenResponse =
        serde_json::from_slice(&response.body).map_err(|e| CoreError::Protocol {
            detail: format!("the token response is not JSON ({e})"),
        })?;
    let missing = |field: &str| CoreError::Protocol {
        detail: format!("the token response has no {field}"),
    };
    let access_token = raw
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| missing("access_token"))?;
    let expires_in = raw
        .expires_in
        .as_ref()
        .and_then(NumberOrString::value)
        .ok_or_else(|| missing("expires_in"))?;
    let client_info = match raw.client_info {
        Some(text) => Some(
            ClientInfo::decode(&text).ok_or_else(|| CoreError::Protocol {
                detail: "client_info is not base64url JSON with uid and utid".into(),
            })?,
        ),
        None => None,
    };
    Ok(TokenResponse {
        access_token: AccessToken::new(access_token),
        token_type: raw.token_type.unwrap_or_else(|| "Bearer".into()),
        expires_in,
        ext_expires_in: raw.ext_expires_in.as_ref().and_then(NumberOrString::value),
        refresh_in: raw.refresh_in.as_ref().and_then(NumberOrString::value),
        scope: raw.scope,
        refresh_token: raw
            .refresh_token
            .filter(|t| !t.is_empty())
            .map(RefreshToken::new),
        id_token: raw.id_token.filter(|t| !t.is_empty()).map(IdToken::new),
        client_info,
        foci: raw.foci,
    })
}

/// The OAuth error code of an error answer, if the body has one (device-code polling branches on it).
pub fn error_code(response: &HttpResponse) -> Option<String> {
    serde_json::from_slice::<RawError>(&response.body)
        .ok()?
        .error
}

/// A non-200 answer as a typed error: "UI required" for the codes MSAL treats so, throttling, server errors.
pub fn oauth_error(response: &HttpResponse) -> CoreError {
    if response.status == 429
        || (response.status == 503 && response.header("retry-after").is_some())
    {
        return CoreError::Throttled {
            retry_after: retry_after(response).unwrap_or(5),
        };
    }
    let raw: RawError = serde_json::from_slice(&response.body).unwrap_or_default();
    let error = raw
        .error
        .clone()
        .unwrap_or_else(|| format!("http_{}", response.status));
    // The description ends with trace and correlation ids; keep the sentence a user can read.
    let description = raw.error_description.as_deref().map(readable_description);
    let aadsts = raw.error_codes.first().copied();
    let reason = match error.as_str() {
        "invalid_grant" if raw.suberror.as_deref() == Some("consent_required") => {
            Some(UiRequiredReason::ConsentRequired)
        }
        // MSAL .NET: `client_mismatch` (a family token another app may not use) and `protection_policy_required` (an
        // app-protection policy, which a browser sign-in does not satisfy) are not answered by interaction.
        "invalid_grant"
            if matches!(
                raw.suberror.as_deref(),
                Some("client_mismatch" | "protection_policy_required")
            ) =>
        {
            None
        }
        "invalid_grant" => Some(UiRequiredReason::RefreshRefused),
        "interaction_required" => Some(UiRequiredReason::InteractionRequired),
        "consent_required" => Some(UiRequiredReason::ConsentRequired),
        "login_required" => Some(UiRequiredReason::LoginRequired),
        _ => None,
    };
    match reason {
        Some(reason) => CoreError::ui_required(UiRequired {
            reason,
            error: Some(error),
            suberror: raw.suberror,
            claims: raw.claims,
            aadsts,
            correlation_id: raw.correlation_id,
            description,
        }),
        None => CoreError::Server(Box::new(ServerError {
            status: response.status,
            error,
            description,
            aadsts,
            correlation_id: raw.correlation_id,
            suberror: raw.suberror,
        })),
    }
}

/// `Retry-After` in seconds (RFC 9110 §10.2.3): delay-seconds, or an HTTP date counted from `now` (epoch seconds). The
/// one parser for every answer GraphDesk reads (token endpoint, Graph).
pub fn retry_after_seconds(value: &str, now: u64) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let at = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    Some(at.saturating_sub(now))
}

/// `Retry-After` of a token-endpoint answer; a date counts from the answer's own `Date` header (RFC 9110 §10.2.3), so
/// no clock is needed. `None` when absent or unreadable.
pub fn retry_after(response: &HttpResponse) -> Option<u64> {
    let value = response.header("retry-after")?;
    let now = response
        .header("date")
        .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
        .and_then(|d| d.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs());
    match now {
        Some(now) => retry_after_seconds(value, now),
        None => value.trim().parse().ok(),
    }
}

/// The sentence of an `error_description` a user can read: without the `AADSTSnnnnn:` prefix and without the trace
/// block Entra appends after `\r\n` (`Trace ID: …\r\nCorrelation ID: …\r\nTimestamp: …`; older answers and the
/// documentation use spaces). The one trimmer for token-endpoint errors and redirect errors.
pub fn readable_description(description: &str) -> String {
    let first = without_trace(description)
        .split(['\r', '\n'])
        .find(|line| !line.trim().is_empty())
        .unwrap_or_default();
    let sentence = first
        .split_once(": ")
        .filter(|(code, _)| code.starts_with("AADSTS"))
        .map_or(first, |(_, rest)| rest);
    crate::text::displayable(sentence.trim())
}

/// An `error_description` without the trace block Entra appends (`Trace ID: …` and what follows, after `\r\n`, or after
/// a space in older answers and the documentation): ids, not words. The one trimmer for token-endpoint errors, redirect
/// errors and refused sign-ins.
pub fn without_trace(description: &str) -> &str {
    description
        .split("Trace ID:")
        .next()
        .unwrap_or(description)
        .trim_end()
}

/// One challenge of a `WWW-Authenticate` header (RFC 9110 §11.6.1): its scheme and parameters (names lower-cased,
/// quotes removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// A parameter's value, by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Every challenge in every `WWW-Authenticate` value: a 401 may carry several headers (a `PoP nonce=…` beside the
/// Bearer one) or several challenges in one (`Bearer …, PoP …`), as MSAL .NET's `WwwAuthenticateParameters` reads them.
pub fn challenges<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    for value in values {
        // Parameters belong to the challenge before them in the same header, and only to a well-formed one.
        let mut in_challenge = false;
        for item in split_outside_quotes(value, ',') {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            // `scheme param=…` starts a challenge; `param=…` continues the current one.
            let (head, rest) = item.split_once(' ').unwrap_or((item, ""));
            let starts_challenge = !head.contains('=');
            if starts_challenge {
                // The scheme is a token (RFC 9110 §11.1, §5.6.2); anything else is not a challenge at all.
                in_challenge = is_token(head);
                if in_challenge {
                    out.push(Challenge {
                        scheme: head.to_owned(),
                        params: Vec::new(),
                    });
                }
            }
            if !in_challenge {
                continue;
            }
            let param = if starts_challenge { rest.trim() } else { item };
            if let (Some(current), Some((name, value))) = (out.last_mut(), param.split_once('=')) {
                let value = value.trim();
                let value = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value);
                current
                    .params
                    .push((name.trim().to_ascii_lowercase(), value.to_owned()));
            }
        }
    }
    out
}

/// Whether `text` is an RFC 9110 token (`tchar`s: letters, digits and ``!#$%&'*+-.^_`|~``).
fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let (mut parts, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn parses_a_full_response() {
        let info = URL_SAFE_NO_PAD.encode(r#"{"uid":"u1","utid":"t1"}"#);
        let body = format!(
            r#"{{"token_type":"Bearer","scope":"User.Read profile openid","expires_in":3600,"ext_expires_in":"3600",
            "refresh_in":1800,"access_token":"AT","refresh_token":"RT","id_token":"a.b.c","client_info":"{info}"}}"#
        );
        let parsed = parse_token_response(&response(200, &body)).expect("parsed");
        assert_eq!(parsed.access_token.secret(), "AT");
        assert_eq!(
            (parsed.expires_in, parsed.ext_expires_in, parsed.refresh_in),
            (3600, Some(3600), Some(1800))
        );
        assert_eq!(parsed.client_info.expect("info").home_account_id(), "u1.t1");
        assert!(!format!("{:?}", parse_token_response(&response(200, &body))).contains("\"AT\""));
    }

    #[test]
    fn incomplete_or_garbage_responses_are_protocol_errors() {
        for body in [
            "not json",
            r#"{"expires_in":1}"#,
            r#"{"access_token":"x"}"#,
            r#"{"access_token":"x","expires_in":1,"client_info":"%%"}"#,
        ] {
            assert!(
                matches!(
                    parse_token_response(&response(200, body)),
                    Err(CoreError::Protocol { .. })
                ),
                "{body}"
            );
        }
    }

    #[test]
    fn entras_crlf_trace_block_and_the_docs_space_form_are_both_trimmed() {
        let crlf = "AADSTS70011: The provided value for the input parameter 'scope' isn't valid.\r\nTrace ID: 255d1aef\r\nCorrelation ID: fb3d2015\r\nTimestamp: 2016-01-09 02:02:12Z";
        assert_eq!(
            readable_description(crlf),
            "The provided value for the input parameter 'scope' isn't valid."
        );
        assert_eq!(
            readable_description("AADSTS50173: Expired. Trace ID: x Correlation ID: y"),
            "Expired."
        );
        assert_eq!(readable_description("no code here"), "no code here");
    }

    #[test]
    fn a_scheme_that_is_no_token_is_no_challenge_and_keeps_no_parameters() {
        let found = challenges([
            "P\u{b}op x=1, Bearer error=\"insufficient_claims\"",
            "\"quoted\" realm=a",
        ]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].scheme, "Bearer");
        assert_eq!(
            found[0].params,
            [("error".to_owned(), "insufficient_claims".to_owned())]
        );
    }

    #[test]
    fn every_challenge_of_every_www_authenticate_header_is_read() {
        let found = challenges([
            "PoP realm=\"\", nonce=\"n-1\"",
            "Bearer realm=\"\", error=\"insufficient_claims\", claims=\"eyJ9, x\"",
        ]);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].scheme.as_str(), found[0].param("NONCE")),
            ("PoP", Some("n-1"))
        );
        assert_eq!(found[1].param("error"), Some("insufficient_claims"));
        assert_eq!(
            found[1].param("claims"),
            Some("eyJ9, x"),
            "a comma inside quotes stays"
        );
        let combined = challenges([
            "Bearer authorization_uri=\"https://a/b\", error=\"insufficient_claims\", PoP nonce=\"n\"",
        ]);
        assert_eq!(
            combined
                .iter()
                .map(|c| c.scheme.as_str())
                .collect::<Vec<_>>(),
            ["Bearer", "PoP"]
        );
        assert_eq!(combined[0].param("error"), Some("insufficient_claims"));
    }

    #[test]
    fn retry_after_is_seconds_or_a_date_everywhere() {
        assert_eq!(retry_after_seconds(" 7 ", 0), Some(7));
        assert_eq!(
            retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_717),
            Some(60)
        );
        assert_eq!(
            retry_after_seconds("Sun, 06 Nov 1994 08:49:37 GMT", 900_000_000),
            Some(0),
            "a date in the past is now"
        );
        assert_eq!(retry_after_seconds("soon", 0), None);
        let dated = HttpResponse {
            status: 429,
            headers: vec![
                ("Retry-After".into(), "Sun, 06 Nov 1994 08:50:07 GMT".into()),
                ("Date".into(), "Sun, 06 Nov 1994 08:49:37 GMT".into()),
            ],
            body: vec![],
        };
        assert!(matches!(
            oauth_error(&dated),
            CoreError::Throttled { retry_after: 30 }
        ));
    }

    #[test]
    fn errors_are_classified_like_msal() {
        let body = r#"{"error":"invalid_grant","error_description":"AADSTS50173: The provided grant has expired. Trace ID: x Correlation ID: y Timestamp: z","error_codes":[50173],"correlation_id":"c-1","suberror":"bad_token"}"#;
        let CoreError::UiRequired(ui) = oauth_error(&response(400, body)) else {
            panic!("expected UI required");
        };
        assert_eq!(ui.reason, UiRequiredReason::RefreshRefused);
        assert_eq!(
            (
                ui.aadsts,
                ui.correlation_id.as_deref(),
                ui.suberror.as_deref()
            ),
            (Some(50173), Some("c-1"), Some("bad_token"))
        );
        assert_eq!(
            ui.description.as_deref(),
            Some("The provided grant has expired.")
        );

        for suberror in ["client_mismatch", "protection_policy_required"] {
            let body = format!(r#"{{"error":"invalid_grant","suberror":"{suberror}"}}"#);
            assert!(
                matches!(oauth_error(&response(400, &body)), CoreError::Server(_)),
                "{suberror} is not answered by a sign-in (MSAL .NET)"
            );
        }
        let consent =
            r#"{"error":"invalid_grant","suberror":"consent_required","error_codes":[65001]}"#;
        assert!(
            matches!(oauth_error(&response(400, consent)), CoreError::UiRequired(ui) if ui.reason == UiRequiredReason::ConsentRequired)
        );
        let mfa = r#"{"error":"interaction_required","error_codes":[50076],"claims":"{}"}"#;
        assert!(
            matches!(oauth_error(&response(400, mfa)), CoreError::UiRequired(ui) if ui.claims.as_deref() == Some("{}"))
        );
        let server = oauth_error(&response(
            400,
            r#"{"error":"invalid_scope","error_codes":[70011]}"#,
        ));
        assert!(matches!(&server, CoreError::Server(s) if s.aadsts == Some(70011)));
        assert!(!server.is_transient());
        assert!(oauth_error(&response(500, "<html>")).is_transient());
        let throttled = HttpResponse {
            status: 429,
            headers: vec![("Retry-After".into(), "7".into())],
            body: vec![],
        };
        assert!(matches!(
            oauth_error(&throttled),
            CoreError::Throttled { retry_after: 7 }
        ));
    }
}
