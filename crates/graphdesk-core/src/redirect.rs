//! Parses the redirect that ends an interactive sign-in — a `graphdesk://auth?…` deep link or a loopback request — into a
//! typed [`AuthorizationResponse`], refusing anything that is not exactly what the identity platform sends (RFC 6749 §4.1.2).
//!
//! A deep link can be launched by any web page or program, so everything here treats the URL as hostile: bounded length,
//! strict percent-decoding, no duplicated parameters, no token parameters (implicit-flow injection), no fragment, and
//! error text sanitised before anyone displays it. Errors name what was wrong, never the values (they may hold a code).

use sha2::{Digest, Sha256};
use url::Url;

pub use crate::error::RedirectError;
use crate::secret::{AuthorizationCode, OAuthState};

/// Longest redirect accepted. Entra's codes are ~1–2 KB; 8 KiB leaves room for `client_info` and `session_state`.
pub const MAX_REDIRECT_LEN: usize = 8 * 1024;

/// Longest `error_description` kept; the rest is cut.
const MAX_DESCRIPTION_CHARS: usize = 512;

/// Parameters that only an implicit-flow or injected response would carry; their presence means tampering.
const FORBIDDEN_PARAMETERS: [&str; 5] = [
    "access_token",
    "id_token",
    "refresh_token",
    "token_type",
    "expires_in",
];

/// The identity platform's answer to an authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationResponse {
    /// Success: a code to redeem with the PKCE verifier.
    Code {
        code: AuthorizationCode,
        state: OAuthState,
        /// base64url `{"uid","utid"}`, present when the request asked `client_info=1`.
        client_info: Option<String>,
    },
    /// The platform (or the user) refused; `error` is an OAuth error code such as `access_denied`.
    Error {
        error: String,
        description: Option<String>,
        state: Option<OAuthState>,
    },
}

/// The redirect URI the app registered, e.g. `graphdesk://auth` or `http://127.0.0.1:53123/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUri(Url);

impl RedirectUri {
    /// Parses a redirect URI: a custom scheme with a host, or `http` on a loopback host.
    pub fn parse(raw: &str) -> Result<Self, crate::CoreError> {
        let invalid = |reason: &str| crate::CoreError::Config {
            field: crate::error::ConfigField::RedirectUri,
            reason: reason.into(),
        };
        let url = Url::parse(raw).map_err(|_| invalid("not a valid URL"))?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("must not carry a query or fragment"));
        }
        match url.scheme() {
            "https" => Err(invalid(
                "a desktop app redirects to a custom scheme or loopback, not https",
            )),
            // RFC 8252 §8.3: the loopback IP literal, not `localhost` (which a resolver or firewall may send elsewhere);
            // GraphDesk's receiver listens on 127.0.0.1 on a port of its choosing, which Entra accepts for a
            // registered `http://127.0.0.1` (or `http://localhost`) redirect (§7.3).
            "http" => match url.host_str() {
                Some("127.0.0.1") => Ok(Self(url)),
                Some("localhost" | "[::1]") => Err(invalid(
                    "use http://127.0.0.1 for a loopback redirect (RFC 8252 §8.3): GraphDesk listens on 127.0.0.1",
                )),
                _ => Err(invalid(
                    "http is allowed only on 127.0.0.1 (a loopback redirect)",
                )),
            },
            _ if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(Self(url)),
            _ => Err(invalid(
                "a custom-scheme redirect needs a host, as in graphdesk://auth",
            )),
        }
    }

    /// Whether this is a loopback redirect (`http://127.0.0.1…`): a sign-in then runs a loopback receiver.
    pub fn is_loopback(&self) -> bool {
        self.0.scheme() == "http"
    }

    /// The URI as registered.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether `url` is addressed to this redirect URI (scheme, host, port, path; an empty path equals `/`).
    pub(crate) fn is_target_of(&self, url: &Url) -> bool {
        let path = |u: &Url| {
            let p = u.path();
            if p.is_empty() {
                "/".to_owned()
            } else {
                p.to_owned()
            }
        };
        url.scheme() == self.0.scheme()
            && url.host_str().map(str::to_ascii_lowercase)
                == self.0.host_str().map(str::to_ascii_lowercase)
            && url.port_or_known_default() == self.0.port_or_known_default()
            && path(url) == path(&self.0)
            && url.username().is_empty()
            && url.password().is_none()
    }
}

