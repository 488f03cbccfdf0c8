//! ID tokens: decoded, and checked as OpenID Connect Core §3.1.3.7 asks of a token received straight from the token
//! endpoint over TLS — audience, issuer (with Entra's `{tenantid}` template resolved from `tid`), expiry and nonce. The
//! signature is not verified, as MSAL does not: TLS to the token endpoint already authenticates it.

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::secret::IdToken;

/// Clock skew tolerated on `exp`.
const SKEW_SECONDS: u64 = 300;

/// The claims GraphDesk uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct IdTokenClaims {
    /// One audience or several (OIDC Core §2 allows an array).
    #[serde(deserialize_with = "one_or_many")]
    pub aud: Vec<String>,
    /// The party the token was issued to; checked when present and required with several audiences (§3.1.3.7).
    #[serde(default)]
    pub azp: Option<String>,
    pub iss: String,
    pub exp: u64,
    #[serde(default)]
    pub iat: Option<u64>,
    #[serde(default)]
    pub tid: Option<String>,
    #[serde(default)]
    pub oid: Option<String>,
    pub sub: String,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub nonce: Option<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

/// What a valid ID token must match.
#[derive(Debug, Clone, Copy)]
pub struct Expectations<'a> {
    pub client_id: &'a str,
    /// The issuer from discovery; may contain `{tenantid}`.
    pub issuer: &'a str,
    /// The nonce sent in the authorization request, when there was one.
    pub nonce: Option<&'a str>,
    pub now: u64,
}

/// Decodes a JWT's payload without checking anything.
pub fn decode(token: &IdToken) -> Result<IdTokenClaims, CoreError> {
    let invalid = |reason: &str| CoreError::InvalidIdToken {
        reason: reason.into(),
    };
    let (_, payload) = crate::encoding::jwt_parts(token.secret())
        .ok_or_else(|| invalid("not a JWT of three base64url parts"))?;
    serde_json::from_slice(&payload).map_err(|_| invalid("payload lacks aud, iss, exp or sub"))
}

/// Decodes and checks an ID token.
pub fn validate(token: &IdToken, expected: &Expectations<'_>) -> Result<IdTokenClaims, CoreError> {
    let claims = decode(token)?;
    let invalid = |reason: String| Err(CoreError::InvalidIdToken { reason });
    // OIDC Core §3.1.3.7: the client is one of the audiences; with several, `azp` must be present and name it; when
    // present it names the client in any case.
    if !claims.aud.iter().any(|aud| aud == expected.client_id) {
        return invalid(format!("issued to another app ({})", claims.aud.join(" ")));
    }
    match claims.azp.as_deref() {
        Some(azp) if azp != expected.client_id => {
            return invalid(format!("authorized party is another app ({azp})"));
        }
        None if claims.aud.len() > 1 => {
            return invalid("several audiences and no azp naming this app".into());
        }
        _ => {}
    }
    let issuer = match (&claims.tid, expected.issuer.contains("{tenantid}")) {
        (Some(tid), true) => expected.issuer.replace("{tenantid}", tid),
        (None, true) => return invalid("a multi-tenant issuer needs the tid claim".into()),
        (_, false) => expected.issuer.to_owned(),
    };
    if claims.iss != issuer {
        return invalid(format!("issuer {} is not {issuer}", claims.iss));
    }
    if claims.exp.saturating_add(SKEW_SECONDS) <= expected.now {
        return invalid("expired".into());
    }
    if let Some(nonce) = expected.nonce
        && claims.nonce.as_deref() != Some(nonce)
    {
        return invalid("nonce does not match the sign-in request".into());
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    fn token(claims: serde_json::Value) -> IdToken {
        IdToken::new(format!(
            "e30.{}.sig",
            URL_SAFE_NO_PAD.encode(claims.to_string())
        ))
    }

    fn good() -> serde_json::Value {
        json!({"aud": "app", "iss": "https://login.example/t1/v2.0", "exp": 2_000, "tid": "t1", "sub": "s", "nonce": "n"})
    }

    fn expect(issuer: &str) -> Expectations<'_> {
        Expectations {
            client_id: "app",
            issuer,
            nonce: Some("n"),
            now: 1_000,
        }
    }

    #[test]
    fn accepts_a_matching_token_including_the_tenantid_template() {
        assert!(validate(&token(good()), &expect("https://login.example/t1/v2.0")).is_ok());
        assert!(
            validate(
                &token(good()),
                &expect("https://login.example/{tenantid}/v2.0")
            )
            .is_ok()
        );
    }

    #[test]
    fn an_audience_array_is_accepted_with_azp_checked() {
        let issuer = "https://login.example/t1/v2.0";
        let with = |aud: serde_json::Value, azp: Option<&str>| {
            let mut claims = good();
            claims["aud"] = aud;
            if let Some(azp) = azp {
                claims["azp"] = json!(azp);
            }
            validate(&token(claims), &expect(issuer))
        };
        assert!(with(json!(["app"]), None).is_ok(), "one element, no azp");
        assert!(with(json!(["app", "api"]), Some("app")).is_ok());
        assert!(
            with(json!(["app", "api"]), None).is_err(),
            "several audiences need azp"
        );
        assert!(with(json!(["app", "api"]), Some("api")).is_err());
        assert!(with(json!("app"), Some("other")).is_err());
        assert!(with(json!(["api"]), None).is_err());
        let mut far = good();
        far["exp"] = json!(u64::MAX);
        assert!(
            validate(&token(far), &expect(issuer)).is_ok(),
            "no overflow"
        );
    }

    #[test]
    fn refuses_wrong_audience_issuer_expiry_and_nonce() {
        let cases = [
            ("aud", json!("other-app")),
            ("iss", json!("https://evil.example/t1/v2.0")),
            ("tid", json!("t2")),
            ("exp", json!(500)),
            ("nonce", json!("replayed")),
        ];
        for (claim, value) in cases {
            let mut claims = good();
            claims[claim] = value;
            let result = validate(
                &token(claims),
                &expect("https://login.example/{tenantid}/v2.0"),
            );
            assert!(
                matches!(result, Err(CoreError::InvalidIdToken { .. })),
                "{claim}"
            );
        }
        assert!(decode(&IdToken::new("garbage")).is_err());
    }
}
