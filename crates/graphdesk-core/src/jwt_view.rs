//! What the token panel shows of an access token, as jwt.ms does: its decoded header and claims — never the signature,
//! never the token. Tokens that are not JWTs (personal accounts get opaque ones) decode to `None`.

use serde::Serialize;
use serde_json::Value;

/// A JWT's readable parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct JwtView {
    pub header: Value,
    pub claims: Value,
}

/// Decodes `token`'s header and claims without verifying anything; `None` when it is not a JWT with JSON parts.
pub fn decode(token: &str) -> Option<JwtView> {
    let (header, claims) = crate::encoding::jwt_parts(token)?;
    let json = |bytes: &[u8]| -> Option<Value> {
        serde_json::from_slice::<Value>(bytes)
            .ok()
            .filter(Value::is_object)
    };
    Some(JwtView {
        header: json(&header)?,
        claims: json(&claims)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn b64(value: &str) -> String {
        URL_SAFE_NO_PAD.encode(value)
    }

    #[test]
    fn decodes_header_and_claims_and_refuses_what_is_not_a_jwt() {
        let token = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256","kid":"k1"}"#),
            b64(r#"{"aud":"https://graph.microsoft.com","scp":"User.Read"}"#)
        );
        let view = decode(&token).expect("a JWT");
        assert_eq!(view.header["kid"], "k1");
        assert_eq!(view.claims["scp"], "User.Read");
        for opaque in [
            "EwBwA8l6BAAU-opaque-token",
            "a.b",
            "a.b.c.d",
            &format!("{}.{}.x", b64("[1]"), b64("{}")),
            &format!("{}.not-base64!.x", b64("{}")),
        ] {
            assert_eq!(decode(opaque), None, "{opaque}");
        }
    }
}