/// A short, non-reversible identifier of a received link (SHA-256, first 8 bytes, hex): lets logs, the UI and tests
/// say which link arrived without ever showing the code in it.
pub fn fingerprint(raw: &str) -> String {
    Sha256::digest(raw.as_bytes())[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Parses `raw` as a redirect to `expected`.
pub fn parse_redirect(
    raw: &str,
    expected: &RedirectUri,
) -> Result<AuthorizationResponse, RedirectError> {
    if raw.len() > MAX_REDIRECT_LEN {
        return Err(RedirectError::TooLong {
            len: raw.len(),
            max: MAX_REDIRECT_LEN,
        });
    }
    let url = Url::parse(raw).map_err(|_| RedirectError::Malformed)?;
    if !expected.is_target_of(&url) {
        return Err(RedirectError::WrongTarget {
            expected: expected.as_str().to_owned(),
        });
    }
    if url.fragment().is_some() {
        return Err(RedirectError::Fragment);
    }
    let params = QueryParams::parse(url.query().unwrap_or(""))?;
    params.into_response()
}

/// Query parameters decoded strictly, each name at most once.
struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    fn parse(query: &str) -> Result<Self, RedirectError> {
        let mut params: Vec<(String, String)> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode_component(name)?;
            let value = decode_component(value)?;
            if params.iter().any(|(n, _)| *n == name) {
                return Err(RedirectError::DuplicateParameter {
                    name: printable_name(&name),
                });
            }
            if let Some(forbidden) = FORBIDDEN_PARAMETERS.iter().find(|f| **f == name) {
                return Err(RedirectError::ForbiddenParameter {
                    name: (*forbidden).to_owned(),
                });
            }
            params.push((name, value));
        }
        Ok(Self(params))
    }

    fn take(&mut self, name: &str) -> Option<String> {
        let index = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.swap_remove(index).1).filter(|v| !v.is_empty())
    }

    fn into_response(mut self) -> Result<AuthorizationResponse, RedirectError> {
        let code = self.take("code");
        let error = self.take("error");
        let state = self.take("state").map(OAuthState::new);
        match (code, error) {
            (Some(_), Some(_)) => Err(RedirectError::CodeAndError),
            (None, Some(error)) => Ok(AuthorizationResponse::Error {
                error: sanitize_error_code(&error),
                description: self.take("error_description").map(|d| sanitize_text(&d)),
                state,
            }),
            (Some(code), None) => Ok(AuthorizationResponse::Code {
                code: AuthorizationCode::new(code),
                state: state.ok_or_else(|| missing("state"))?,
                client_info: self.take("client_info"),
            }),
            (None, None) => Err(missing("code")),
        }
    }
}

fn missing(name: &str) -> RedirectError {
    RedirectError::MissingParameter {
        name: name.to_owned(),
    }
}

/// `application/x-www-form-urlencoded` decoding that refuses what lenient decoders silently repair: a `%` not followed by
/// two hex digits, and bytes that are not UTF-8.
fn decode_component(raw: &str) -> Result<String, RedirectError> {
    let bytes = raw.as_bytes();
    for (i, _) in raw.match_indices('%') {
        let hex = bytes.get(i + 1..i + 3).ok_or(RedirectError::BadEncoding)?;
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return Err(RedirectError::BadEncoding);
        }
    }
    let plus_as_space = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_as_space)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| RedirectError::BadEncoding)
}

/// A parameter name fit to show: names are not secret, but a hostile one could be long or hold control characters.
fn printable_name(name: &str) -> String {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c));
    if ok {
        name.to_owned()
    } else {
        "(unprintable name)".to_owned()
    }
}

/// OAuth error codes are `[a-z_]` words (RFC 6749 §4.1.2.1); anything else is shown as `invalid_response`.
fn sanitize_error_code(code: &str) -> String {
    let ok = !code.is_empty()
        && code.len() <= 64
        && code.chars().all(|c| c.is_ascii_lowercase() || c == '_');
    if ok {
        code.to_owned()
    } else {
        "invalid_response".to_owned()
    }
}

/// Error descriptions come from whoever built the link: strip control characters and bound the length.
fn sanitize_text(text: &str) -> String {
    // Entra appends a trace block after `\r\n` (`Trace ID: …\r\nCorrelation ID: …\r\nTimestamp: …`): ids, not words.
    crate::text::displayable(crate::protocol::without_trace(text))
        .chars()
        .take(MAX_DESCRIPTION_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_uri() -> RedirectUri {
        RedirectUri::parse("graphdesk://auth").expect("valid")
    }

    fn parse(raw: &str) -> Result<AuthorizationResponse, RedirectError> {
        parse_redirect(raw, &app_uri())
    }

    #[test]
    fn accepts_a_code_response() {
        let response = parse(
            "graphdesk://auth?code=abc%2Fdef&state=s1&client_info=eyJ1aWQiOiIxIn0&session_state=x",
        )
        .expect("accepted");
        let AuthorizationResponse::Code {
            code,
            state,
            client_info,
        } = response
        else {
            panic!("expected a code");
        };
        assert_eq!(code.secret(), "abc/def");
        assert!(state.matches("s1"));
        assert_eq!(client_info.as_deref(), Some("eyJ1aWQiOiIxIn0"));
    }

    #[test]
    fn a_trailing_slash_is_the_same_target() {
        assert!(parse("graphdesk://auth/?code=c&state=s").is_ok());
        assert!(parse("GRAPHDESK://AUTH?code=c&state=s").is_ok());
    }

    #[test]
    fn format_characters_in_an_error_description_never_reach_the_window() {
        let response = parse(
            "graphdesk://auth?error=access_denied&error_description=Open+%E2%80%AEmoc.evil%E2%80%AC%E2%80%8B+now&state=s",
        )
        .expect("accepted");
        let AuthorizationResponse::Error { description, .. } = response else {
            panic!("expected an error");
        };
        assert_eq!(description.as_deref(), Some("Open moc.evil now"));
    }

    #[test]
    fn accepts_an_error_response_and_sanitises_it() {
        let response = parse("graphdesk://auth?error=access_denied&error_description=AADSTS65004%3A+User+declined%0A%3Cscript%3E&state=s")
            .expect("accepted");
        let AuthorizationResponse::Error {
            error,
            description,
            state,
        } = response
        else {
            panic!("expected an error");
        };
        assert_eq!(error, "access_denied");
        assert_eq!(
            description.as_deref(),
            Some("AADSTS65004: User declined<script>")
        );
        assert!(state.is_some_and(|s| s.matches("s")));
        // Entra's documented consent refusal: the trace block after %0d%0a is dropped.
        let entra = parse("graphdesk://auth?error=access_denied&error_description=AADSTS65004%3a+The+resource+owner+or+authorization+server+denied+the+request.%0d%0aTrace+ID%3a+1b9b5a8b-7b21-4e5c-9c5a-0a6e2e9b6c00%0d%0aCorrelation+ID%3a+3c0a6f9b-9b6d-4d7b-8f3c-7b1e8f0e6a01%0d%0aTimestamp%3a+2023-01-20+18%3a50%3a32Z&state=s").expect("accepted");
        let AuthorizationResponse::Error { description, .. } = entra else {
            panic!("expected an error");
        };
        assert_eq!(
            description.as_deref(),
            Some("AADSTS65004: The resource owner or authorization server denied the request.")
        );
        let odd = parse("graphdesk://auth?error=%3Cb%3E&state=s").expect("accepted");
        assert!(
            matches!(odd, AuthorizationResponse::Error { error, .. } if error == "invalid_response")
        );
    }

    #[test]
    fn refuses_hostile_links_with_the_reason() {
        let cases: &[(&str, RedirectError)] = &[
            ("not a url", RedirectError::Malformed),
            (
                "https://auth?code=c&state=s",
                RedirectError::WrongTarget {
                    expected: "graphdesk://auth".into(),
                },
            ),
            (
                "graphdesk://other?code=c&state=s",
                RedirectError::WrongTarget {
                    expected: "graphdesk://auth".into(),
                },
            ),
            (
                "graphdesk://auth/x?code=c&state=s",
                RedirectError::WrongTarget {
                    expected: "graphdesk://auth".into(),
                },
            ),
            (
                "graphdesk://u:p@auth?code=c&state=s",
                RedirectError::WrongTarget {
                    expected: "graphdesk://auth".into(),
                },
            ),
            (
                "graphdesk://auth?code=c&state=s#frag",
                RedirectError::Fragment,
            ),
            (
                "graphdesk://auth?code=c%zz&state=s",
                RedirectError::BadEncoding,
            ),
            (
                "graphdesk://auth?code=c%2&state=s",
                RedirectError::BadEncoding,
            ),
            (
                "graphdesk://auth?code=%ff%fe&state=s",
                RedirectError::BadEncoding,
            ),
            (
                "graphdesk://auth?code=a&code=b&state=s",
                RedirectError::DuplicateParameter {
                    name: "code".into(),
                },
            ),
            (
                "graphdesk://auth?code=a&state=s&state=t",
                RedirectError::DuplicateParameter {
                    name: "state".into(),
                },
            ),
            (
                "graphdesk://auth?code=a&state=s&access_token=t",
                RedirectError::ForbiddenParameter {
                    name: "access_token".into(),
                },
            ),
            (
                "graphdesk://auth?id_token=t&code=a&state=s",
                RedirectError::ForbiddenParameter {
                    name: "id_token".into(),
                },
            ),
            (
                "graphdesk://auth?code=a",
                RedirectError::MissingParameter {
                    name: "state".into(),
                },
            ),
            (
                "graphdesk://auth?code=&state=s",
                RedirectError::MissingParameter {
                    name: "code".into(),
                },
            ),
            (
                "graphdesk://auth?state=s",
                RedirectError::MissingParameter {
                    name: "code".into(),
                },
            ),
            (
                "graphdesk://auth",
                RedirectError::MissingParameter {
                    name: "code".into(),
                },
            ),
            (
                "graphdesk://auth?code=a&error=x&state=s",
                RedirectError::CodeAndError,
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(parse(raw).as_ref().err(), Some(expected), "{raw}");
        }
        let long = format!(
            "graphdesk://auth?code={}&state=s",
            "a".repeat(MAX_REDIRECT_LEN)
        );
        assert!(matches!(parse(&long), Err(RedirectError::TooLong { .. })));
    }

    #[test]
    fn error_messages_never_echo_values() {
        let secret = "SECRETCODE";
        for raw in [
            format!("graphdesk://auth?code={secret}&code={secret}&state=s"),
            format!("graphdesk://other?code={secret}&state=s"),
            format!("graphdesk://auth?code={secret}%zz&state=s"),
            format!("graphdesk://auth?code={secret}"),
        ] {
            let err = parse(&raw).expect_err("refused");
            assert!(!err.to_string().contains(secret), "{err}");
            assert!(!format!("{err:?}").contains(secret), "{err:?}");
        }
    }

    #[test]
    fn loopback_redirects_match_on_port_and_path() {
        let uri = RedirectUri::parse("http://127.0.0.1:53123/").expect("valid");
        assert!(parse_redirect("http://127.0.0.1:53123/?code=c&state=s", &uri).is_ok());
        assert!(parse_redirect("http://127.0.0.1:53124/?code=c&state=s", &uri).is_err());
    }

    #[test]
    fn redirect_uris_are_validated() {
        for bad in [
            "https://example.com/cb",
            "http://example.com/cb",
            "graphdesk:auth",
            "graphdesk://auth?x=1",
            "nope",
            "http://localhost",
            "http://[::1]:8400/",
        ] {
            assert!(RedirectUri::parse(bad).is_err(), "{bad}");
        }
        for good in [
            "graphdesk://auth",
            "msal00000000-0000-0000-0000-000000000000://auth",
            "http://127.0.0.1",
            "http://127.0.0.1:8400/cb",
        ] {
            assert!(RedirectUri::parse(good).is_ok(), "{good}");
        }
        assert!(
            RedirectUri::parse("http://127.0.0.1")
                .expect("valid")
                .is_loopback()
        );
        assert!(
            !RedirectUri::parse("graphdesk://auth")
                .expect("valid")
                .is_loopback()
        );
    }

    #[test]
    fn fingerprints_are_stable_short_and_distinct() {
        let a = fingerprint("graphdesk://auth?code=x&state=y");
        assert_eq!(a.len(), 16);
        assert_eq!(a, fingerprint("graphdesk://auth?code=x&state=y"));
        assert_ne!(a, fingerprint("graphdesk://auth?code=x&state=z"));
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
